"""Killable, fenced query workers: the only way to really stop a runaway query.

Neither pyoxigraph nor rdflib can cancel a running query, and Python threads cannot be killed,
so queries run in worker processes forked from the process that holds the store (sharing its
in-memory store copy-on-write). Each worker is fenced as it starts:

- a memory limit (``RLIMIT_AS``: its size at start plus ``memory_mb``); a query that crosses it
  fails or the worker dies, the caller gets 503 naming the limit and the worker is replaced;
- no network (a new, empty network namespace) unless SERVICE is allow-listed: the second wall
  behind the policy against server-side requests;
- a wall-clock limit: a worker past its deadline is killed and replaced (503).

Two lanes. Query text from a client runs in the ``user`` lane (``size`` workers); the
service's own requests — named queries, linked-data pages, lookups, whose text we wrote and
whose cost the data bounds — run in the ``known`` lane: ``reserved`` workers that user text
never reaches, plus any idle user-lane worker. So runaway queries from clients, however many,
cannot make a page or a named query wait: at worst they take every user-lane worker.

A request waits at most ``acquire_s`` for a free worker of its lane, then gets 503 with
Retry-After, and at most ``size - 1`` user queries may work past ``long_after_s`` of CPU at
once, so one user-lane worker stays free for cheap client queries while runaway ones run (CPU
time, not wall time: on an overloaded machine a starved cheap query is not mistaken for a
runaway one). After a write the parent calls :meth:`QueryPool.refresh` so later queries are
answered by workers forked after the write.
"""

from __future__ import annotations

import collections
import ctypes
import logging
import multiprocessing
import os
import queue
import resource
import signal
import socket
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, ClassVar, Literal

from ecpl.errors import EcplError, Unavailable
from ecpl.store.base import Lane

log = logging.getLogger(__name__)

Task = Callable[..., Any]
StartMethod = Literal["fork", "forkserver"]

# Client queries yield the CPU to the serving process and the service's own lane when the
# machine is saturated (about 1:3 under Linux's CFS weights), so runaway queries slow down
# pages and named queries less; on an idle machine the nice value changes nothing.
USER_LANE_NICE = 5
# Workers of the service's own lane, on top of the --workers that run client queries.
RESERVED_WORKERS = 1
# A worker is forked afresh once its private memory passes this share of the parent's size (a
# scan of the whole store copies about half of it): small stores keep their workers for long,
# large ones do not re-fork after every few lookups.
RECYCLE_SHARE = 0.25
# A query that used this much CPU has likely written many shared pages (a scan): its worker goes
# to the recycler, which replaces it if it grew, before any request takes it again.
HEAVY_CPU_S = 0.05
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
MB = 1024 * 1024
# The workers a request of each lane may take, in the order it prefers them.
_ORDER: dict[Lane, tuple[Lane, ...]] = {"known": ("known", "user"), "user": ("user",)}


class Busy(Unavailable):
    """Every worker is taken: try again shortly (503 with Retry-After)."""

    headers: ClassVar[dict[str, str]] = {"Retry-After": "2"}


class WorkerFault(EcplError):
    """A bug of ours inside a worker (500; the traceback is in the log, not in the answer)."""

    status = 500


@dataclass(frozen=True)
class Fence:
    """What every worker gets as it starts."""

    memory_mb: int | None = 1024
    network: bool = False  # True only when SERVICE calls are allow-listed


