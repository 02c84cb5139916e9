"""Untrusted graphs under limits: parse and validate each upload in a killable, capped process.

Parsing (rdflib's RDF/XML reader is quadratic on some inputs) and validation (pySHACL time
grows with the graph) cannot be interrupted inside a thread, so each job runs in a process
forked for it: past the time limit it is killed (503), past the memory limit its allocations
fail (413), and at most ``slots`` jobs run at once — a request that finds none free within a
moment is told so (503 with Retry-After) instead of queueing. Children run at a lower CPU
priority (nice 10) than the server, so its cheap answers (``/health``, pages) keep their CPU.
Jobs share nothing, so no lock makes one validation wait for another. The parent loads the
shapes and warms pySHACL once before the first fork; every child inherits that copy-on-write.

Used by ``/validate``, the Graph Store writes (``/data``) and ``ecpl load``.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import resource
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import Graph, URIRef
from rdflib.term import Node

from ecpl.config import Settings
from ecpl.errors import EcplError, TooLarge, Unavailable
from ecpl.rdfio import UPLOAD_BASE, check_storable, parse_rdf

if TYPE_CHECKING:  # pyshacl loads only when something is validated
    from ecpl.validation.report import Report

log = logging.getLogger(__name__)

Triple = tuple[Node, Node, Node]
RUNNER_KEY = "ecpl.intake"
# How long an anonymous upload waits for a free slot before it is told the service is busy:
# not at all, so a refused upload gives its server thread back at once.
SLOT_WAIT_S = 0.0


@dataclass(frozen=True)
class Upload:
    """One posted RDF document and what tells its syntax; ``base`` resolves relative IRIs."""

    data: bytes
    media_type: str | None = None
    filename: str | None = None
    syntax: str | None = None  # an ``ecpl.rdfio`` format name (form field, --format)
    base: str = UPLOAD_BASE


@dataclass(frozen=True)
class Limits:
    """What one job may use: input bytes, triples, seconds and megabytes."""

    max_bytes: int
    max_triples: int
    timeout_s: float
    memory_mb: int

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(
            max_bytes=settings.max_upload_bytes,
            max_triples=settings.max_case_triples,
            timeout_s=settings.validation_timeout_s,
            memory_mb=settings.validation_memory_mb,
        )


# -- the jobs (run in the child) -------------------------------------------------------------
def read_case(uploads: Sequence[Upload], limits: Limits) -> Graph:
    """The uploads parsed (hardened reader) and merged, held to the triple cap."""
    graph = Graph()
    for upload in uploads:
        part = parse_rdf(
            upload.data,
            media_type=upload.media_type,
            filename=upload.filename,
            format=upload.syntax,
            max_bytes=limits.max_bytes,
            max_triples=limits.max_triples,
            base=upload.base,
        )
        for triple in part:
            graph.add(triple)
        _check_cap(len(graph), limits)
    return graph


def _check_cap(count: int, limits: Limits) -> None:
    if count > limits.max_triples:
        raise TooLarge(
            f"the case graph has {count:,} triples; the limit is {limits.max_triples:,} triples "
            "(ECPL_MAX_CASE_TRIPLES); a case graph is usually 40-500 triples"
        )


class LabelTable:
    """A report's labeller as plain data, so a report crosses the process boundary."""

    def __init__(self, labels: dict[tuple[str, str], str]) -> None:
        self.labels = labels

    def __call__(self, node: Node, lang: str) -> str:
        from ecpl.validation.report import short

        return self.labels.get((str(node), lang)) or short(str(node))


def portable(report: Report) -> Report:
    """The report with its labeller replaced by the labels of every IRI it mentions."""
    labeller = report.labeller
    if labeller is None or isinstance(labeller, LabelTable):
        return report
    labels = {
        (term, lang): labeller(URIRef(term), lang)
        for term in _strings(report.to_json())
        if ":" in term and not any(c.isspace() for c in term)  # IRIs, not messages
        for lang in ("zh", "en")
    }
    return replace(report, labeller=LabelTable(labels))


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def validate_upload(
    uploads: Sequence[Upload], limits: Limits, validate: Callable[[Graph], Report]
) -> Report:
    """Parse and validate a posted case graph (the ``/validate`` job)."""
    return portable(validate(read_case(uploads, limits)))


def validate_upload_with_graph(
    uploads: Sequence[Upload], limits: Limits, validate: Callable[[Graph], Report]
) -> tuple[Report, list[Triple]]:
    """As :func:`validate_upload`, with the parsed case's triples (the HTML report draws them)."""
    graph = read_case(uploads, limits)
    return portable(validate(graph)), list(graph)


@dataclass(frozen=True)
class PreparedCase:
    """A case graph ready to store: its triples and its findings, every term storable."""

    triples: list[Triple] = field(default_factory=list)
    findings: list[Triple] = field(default_factory=list)
    added: int = 0  # triples the uploads brought (a POST of nothing is refused)


def prepare_case(
    uploads: Sequence[Upload], limits: Limits, existing: Sequence[Triple]
) -> PreparedCase:
    """The Graph Store job: the uploads merged into ``existing`` (empty for a PUT), checked
    against the cap and validated; nothing is stored here."""
    from ecpl.validation import validate

    graph = read_case(uploads, limits)
    added = len(graph)
    if existing:
        for triple in existing:
            graph.add(triple)
        _check_cap(len(graph), limits)
    findings = validate(graph).graph()
    check_storable(findings)
    return PreparedCase(list(graph), list(findings), added)


