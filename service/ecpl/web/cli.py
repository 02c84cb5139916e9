"""``ecpl serve``: the service under a production WSGI server.

Concurrency model (why updates are seen by every later request): with the embedded store
(memory or a folder) and an update token there is ONE process holding the store, served by
waitress — it reads each request head and body asynchronously and hands only complete requests
to its threads, so slow or half-sent requests (slowloris) cannot take the threads — plus
``--workers`` fenced query processes forked from it (:mod:`ecpl.store.pool`: time and memory
limits, no network) that run each query and write its answer. Writes happen in the one process
and refresh the query processes. Read-only with the in-memory store (the default), nothing can
change the store, so ``--processes`` granian front processes (one per CPU by default), each with
its own ``--workers`` query processes, serve the same port from copies of the store shared
copy-on-write, whole requests only reaching their threads (:mod:`ecpl.web.fronts`). With a
remote store the service is stateless: one waitress process, or with ``--workers N`` > 1 N
gunicorn processes (gthread; put a buffering reverse proxy in front of those, see
docs/operations.md).
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import Any

import click

from ecpl.config import Settings, read_token_file
from ecpl.errors import EcplError


def _remote(settings: Settings) -> bool:
    return settings.store.startswith(("http://", "https://"))


def _memory(settings: Settings) -> bool:
    return settings.store.strip() in ("", "memory", ":memory:")


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _processes(settings: Settings) -> int:
    """HTTP front processes: one per CPU when every process may hold its own copy of the store
    (in memory and read-only), else 1 — a write would reach one copy only, a folder store is
    opened by one process, and a remote store scales with ``--workers`` (gunicorn)."""
    shared = _memory(settings) and not settings.update_token
    if settings.processes is None:
        return _cpus() if shared else 1
    if settings.processes < 1:
        raise click.UsageError(f"--processes must be at least 1, got {settings.processes}")
    if settings.processes > 1 and not _memory(settings):
        raise click.UsageError(
            "--processes > 1 needs the in-memory store (a folder store is opened by one "
            "process; with a remote store use --workers for more processes)"
        )
    if settings.processes > 1 and settings.update_token:
        raise click.UsageError(
            "--processes > 1 needs a read-only service: with an update token a write would "
            "reach only one process's copy of the in-memory store"
        )
    return settings.processes


def _threads(settings: Settings) -> int:
    """App threads: enough that cheap requests find one while long queries wait on workers.

    A thread waiting for a query worker gives up after about a second (503 + Retry-After),
    and only ``workers - 1`` queries may run long, so runaway queries cannot hold them all.
    """
    return max(16, 4 * settings.workers)


def _gunicorn_app(settings: Settings) -> Any:
    from gunicorn.app.base import BaseApplication

    class EcplApplication(BaseApplication):  # type: ignore[misc]  # gunicorn ships no types
        def load_config(self) -> None:
            options = {
                "bind": f"{settings.host}:{settings.port}",
                "workers": settings.workers,
                "worker_class": "gthread",
                "threads": _threads(settings),
                "timeout": settings.query_timeout_s + 60,
                "graceful_timeout": 10,
                "accesslog": None,  # the app logs one line per request (ecpl.web)
                "errorlog": "-",
                "loglevel": "info",
                "limit_request_line": 8190,
                "proc_name": "ecpl-serve",
                "control_socket_disable": True,
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            from ecpl.web.app import create_app

            return create_app(settings)

    return EcplApplication()


def _stop(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)  # waitress's run() catches it and lets running requests finish


def _server_options(app: Any, settings: Settings) -> dict[str, Any]:
    """waitress's settings, the same for one process and for each front."""
    return {
        "threads": _threads(settings),
        "ident": "ecpl",
        # Requests are buffered whole before a thread sees them; bodies over the app's
        # limit are refused with 413 by waitress itself, chunked ones included.
        "max_request_body_size": app.config["MAX_CONTENT_LENGTH"],
        "max_request_header_size": 64 * 1024,
        "connection_limit": 1000,
        "channel_timeout": 60,  # idle or stalled connections are closed after this
        "asyncore_use_poll": True,  # no select() limit of 1024 descriptors
    }


def _cannot_listen(settings: Settings, exc: OSError) -> click.ClickException:
    return click.ClickException(f"cannot listen on {settings.host}:{settings.port}: {exc}")