def _isolate_network() -> str:
    """Move this process into a new, empty network namespace; 'isolated' or why not."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.unshare(CLONE_NEWNET) == 0:
            return "isolated"
        if libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0:
            return "isolated"
        return f"not isolated: unshare failed ({os.strerror(ctypes.get_errno())})"
    except (OSError, AttributeError) as exc:
        return f"not isolated: {exc}"


def _limit_memory(memory_mb: int) -> None:
    with open("/proc/self/statm") as statm:
        size = int(statm.read().split()[0]) * resource.getpagesize()
    limit = size + memory_mb * MB
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def close_listening_sockets() -> None:
    """Close every listening socket this process inherited: a query worker accepts nothing,
    and a copy held here keeps the port bound after the server has stopped (until the worker
    sees its parent gone), so a restart could not listen on it."""
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        try:
            sock = socket.socket(fileno=fd)
        except OSError:  # not a socket (or already closed)
            continue
        try:
            listening = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)
        except OSError:
            listening = 0
        if listening:
            sock.close()
        else:
            sock.detach()


def _serve(conn: Connection, task: Task, fence: Fence, nice: int = 0) -> None:
    """Worker loop: fence, report, then run requests until the parent goes away."""
    parent = os.getppid()
    close_listening_sockets()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1):
        signal.signal(sig, signal.SIG_DFL)
    if nice:
        os.nice(nice)
    network = "allowed (SERVICE allow-list)" if fence.network else _isolate_network()
    if fence.memory_mb:
        _limit_memory(fence.memory_mb)
    conn.send(("ready", network, time.process_time()))
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
            reply: tuple[str, Any] = ("ok", task(args))
        except EcplError as exc:
            reply = ("error", exc)
        except MemoryError:
            reply = ("memory", None)
        except Exception:
            reply = ("bug", traceback.format_exc())
        # with the CPU this process has used so far, so the parent need not read /proc per query
        try:
            conn.send((*reply, time.process_time()))
        except Exception:  # an unpicklable result must not kill the loop silently
            conn.send(("bug", traceback.format_exc(), time.process_time()))
        if reply[0] == "memory":
            os._exit(0)  # a heap that hit the limit is not reused


class _Worker:
    def __init__(
        self, task: Task, generation: int, start_method: StartMethod, fence: Fence, lane: Lane
    ) -> None:
        ctx: Any = multiprocessing.get_context(start_method)  # typeshed: BaseContext lacks Process
        self.conn, child = ctx.Pipe()
        self.generation = generation
        self.lane: Lane = lane
        nice = USER_LANE_NICE if lane == "user" else 0
        self.process = ctx.Process(target=_serve, args=(child, task, fence, nice), daemon=True)
        self.process.start()
        child.close()
        self.network = "unknown"
        self.cpu_s = 0.0  # CPU seconds it had used when it last answered (it reports them)
        if self.conn.poll(30):
            try:
                _, self.network, self.cpu_s = self.conn.recv()
            except (EOFError, OSError):
                self.network = "worker failed to start"

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


def _resident_mb() -> float:
    """This process's resident size (what its workers start out sharing)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / MB


def _private_mb(pid: int | None) -> float:
    """Memory a process holds for itself alone (written pages, not shared with its parent)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            kb = sum(int(line.split()[1]) for line in rollup if line.startswith("Private_Dirty:"))
        return kb / 1024
    except (OSError, IndexError, ValueError):
        return 0.0


def _cpu_s(pid: int | None) -> float:
    """CPU seconds a process has used (user + system), 0 when it cannot be read."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


