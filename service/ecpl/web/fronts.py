"""Several HTTP front processes on one port, forked from the process holding the store.

Why: one Python process (one GIL) does every request's HTTP, routing, negotiation and policy
check; on a machine with several cores it caps throughput, and waitress's Python loop over every
connection made it fall as clients were added (488 req/s at 64 clients against 614 at 8). For
the read-only in-memory store the parent loads the store once, freezes the garbage collector's
view of what it built (so the children's collections do not write to those pages and they stay
shared copy-on-write) and has granian fork ``processes`` fronts. granian reads and writes the
connections in Rust; each front runs the app through :func:`ecpl.web.asgi.buffered` (whole
requests only reach its threads, as with waitress) and forks its own fenced query workers
(:mod:`ecpl.store.pool`) as it starts, so no two processes share a worker or a pipe.

Only when nothing can write: an update would change one front's copy of the store and not the
others (``ecpl serve`` refuses ``--processes`` > 1 with an update token).

granian's parent only supervises: a front that dies is forked again from the parent's untouched
copy (a front that dies again within seconds of its restart stops the service: a crash loop is
a bug); SIGTERM or SIGINT stops every front (each lets its running requests finish and stops its
query workers), then the parent returns. A front also stops when the parent dies, even by
SIGKILL.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
import multiprocessing
import os
import signal
from collections.abc import Callable
from typing import Any

from ecpl.web.asgi import ASGIApp, WSGIApp, buffered

log = logging.getLogger("ecpl.web")

BACKLOG = 1024
STOP_GRACE_S = 20  # a front still running after this is killed (with its query workers)
CHANNEL_TIMEOUT_S = 60  # a request head or body part that takes longer is refused
MAX_HEAD_BYTES = 64 * 1024  # a larger request head is refused with 431
PR_SET_PDEATHSIG = 1
# granian's own messages (workers started, respawned) as the service's log lines, on stderr
# like them: its default handler writes to stdout, which a redirected process block-buffers.
GRANIAN_LOGGING: dict[str, Any] = {
    "formatters": {
        "generic": {
            "()": "logging.Formatter",
            "fmt": "%(asctime)s [%(process)d] %(levelname)s granian: %(message)s",
        },
    },
    "handlers": {
        "console": {
            "formatter": "generic",
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
        },
    },
    "loggers": {"_granian": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}


class CannotListen(OSError):
    """The port could not be bound (in use, not permitted)."""


def serve(
    app: WSGIApp,
    *,
    host: str,
    port: int,
    count: int,
    threads: int,
    max_body: int,
    on_start: Callable[[], None],
) -> int:
    """Serve ``app`` from ``count`` granian fronts until SIGTERM/SIGINT; the exit status.

    ``on_start`` runs in each front as it starts (it forks the front's query workers).
    """
    from granian.constants import HTTPModes, Interfaces
    from granian.http import HTTP1Settings

    asgi = buffered(
        app,
        max_body=max_body,
        max_head=MAX_HEAD_BYTES,
        threads=threads,
        body_timeout_s=CHANNEL_TIMEOUT_S,
    )
    parent = os.getpid()

    def front(*_: Any, **__: Any) -> ASGIApp:  # in the front, after the fork
        _stop_with(parent)
        on_start()
        return asgi

    server = _server_class()(
        "ecpl",
        address=host,
        port=port,
        interface=Interfaces.ASGINL,
        workers=count,
        http=HTTPModes.http1,
        http1_settings=HTTP1Settings(
            header_read_timeout=CHANNEL_TIMEOUT_S * 1000, max_buffer_size=MAX_HEAD_BYTES
        ),
        backlog=BACKLOG,
        respawn_failed_workers=True,
        respawn_interval=0.5,
        workers_kill_timeout=STOP_GRACE_S,
        log_access=False,  # the app logs one line per request (ecpl.web)
        log_dictconfig=GRANIAN_LOGGING,
    )
    # the fronts must be forks: they share the loaded store and get the loader without pickling
    multiprocessing.set_start_method("fork", force=True)
    share_memory()
    try:
        server.serve(target_loader=front, wrap_loader=False)
    except SystemExit as exc:  # granian exits 1 after a crash loop
        return exc.code if isinstance(exc.code, int) else 1
    return 0


def _server_class() -> Any:
    """granian's process server, with a failed bind reported as :class:`CannotListen`.

    On Linux each front gets its own ``SO_REUSEPORT`` socket on the port, and the kernel
    spreads new connections over them by address hash. With one shared socket every front
    raced to accept, and the first awake took most: 8 of 8 and 57 of 64 connections landed
    on one front, whose one GIL then served nearly every request while the other front idled.
    A front that dies closes its socket with it (its query workers close their inherited
    copies as they start, :func:`ecpl.store.pool.close_listening_sockets`), so new
    connections go to the live fronts; only those queued on it at that instant are reset,
    as its open connections are (``net.ipv4.tcp_migrate_req=1`` moves them instead).
    """
    from granian.server import Server

    class ReportingServer(Server):  # type: ignore[misc,valid-type]  # granian: no stubs
        def _init_shared_socket(self) -> None:
            try:  # only the bind is a listening problem; anything later is not
                super()._init_shared_socket()
            except (OSError, RuntimeError) as exc:
                raise CannotListen(str(exc)) from None

    return ReportingServer


def _stop_with(parent: int) -> None:
    """Get SIGTERM when the supervisor dies, even by SIGKILL (Linux), so no front outlives it."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # it died before the request was made
        os._exit(0)


def share_memory() -> None:
    """Before forking: keep what this process built in pages its children share.

    ``gc.freeze`` moves every object to a generation the collector never visits again, so a
    collection in a child does not write to (and copy) every page holding one; freed heap is
    handed back to the system first (glibc's ``malloc_trim``), so children do not inherit it.
    """
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)
    gc.freeze()