def _run_waitress(settings: Settings) -> None:
    """One process: open the store (clear error, no traceback), then serve until SIGTERM."""
    from waitress import create_server

    from ecpl.web.app import create_app
    from ecpl.web.context import STORE_KEY
    from ecpl.web.fronts import share_memory

    app = create_app(settings)  # opens and loads the store before a socket is bound
    try:
        server = create_server(
            app, host=settings.host, port=settings.port, **_server_options(app, settings)
        )
    except OSError as exc:
        app.extensions[STORE_KEY].close()
        raise _cannot_listen(settings, exc) from None
    signal.signal(signal.SIGTERM, _stop)
    share_memory()  # the query workers forked from here share the loaded store's pages
    click.echo(f"ecpl: serving http://{settings.host}:{settings.port}/sparql", err=True)
    try:
        server.run()
    finally:
        server.close()
        app.extensions[STORE_KEY].close()
        logging.getLogger("ecpl.web").info("ecpl: stopped")


def _run_fronts(settings: Settings, count: int) -> None:
    """``count`` granian front processes on one port, forked after the store is loaded."""
    from ecpl.store.oxigraph import OxigraphStore
    from ecpl.web import fronts
    from ecpl.web.app import create_app
    from ecpl.web.context import STORE_KEY

    app = create_app(settings)  # loads the store once, before any fork
    store = app.extensions[STORE_KEY]
    if not isinstance(store, OxigraphStore):  # _processes allows fronts for memory only
        raise click.ClickException("front processes need the in-memory store")
    store.stop_workers()  # none should exist; each front forks its own
    click.echo(
        f"ecpl: serving http://{settings.host}:{settings.port}/sparql ({count} processes)",
        err=True,
    )
    try:
        status = fronts.serve(
            app,
            host=settings.host,
            port=settings.port,
            count=count,
            threads=_threads(settings),
            max_body=app.config["MAX_CONTENT_LENGTH"],
            on_start=store.start_workers,
        )
    except fronts.CannotListen as exc:
        raise _cannot_listen(settings, exc) from None
    finally:
        store.close()
    logging.getLogger("ecpl.web").info("ecpl: stopped")
    if status:
        raise click.ClickException("the front processes kept stopping; see the log above")


def _check_store(settings: Settings) -> None:
    """Fail fast, before forking, on a --store that cannot work."""
    from pathlib import Path

    target = settings.store
    if target in ("memory", ":memory:") or _remote(settings):
        return
    folder = Path(target).expanduser()
    if folder.exists() and not folder.is_dir():
        raise click.BadParameter(f"{target} is not a folder", param_hint="--store")


@click.command()
@click.option("--host", default=None, help="Interface to listen on (default 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Port (default 8000).")
@click.option("--store", default=None, help="memory (default), a folder, or an http(s) SPARQL URL.")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Query processes (embedded store) or server processes (remote store); default 2.",
)
@click.option(
    "--processes",
    type=click.IntRange(1, 64),
    default=None,
    help="HTTP front processes sharing the port (ECPL_PROCESSES). Default: one per CPU when "
    "read-only with the in-memory store (each holds the store copy-on-write), else 1 (a write "
    "would reach one process's copy only).",
)
@click.option("--update-token", default=None, help="Allow updates with this bearer token.")
@click.option(
    "--update-token-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Read the update token from this file (not visible in ps, unlike --update-token).",
)
@click.option("--timeout", type=click.IntRange(1, 3600), default=None, help="Query limit (s).")
def serve(
    host: str | None,
    port: int | None,
    store: str | None,
    workers: int | None,
    processes: int | None,
    update_token: str | None,
    update_token_file: Path | None,
    timeout: int | None,
) -> None:
    """Run the SPARQL service (W3C SPARQL 1.1 Protocol) at http://HOST:PORT/sparql."""
    try:
        if update_token_file is not None:
            if update_token:
                raise click.UsageError("give --update-token or --update-token-file, not both")
            update_token = read_token_file(update_token_file)
        settings = Settings.from_env(
            host=host,
            port=port,
            store=store,
            workers=workers,
            processes=processes,
            update_token=update_token,
            query_timeout_s=timeout,
        )
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    _check_store(settings)
    count = _processes(settings)
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s [%(process)d] %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        if count > 1:
            _run_fronts(settings, count)
            return
        if not _remote(settings) or settings.workers == 1:
            _run_waitress(settings)
            return
        # Fill the remote store once, here, before the workers start: several workers loading
        # an empty store at once deadlock in Virtuoso. A store that is down is loaded later.
        from ecpl.store import open_store

        open_store(settings).close()
        click.echo(f"ecpl: serving http://{settings.host}:{settings.port}/sparql", err=True)
        _gunicorn_app(settings).run()
    except EcplError as exc:
        raise click.ClickException(str(exc)) from None