class QueryPool:
    """A fixed number of fenced worker processes running ``task(args)`` under limits.

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
        *,
        fence: Fence = Fence(),
        acquire_s: float = 1.0,
        long_after_s: float = 1.0,
        reserved: int = RESERVED_WORKERS,
        recycle_mb: int | None = 64,
        recycle_share: float = RECYCLE_SHARE,
        recycle_every_s: float = 5.0,
    ) -> None:
        self._task = task
        self._start_method: StartMethod = start_method
        if start_method == "forkserver":  # import the task's module once, in the fork server
            module = getattr(getattr(task, "func", task), "__module__", None)
            if module:
                multiprocessing.get_context("forkserver").set_forkserver_preload([module])
        self._size = max(1, size)
        self.fence = fence
        self.acquire_s = acquire_s
        self.long_after_s = long_after_s
        self._long = threading.BoundedSemaphore(max(1, self._size - 1))
        self._fork_lock = fork_lock  # held by the store's writers: never fork mid-write
        self._lock = threading.Lock()
        self._idle: dict[Lane, list[_Worker]] = {"user": [], "known": []}
        # each waiting request's own condition (on _lock), in the order the requests came
        self._line: dict[Lane, collections.deque[threading.Condition]] = {
            "user": collections.deque(),
            "known": collections.deque(),
        }
        self._generation = 0
        self._closed = False
        self._recycle_every_s = recycle_every_s
        # workers back from a heavy query, for the recycler to look at (None: closing)
        self._heavy: queue.SimpleQueue[_Worker | None] = queue.SimpleQueue()
        self.network = "unknown"
        for _ in range(self._size):
            self._release(self._spawn("user"))
        for _ in range(max(0, reserved)):
            self._release(self._spawn("known"))
        self.recycle_mb = recycle_mb
        self.recycle_share = recycle_share
        if recycle_mb:
            threading.Thread(target=self._recycle_loop, name="pool-recycler", daemon=True).start()

    def _spawn(self, lane: Lane) -> _Worker:
        with self._fork_lock:
            worker = _Worker(self._task, self._generation, self._start_method, self.fence, lane)
        if worker.network != self.network:
            if not worker.network.startswith(("isolated", "allowed")):
                log.warning("query workers: network %s", worker.network)
            self.network = worker.network
        return worker

    def _recycle_loop(self) -> None:
        next_round = time.monotonic() + self._recycle_every_s
        while not self._closed:
            try:
                worker = self._heavy.get(timeout=max(0.0, next_round - time.monotonic()))
            except queue.Empty:
                worker = None
            if worker is not None:
                if self._closed:
                    worker.kill()
                elif _private_mb(worker.process.pid) > self._recycle_limit():
                    self._replace(worker)
                else:
                    self._release(worker)
            if not self._closed and time.monotonic() >= next_round:
                self.recycle()
                next_round = time.monotonic() + self._recycle_every_s
        while not self._heavy.empty():
            worker = self._heavy.get()
            if worker is not None:
                worker.kill()

    def _recycle_limit(self) -> float:
        """MB of its own a worker may hold before it is replaced by a fresh fork."""
        return max(self.recycle_mb or 0, self.recycle_share * _resident_mb())

    def recycle(self) -> int:
        """Replace idle workers whose own memory grew past ``recycle_mb`` or a quarter of this
        process's resident size, whichever is larger; how many were.

        A worker shares the parent's pages until it writes them, and reading the store writes
        some (a full scan copied about half of it at 10,000 cases), so without this every
        worker drifts towards a private copy of the store. A fresh fork shares it again.
        """
        with self._lock:
            idle = [w for lane in self._idle.values() for w in lane]
        limit = self._recycle_limit()
        grown = [w for w in idle if _private_mb(w.process.pid) > limit]
        replaced = 0
        for worker in grown:
            with self._lock:
                if worker not in self._idle[worker.lane]:
                    continue  # taken by a request meanwhile: look again next time
                self._idle[worker.lane].remove(worker)
            self._replace(worker)
            replaced += 1
        return replaced

    def refresh(self) -> None:
        """Workers forked before now are stale (they hold the old data); replace them on use."""
        self._generation += 1

    def _died(self, worker: _Worker) -> Unavailable:
        worker.process.join(1)
        code = worker.process.exitcode
        if self.fence.memory_mb and code in (-signal.SIGABRT, -signal.SIGKILL, -signal.SIGSEGV):
            return Unavailable(
                f"query stopped: it crossed the memory limit of {self.fence.memory_mb} MB per "
                "query (ECPL_QUERY_MEMORY_MB); narrow it (LIMIT, more specific patterns)"
            )
        return Unavailable(f"the query worker stopped (exit code {code}); try again")

    def _acquire(self, lane: Lane) -> _Worker:
        """An idle worker this lane may use (a known request prefers its reserved ones).

        Requests of a lane are served in the order they came: only the first in line may take
        a worker, and only the first in line is woken. Waking every waiter on each release
        (one shared condition) made every thread of the front take the GIL and go back to
        sleep per request: 31 context switches per request at 64 clients against 10 at 8.
        """
        deadline = time.monotonic() + self.acquire_s
        order = _ORDER[lane]
        turn = threading.Condition(self._lock)
        with self._lock:
            line = self._line[lane]
            line.append(turn)
            try:
                while True:
                    if line[0] is turn:
                        for source in order:
                            if self._idle[source]:
                                return self._idle[source].pop()
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise Busy(
                            "the service is busy: every query worker is taken; "
                            "try again in a moment"
                        )
                    turn.wait(remaining)
            finally:
                line.remove(turn)
                self._wake()  # the next in line may take a worker now

    def _wake(self) -> None:
        """Wake the first request in each line that an idle worker could serve (lock held)."""
        for lane, line in self._line.items():
            if line and any(self._idle[source] for source in _ORDER[lane]):
                line[0].notify()

    def _release(self, worker: _Worker) -> None:
        with self._lock:
            self._idle[worker.lane].append(worker)
            self._wake()

    def _replace(self, worker: _Worker) -> None:
        """Kill ``worker`` and put a fresh one of its lane in its place."""
        worker.kill()
        self._release(self._spawn(worker.lane))

    def run(self, args: Any, timeout_s: float, *, lane: Lane = "user") -> Any:
        """``task(args)`` in a worker of ``lane`` within ``timeout_s``: Busy, Unavailable or
        its error. ``lane="known"`` only for text the service wrote (see the module doc)."""
        worker = self._acquire(lane)
        try:
            if worker.generation != self._generation or not worker.process.is_alive():
                worker.kill()
                worker = self._spawn(worker.lane)
        except BaseException:
            self._release(self._spawn(worker.lane))
            raise
        started = time.monotonic()
        status = "timeout"
        value: Any = None
        long_slot = False
        deadline = started + timeout_s
        spent_before = worker.cpu_s  # an idle worker uses no CPU: this is before the job
        try:
            worker.conn.send(args)
            ready = worker.conn.poll(min(self.long_after_s, timeout_s))
            while not ready and time.monotonic() < deadline:
                # Long means working long: a worker starved of CPU by an overloaded machine
                # has not used its time and is waited for (up to 3 × long_after_s).
                working = _cpu_s(worker.process.pid) - spent_before >= 0.8 * self.long_after_s
                if lane == "known":  # the service's own text: its limit is the deadline
                    ready = worker.conn.poll(max(0.0, deadline - time.monotonic()))
                    break
                if working or time.monotonic() - started >= 3 * self.long_after_s:
                    long_slot = self._long.acquire(blocking=False)
                    if not long_slot:
                        status = "busy"
                        break
                    ready = worker.conn.poll(max(0.0, deadline - time.monotonic()))
                    break
                ready = worker.conn.poll(min(0.25, max(0.0, deadline - time.monotonic())))
            if ready:
                status, value, worker.cpu_s = worker.conn.recv()
        except (EOFError, OSError) as exc:
            status, value = "died", exc
        finally:
            if long_slot:
                self._long.release()
        if status in ("timeout", "died", "busy", "memory"):
            failure = self._died(worker) if status == "died" else None
            self._replace(worker)
            if failure is not None:
                raise failure
            if status == "memory":
                raise Unavailable(
                    f"query stopped: it crossed the memory limit of {self.fence.memory_mb} MB "
                    "per query (ECPL_QUERY_MEMORY_MB); narrow it (LIMIT, more specific patterns)"
                )
            if status == "busy":
                raise Busy(
                    "query stopped after "
                    f"{self.long_after_s:g} s: the service is already running as many long "
                    "queries as it allows; try again in a moment or narrow the query"
                )
            log.warning(
                "query stopped after %.1f s (limit %g s)", time.monotonic() - started, timeout_s
            )
            raise Unavailable(
                f"query stopped: it ran past the time limit of {timeout_s:g} s; "
                "narrow it (LIMIT, more specific patterns) or ask the operator for a longer limit"
            )
        if self.recycle_mb and worker.cpu_s - spent_before >= HEAVY_CPU_S:
            self._heavy.put(worker)  # a scan may have copied the store: replaced if it grew
        else:
            self._release(worker)
        if status == "error":
            assert isinstance(value, BaseException)
            raise value
        if status == "bug":
            log.error("error inside a query worker:\n%s", value)
            raise WorkerFault(
                "an unexpected error occurred in the query worker; it has been logged"
            )
        return value

    def close(self) -> None:
        self._closed = True
        self._heavy.put(None)  # the recycler wakes, kills what it holds and ends
        with self._lock:
            idle = [w for lane in self._idle.values() for w in lane]
            for lane in self._idle.values():
                lane.clear()
        for worker in idle:
            worker.kill()
