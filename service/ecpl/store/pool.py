"""Killable query workers: the only way to really stop a runaway query.

Neither pyoxigraph nor rdflib can cancel a running query, and Python threads cannot be killed,
so timed queries run in worker processes forked from the process that holds the store. A worker
past its deadline is killed and replaced; the caller gets ``Unavailable`` (503). Forked workers
share the parent's in-memory store copy-on-write; after a write the parent calls
:meth:`QueryPool.refresh` so later queries are answered by workers forked after the write.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, Literal

from ecpl.errors import EcplError, Unavailable

log = logging.getLogger(__name__)

Task = Callable[..., Any]
StartMethod = Literal["fork", "forkserver"]


def _serve(conn: Connection, task: Task) -> None:
    """Worker loop: run requests until the parent (the server, or the fork server) goes away."""
    parent = os.getppid()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1):
        signal.signal(sig, signal.SIG_DFL)
    while True:
        if os.getppid() != parent:
            os._exit(0)
        try:
            if not conn.poll(1.0):
                continue
            args = conn.recv()
        except (EOFError, OSError):
            os._exit(0)
        try:
            reply: tuple[str, Any] = ("ok", task(*args))
        except EcplError as exc:
            reply = ("error", exc)
        except Exception as exc:
            reply = ("error", Unavailable(f"query failed in the worker: {exc}"))
        try:
            conn.send(reply)
        except Exception as exc:  # an unpicklable result must not kill the loop silently
            conn.send(("error", Unavailable(f"could not return the result: {exc}")))


class _Worker:
    def __init__(self, task: Task, generation: int, start_method: StartMethod) -> None:
        ctx: Any = multiprocessing.get_context(start_method)  # typeshed: BaseContext lacks Process
        self.conn, child = ctx.Pipe()
        self.generation = generation
        self.process = ctx.Process(target=_serve, args=(child, task), daemon=True)
        self.process.start()
        child.close()

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class QueryPool:
    """A fixed number of worker processes running ``task(*args)`` with a wall-clock limit.

    ``start_method`` "fork" shares the parent's memory (the in-memory store); "forkserver"
    starts workers from a clean process, for tasks that must not inherit the parent's
    threads and locks (an on-disk RocksDB store: its background threads do not survive a
    fork, and a lock one of them held stays locked in the child). Its task must pickle.
    """

    def __init__(
        self,
        task: Task,
        size: int,
        fork_lock: threading.RLock,
        start_method: StartMethod = "fork",
    ) -> None:
        self._task = task
        self._start_method: StartMethod = start_method
        if start_method == "forkserver":  # import the task's module once, in the fork server
            module = getattr(getattr(task, "func", task), "__module__", None)
            if module:
                multiprocessing.get_context("forkserver").set_forkserver_preload([module])
        self._size = max(1, size)
        self._fork_lock = fork_lock  # held by the store's writers: never fork mid-write
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._generation = 0
        self._closed = False
        for _ in range(self._size):
            self._idle.put(self._spawn())

    def _spawn(self) -> _Worker:
        with self._fork_lock:
            return _Worker(self._task, self._generation, self._start_method)

    def refresh(self) -> None:
        """Workers forked before now are stale (they hold the old data); replace them on use."""
        self._generation += 1

    def run(self, args: tuple[Any, ...], timeout_s: float) -> Any:
        try:
            worker = self._idle.get(timeout=timeout_s)
        except queue.Empty:
            raise Unavailable(
                f"the service is busy; no query worker free within {timeout_s:g} s"
            ) from None
        if worker.generation != self._generation or not worker.process.is_alive():
            worker.kill()
            worker = self._spawn()
        started = time.monotonic()
        try:
            worker.conn.send(args)
            ready = worker.conn.poll(timeout_s)
            status, value = worker.conn.recv() if ready else ("timeout", None)
        except (EOFError, OSError) as exc:
            status, value = "died", exc
        if status in ("timeout", "died"):
            worker.kill()
            self._idle.put(self._spawn())
            if status == "died":
                raise Unavailable(f"the query worker died ({value}); try again")
            log.warning(
                "query stopped after %.1f s (limit %g s)", time.monotonic() - started, timeout_s
            )
            raise Unavailable(
                f"query stopped: it ran past the time limit of {timeout_s:g} s; "
                "narrow it (LIMIT, more specific patterns) or ask the operator for a longer limit"
            )
        self._idle.put(worker)
        if status == "error":
            assert isinstance(value, BaseException)
            raise value
        return value

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                self._idle.get_nowait().kill()
            except queue.Empty:
                break