# -- the runners -----------------------------------------------------------------------------
class InProcess:
    """Runs jobs in the calling thread, without limits: for tests of the HTTP layer."""

    def run(
        self,
        job: Callable[..., Any],
        args: tuple[Any, ...],
        limits: Limits,
        wait_s: float = SLOT_WAIT_S,
    ) -> Any:
        return job(*args)


class Runner:
    """Runs each job in a child forked for it, under the job's time and memory limits."""

    def __init__(self, slots: int, warm: Callable[[], None] | None = None) -> None:
        self._slots = threading.BoundedSemaphore(max(1, slots))
        self._warm = warm
        self._warm_lock = threading.Lock()
        self._warmed = warm is None

    def _warm_up(self) -> None:
        with self._warm_lock:
            if not self._warmed and self._warm is not None:
                self._warm()
                self._warmed = True

    def run(
        self,
        job: Callable[..., Any],
        args: tuple[Any, ...],
        limits: Limits,
        wait_s: float = SLOT_WAIT_S,
    ) -> Any:
        """``job(*args)`` in a child; ``wait_s``: how long to wait for a free slot before the
        answer is 503 "busy" (writers, who hold the update token, may wait a little longer)."""
        if not self._slots.acquire(timeout=wait_s):
            busy = Unavailable(
                "the service is busy validating other uploads; try again in a few seconds"
            )
            busy.headers = {"Retry-After": "5"}  # type: ignore[attr-defined]
            raise busy
        try:
            self._warm_up()
            return _run_child(job, args, limits)
        finally:
            self._slots.release()


def _run_child(job: Callable[..., Any], args: tuple[Any, ...], limits: Limits) -> Any:
    ctx: Any = multiprocessing.get_context("fork")  # the child inherits job and args unpickled
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(send, job, args, limits.memory_mb), daemon=True)
    started = time.monotonic()
    child.start()
    send.close()
    try:
        if receive.poll(limits.timeout_s):
            status, value = receive.recv()
        else:
            status, value = "timeout", None
    except (EOFError, OSError):
        status, value = "died", None
    finally:
        receive.close()
        if status in ("timeout", "died"):
            child.kill()
        child.join(5)
    if status == "ok":
        return value
    if status == "error":
        raise value
    if status == "fault":
        log.error("upload job failed in its worker:\n%s", value)
        raise RuntimeError("an upload job failed in its worker (logged)")
    if status == "timeout":
        log.warning("upload job stopped after %.1f s", time.monotonic() - started)
        raise Unavailable(
            f"parsing and validating the upload ran past the time limit of {limits.timeout_s:g} s"
            " and was stopped; send a smaller case graph (ECPL_VALIDATION_TIMEOUT)"
        )
    raise Unavailable(
        f"the worker handling the upload stopped (exit code {child.exitcode}); the input may "
        f"need more than the {limits.memory_mb} MB allowed (ECPL_VALIDATION_MEMORY_MB)"
    )


def _child(send: Any, job: Callable[..., Any], args: tuple[Any, ...], memory_mb: int) -> None:
    """In the forked child: cap the address space, run the job, send back its outcome."""
    try:
        os.nice(10)  # behind the server's own threads: cheap requests keep their CPU
        _limit_memory(memory_mb)
        _single_threaded()
        reply: tuple[str, Any] = ("ok", job(*args))
    except MemoryError:
        reply = (
            "error",
            TooLarge(
                f"the upload needs more memory than the {memory_mb} MB allowed to parse and "
                "validate it (ECPL_VALIDATION_MEMORY_MB); send a smaller case graph"
            ),
        )
    except EcplError as exc:
        reply = ("error", exc)
    except Exception:  # noqa: BLE001 - the child's last word: the parent reports the fault
        reply = ("fault", traceback.format_exc())
    try:
        send.send(reply)
    except Exception:  # noqa: BLE001 - e.g. a reply that does not pickle: send the fault
        send.send(("fault", traceback.format_exc()))
    finally:
        send.close()
    os._exit(0)  # skip the inherited atexit handlers and finalizers of the parent's objects


def _single_threaded() -> None:
    """The child runs one job on one thread: locks another thread of the parent held at the
    fork stay held forever in the copy, so the validation lock is made afresh; rdflib's
    warning per odd IRI would let an upload fill the server's log, so only errors are logged."""
    engine = sys.modules.get("ecpl.validation.engine")
    if engine is not None:
        engine._lock = threading.Lock()  # type: ignore[attr-defined]
    logging.getLogger("rdflib").setLevel(logging.ERROR)


def _limit_memory(memory_mb: int) -> None:
    """Allow ``memory_mb`` of address space on top of what the fork already maps."""
    mapped = _mapped_bytes()
    if mapped is None:
        return
    limit = mapped + memory_mb * 1024 * 1024
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _mapped_bytes() -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def warm_validation(root: Path) -> Callable[[], None]:
    """Load the shapes and run one validation in this process, so forked children start warm
    (pySHACL parses each SHACL-AF rule on first use, ~4 s in all)."""

    def warm() -> None:
        from ecpl.validation import validate

        example = sorted((root / "data" / "cases").glob("*.ttl"))
        graph = Graph().parse(example[0], format="turtle") if example else Graph()
        validate(graph)  # called as the jobs call it: the same cached resources

    return warm


_runner_lock = threading.Lock()


def runner_for(extensions: dict[str, Any], settings: Settings) -> Runner | InProcess:
    """The app's (or CLI's) runner, created on first use."""
    with _runner_lock:
        found = extensions.get(RUNNER_KEY)
        if found is None:
            found = Runner(settings.validation_workers, warm_validation(settings.root))
            extensions[RUNNER_KEY] = found
        return found
