"""Several HTTP front processes on one listening socket, forked from the process holding the store.

Why: one Python process (one GIL) does every request's HTTP, routing, negotiation and policy
check; on a machine with several cores it caps throughput and queues requests under load. For
the read-only in-memory store the parent loads the store once, binds the socket, freezes the
garbage collector's view of what it built (so the children's collections do not write to those
pages and they stay shared copy-on-write) and forks ``processes`` fronts. Each front runs
waitress on the inherited socket (the kernel hands each connection to one of them) and forks
its own fenced query workers (:mod:`ecpl.store.pool`) after the fork, so no two processes share
a worker or a pipe.

Only when nothing can write: an update would change one front's copy of the store and not the
others (``ecpl serve`` refuses ``--processes`` > 1 with an update token).

The parent only supervises: a front that dies is forked again (from the parent's untouched
copy); SIGTERM or SIGINT stops every front gracefully (each lets its running requests finish
and stops its query workers), then the parent exits.
"""

from __future__ import annotations

import collections
import contextlib
import ctypes
import gc
import logging
import os
import signal
import socket
import time
from collections.abc import Callable, Sequence
from types import FrameType

log = logging.getLogger("ecpl.web")

BACKLOG = 1024
STOP_GRACE_S = 20.0  # a front still running after this is killed (with its query workers)
# A front that keeps dying soon after it starts is a bug, not bad luck: give up and say so.
CRASH_WINDOW_S = 60.0
CRASHES_ALLOWED = 5
PR_SET_PDEATHSIG = 1


def listen(host: str, port: int) -> list[socket.socket]:
    """Bound, listening sockets for ``host:port`` (every address it resolves to); OSError."""
    from waitress.adjustments import Adjustments

    sockets: list[socket.socket] = []
    try:
        for family, kind, proto, address in Adjustments(host=host, port=port).listen:
            sock = socket.socket(family, kind, proto)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.bind(address)
            sock.listen(BACKLOG)
    except OSError:
        for sock in sockets:
            sock.close()
        raise
    return sockets


class Supervisor:
    """Forks ``count`` fronts running ``front()`` (its return value is the exit status),
    forks a front again when one dies, and stops them all on SIGTERM/SIGINT."""

    def __init__(self, front: Callable[[], int], count: int) -> None:
        self.front = front
        self.count = count
        self.children: dict[int, float] = {}  # pid -> start time
        self.stopping = False
        self.crashes: collections.deque[float] = collections.deque()

    def _fork(self) -> None:
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the front: never return into the parent's stack
            status = 1
            try:
                for sig in (signal.SIGTERM, signal.SIGINT):  # until front() sets its own
                    signal.signal(sig, signal.SIG_DFL)
                _stop_with(parent)
                status = self.front()
            except SystemExit:
                status = 0
            except BaseException:
                log.exception("front process %d failed", os.getpid())
            finally:
                logging.shutdown()
                os._exit(status)
        self.children[pid] = time.monotonic()

    def _ask_stop(self, signum: int, frame: FrameType | None) -> None:
        self.stopping = True

    def run(self) -> int:
        """Supervise until asked to stop; 0, or 1 when fronts kept dying at start."""
        previous = {
            sig: signal.signal(sig, self._ask_stop) for sig in (signal.SIGTERM, signal.SIGINT)
        }
        try:
            share_memory()
            for _ in range(self.count):
                self._fork()
            while not self.stopping:
                if not self._reap_and_replace():
                    return 1
                time.sleep(0.2)
            return 0
        finally:
            self._stop_all()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _reap_and_replace(self) -> bool:
        """Fork a new front for each that died; False when they keep dying (crash loop)."""
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                pid = 0
            if pid == 0:
                break
            started = self.children.pop(pid, None)
            if started is None or self.stopping:
                continue
            log.warning("front process %d stopped (%s); starting another", pid, _describe(status))
            now = time.monotonic()
            self.crashes.append(now)
            while self.crashes and now - self.crashes[0] > CRASH_WINDOW_S:
                self.crashes.popleft()
            if len(self.crashes) > CRASHES_ALLOWED:
                log.error(
                    "front processes stopped %d times within %g s; giving up",
                    len(self.crashes),
                    CRASH_WINDOW_S,
                )
                return False
            self._fork()
        return True

    def _stop_all(self) -> None:
        """SIGTERM every front, wait for them to finish, kill what is left (and its workers)."""
        for pid in list(self.children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_S
        while self.children and time.monotonic() < deadline:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                self.children.clear()
                break
            if pid == 0:
                time.sleep(0.05)
            else:
                self.children.pop(pid, None)
        for pid in list(self.children):
            log.warning("front process %d did not stop within %g s; killing it", pid, STOP_GRACE_S)
            for child in [*_children(pid), pid]:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(child, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        self.children.clear()


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


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"


def _children(pid: int) -> Sequence[int]:
    """The direct children of ``pid`` (its query workers), from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    text = stat.read()
            except OSError:
                continue
            if int(text[text.rfind(")") + 2 :].split()[1]) == pid:
                found.append(int(entry))
    return found
