"""``ecpl serve``: the service under gunicorn (a production WSGI server).

Concurrency model (why updates are seen by every later request): with the embedded store
(memory or a folder) there is ONE gunicorn worker process holding the store, serving requests
on threads, and ``--workers`` query processes forked from it that run each query under the
time limit (killed and replaced when it runs over). Writes happen in the one process and
refresh the query processes. With a remote store the service is stateless, so ``--workers``
is the number of gunicorn worker processes.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import click

from ecpl.config import Settings
from ecpl.errors import EcplError


def _gunicorn_app(settings: Settings) -> Any:
    from gunicorn.app.base import BaseApplication

    remote = settings.store.startswith(("http://", "https://"))

    class EcplApplication(BaseApplication):
        def load_config(self) -> None:
            options = {
                "bind": f"{settings.host}:{settings.port}",
                "workers": settings.workers if remote else 1,
                "worker_class": "gthread",
                "threads": max(4, 2 * settings.workers),
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


def _check_store(settings: Settings) -> None:
    """Fail fast, before forking, on a --store that cannot work."""
    from pathlib import Path

    target = settings.store
    if target in ("memory", ":memory:") or target.startswith(("http://", "https://")):
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
@click.option("--update-token", default=None, help="Allow updates with this bearer token.")
@click.option("--timeout", type=click.IntRange(1, 3600), default=None, help="Query limit (s).")
def serve(
    host: str | None,
    port: int | None,
    store: str | None,
    workers: int | None,
    update_token: str | None,
    timeout: int | None,
) -> None:
    """Run the SPARQL service (W3C SPARQL 1.1 Protocol) at http://HOST:PORT/sparql."""
    try:
        settings = Settings.from_env(
            host=host,
            port=port,
            store=store,
            workers=workers,
            update_token=update_token,
            query_timeout_s=timeout,
        )
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    _check_store(settings)
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if settings.store.startswith(("http://", "https://")):
        # Fill the remote store once, here, before the workers start: several workers loading
        # an empty store at once deadlock in Virtuoso. A store that is down is loaded later.
        from ecpl.store import open_store

        open_store(settings).close()
    click.echo(f"ecpl: serving http://{settings.host}:{settings.port}/sparql", err=True)
    try:
        _gunicorn_app(settings).run()
    except EcplError as exc:
        raise click.ClickException(str(exc)) from None
