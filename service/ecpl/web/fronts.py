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

    server = _shared_socket_server()(
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


def _shared_socket_server() -> Any:
    """granian's process server with ONE listening socket that every front accepts from.

    On Linux granian 2.8 gives each worker its own ``SO_REUSEPORT`` socket, and the kernel
    queues each new connection on one of them: when a front dies, the connections queued on its
    socket are reset (unless the host sets ``net.ipv4.tcp_migrate_req=1``) — a full-suite run
    saw a request reset right after a front was killed. With one shared socket (granian's own
    path on other systems) a connection waits in one queue until a live front takes it.
    """
    import socket

    from granian._granian import ListenerSpec as SocketSpec
    from granian.server import Server

    class SharedSocketServer(Server):  # type: ignore[misc,valid-type]  # granian: no stubs
        def _init_shared_socket(self) -> None:
            spec = SocketSpec(self.bind_addr, self.bind_port, self.backlog)
            self._ssp = None
            try:  # only the bind is a listening problem; anything later is not
                self._shd = spec.build()
            except (OSError, RuntimeError) as exc:
                raise CannotListen(str(exc)) from None
            self._sfd = self._shd.get_fd()
            self._sso = socket.socket(fileno=self._sfd)
            self._sso.set_inheritable(True)

    return SharedSocketServer


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
