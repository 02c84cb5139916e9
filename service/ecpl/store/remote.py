"""A remote SPARQL 1.1 Query + Update endpoint as the store (Virtuoso tested).

Several ``ecpl serve`` instances can share one remote store (the scale-out path). Connection
failures become ``Unavailable`` (503) after a short connect timeout, and each request tries
again, so the service recovers by itself when the store comes back. Virtuoso quirks handled:
``typed-literal`` in JSON results, and its row cap (detected as ``truncated``).

Dataset semantics as on the embedded store: the default graph is the RDF merge of the ecpl
graphs, kept in the bookkeeping graph ``MERGE_GRAPH`` (recomputed after every write) and
named as the default graph of every query that names no dataset (the remote's own default
counts a triple held by two graphs twice). A dataset of several default graphs that share
triples cannot be answered right by the remote: 501. Answers are parsed by pyoxigraph (exact
terms) and written by :mod:`ecpl.results`.
"""

from __future__ import annotations

import http.client
import json
import logging
import random
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import requests
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Identifier, Node

from ecpl import iri, results
from ecpl.errors import EcplError, InputError, NotFound, Unavailable
from ecpl.sparql import iri as sparql_iri
from ecpl.sparql.substitute import substitute
from ecpl.store import loader, policy
from ecpl.store.base import (
    DEFAULT,
    Lane,
    Limits,
    QueryResult,
    Row,
    effective_dataset,
    update_dataset,
)
from ecpl.store.terms import graph_node, to_ox, to_rdflib

log = logging.getLogger(__name__)

# Sends of a request the store rolled back as a deadlock victim (SQLSTATE 40001).
DEADLOCK_ATTEMPTS = 6

CONNECT_TIMEOUT_S = 3.0
FINGERPRINT_PREDICATE = "http://purl.org/dc/terms/identifier"
# Triples per INSERT: Virtuoso 7 compiles one into SQL and refuses past 10,000 lines of it
# (SP031), which a few thousand triples reach. Blank nodes must not straddle two requests.
_CHUNK = 500
GRAPH_CACHE_S = 5.0
MERGE_GRAPH = str(iri.META_GRAPH) + "/merge"  # the default graph: merge of the ecpl graphs
NO_GRAPH = str(iri.META_GRAPH) + "/none"  # never written: names an empty default / named set
_PRIVATE = (str(iri.META_GRAPH), MERGE_GRAPH, NO_GRAPH)
_GRAPH_KEYWORD = re.compile(r"\bGRAPH\b", re.IGNORECASE)
# Virtuoso answers with one Link header per named-graph-uri; http.client stops at 100 headers.
http.client._MAXHEADERS = max(http.client._MAXHEADERS, 100_000)  # type: ignore[attr-defined]


class Unreachable(Unavailable):
    """The store is not there now (no connection, or 502/503/504): a load waits for it."""


class NotImplementedByStore(EcplError):
    """A request the remote store cannot answer correctly (501, never a wrong answer)."""

    status = 501


def _term(binding: Mapping[str, str]) -> Identifier:
    kind = binding.get("type")
    value = binding.get("value", "")
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if kind in ("literal", "typed-literal"):
        if binding.get("xml:lang"):
            return Literal(value, lang=binding["xml:lang"])
        datatype = binding.get("datatype")
        if datatype and datatype != "http://www.w3.org/2001/XMLSchema#string":
            return Literal(value, datatype=URIRef(datatype))
        return Literal(value)
    raise Unavailable(f"the remote store returned an unknown term type {kind!r}")


def _graph_name(graph: str) -> str:
    """``graph`` if it can stand inside ``<…>`` in a query; InputError otherwise (no splicing)."""
    if not (sparql_iri.is_absolute(graph) and sparql_iri.is_iri_text(graph)):
        raise InputError(f"graph name {graph!r} is not an absolute IRI")
    return graph


def chunks(
    triples: Sequence[tuple[Node, Node, Node]], size: int
) -> Iterator[list[tuple[Node, Node, Node]]]:
    """``triples`` in requests of about ``size``, every blank node's triples in one request.

    Each INSERT request mints its own blank nodes, so the triples that share a blank node
    (transitively) travel together; a group larger than ``size`` is sent alone.
    """
    parent: dict[Node, Node] = {}

    def root(node: Node) -> Node:
        while parent.get(node, node) != node:
            node = parent[node]
        return node

    for s, _p, o in triples:
        blanks = [t for t in (s, o) if isinstance(t, BNode)]
        for blank in blanks:
            parent.setdefault(blank, blank)
        if len(blanks) == 2:
            parent[root(blanks[0])] = root(blanks[1])
    groups: dict[object, list[tuple[Node, Node, Node]]] = {}
    for index, triple in enumerate(triples):
        first = next((t for t in (triple[0], triple[2]) if isinstance(t, BNode)), None)
        groups.setdefault(root(first) if first is not None else ("plain", index), []).append(triple)
    batch: list[tuple[Node, Node, Node]] = []
    for group in groups.values():
        if batch and len(batch) + len(group) > size:
            yield batch
            batch = []
        batch.extend(group)
    if batch:
        yield batch


class RemoteStore:
    """A store reached over the SPARQL 1.1 Protocol with ``requests``."""

    def __init__(
        self,
        endpoint: str,
        *,
        update_endpoint: str | None = None,
        service_allow_list: Sequence[str] = (),
        row_cap: int | None = 10_000,
        limits: Limits | None = None,
    ) -> None:
        self.limits = limits or Limits()
        self.endpoint = endpoint
        self.update_endpoint = update_endpoint or endpoint
        self.service_allow_list = tuple(service_allow_list)
        self.row_cap = row_cap  # the remote's own cap (Virtuoso ResultSetMaxRows)
        self.session = requests.Session()
        self._graph_cache: tuple[float, list[str]] = (0.0, [])
        self._pending: list[tuple[str, Path]] | None = None  # sources still to load
        self._load_error: str | None = None  # why loading the sources failed for good
        # The source files the store was loaded from, and their digest then (None: never
        # loaded). Updates may write case graphs only, so the sources stay what was loaded: the
        # closure is computed from the files, never from a read-back (a remote caps how many
        # rows one read may page through: Virtuoso's sorted reads stop at 10,000, which one
        # graph of synthetic cases passes). Parsed on first need (see _parsed_sources).
        self._source_files: list[tuple[str, Path]] | None = None
        self._source_digest = ""
        self._sources: ox.Store | None = None

    # -- transport -------------------------------------------------------------------------
    def _post(
        self, url: str, data: dict[str, Any], accept: str, timeout_s: float | None
    ) -> requests.Response:
        """One request; one that the store rolled back as a deadlock victim is sent again.

        Virtuoso answers SQLSTATE 40001 (SR172, "Transaction deadlocked") when two writers
        collide, after rolling the loser's transaction back: nothing of it was applied, so
        sending the same request again is safe and is what the state asks of the client.
        """
        for attempt in range(DEADLOCK_ATTEMPTS):
            try:
                return self._post_once(url, data, accept, timeout_s)
            except Unavailable as exc:
                if "40001" not in str(exc) or attempt == DEADLOCK_ATTEMPTS - 1:
                    raise
                log.info("the SPARQL store rolled back a deadlocked request; sending it again")
                time.sleep(0.05 * 2**attempt + random.uniform(0, 0.05))  # noqa: S311 - jitter
        raise AssertionError("unreachable")  # pragma: no cover

    def _post_once(
        self, url: str, data: dict[str, Any], accept: str, timeout_s: float | None
    ) -> requests.Response:
        params: dict[str, Any] = dict(data)
        if timeout_s is not None:
            params["timeout"] = int(timeout_s * 1000)  # Virtuoso's per-query limit (ms)
        try:
            response = self.session.post(
                url,
                data=params,
                headers={"Accept": accept},
                timeout=(CONNECT_TIMEOUT_S, timeout_s or 300),
            )
        except requests.Timeout:
            raise Unavailable(
                f"query stopped: the store did not answer within {timeout_s:g} s"
                if timeout_s
                else "the store did not answer in time"
            ) from None
        except requests.ConnectionError:
            raise Unreachable(
                f"the SPARQL store at {url} is not reachable; try again later"
            ) from None
        content_type = response.headers.get("Content-Type", "")
        if response.status_code >= 400 and "charset" not in content_type:
            response.encoding = "utf-8"  # Virtuoso's error pages name no charset; they are UTF-8
        if response.status_code in (502, 503, 504):  # starting, overloaded or behind a proxy
            raise Unreachable(
                f"the SPARQL store answered {response.status_code}: {response.text[:300].strip()}"
            )
        if response.status_code >= 500 and "syntax" not in response.text.lower()[:2000]:
            raise Unavailable(
                f"the SPARQL store answered {response.status_code}: {response.text[:300].strip()}"
            )
        if response.status_code >= 400:
            raise InputError(f"the SPARQL store refused the request: {response.text[:500].strip()}")
        return response

    def _has_graph(self, graph: str) -> bool:
        self._load_pending()
        answer = self._select(f"ASK {{ GRAPH <{_graph_name(graph)}> {{ ?s ?p ?o }} }}")
        return bool(answer.boolean)

    def _select(self, sparql: str, timeout_s: float | None = None) -> QueryResult:
        response = self._post(
            self.endpoint, {"query": sparql}, "application/sparql-results+json", timeout_s
        )
        try:
            body = response.json()
        except json.JSONDecodeError:
            raise Unavailable("the SPARQL store did not answer with SPARQL JSON results") from None
        if "boolean" in body:
            return QueryResult("ask", boolean=bool(body["boolean"]))
        names = list(body.get("head", {}).get("vars", []))
        rows: list[Row] = [
            {k: _term(v) for k, v in binding.items()} for binding in body["results"]["bindings"]
        ]
        return QueryResult("select", variables=names, rows=rows)

    # -- Store protocol --------------------------------------------------------------------
    def prepare(self, sparql: str, *, base_iri: str | None = None) -> policy.Prepared:
        return policy.prepare_query(
            sparql, base_iri=base_iri, service_allow_list=self.service_allow_list
        )

    def _shares_triples(self, graphs: Sequence[str]) -> bool:
        for index, first in enumerate(graphs):
            for second in graphs[index + 1 :]:
                ask = f"ASK {{ GRAPH <{first}> {{ ?s ?p ?o }} GRAPH <{second}> {{ ?s ?p ?o }} }}"
                if self._select(ask).boolean:
                    return True
        return False

    def _dataset_params(
        self,
        prepared: policy.Prepared,
        sparql: str,
        default_graphs: Sequence[str] | None,
        named_graphs: Sequence[str] | None,
    ) -> dict[str, Any]:
        """Protocol parameters that make Virtuoso answer on the right dataset.

        Measured on Virtuoso 7: with no dataset its default graph is the bag union of every
        graph; FROM without FROM NAMED leaves GRAPH ranging over every graph; request graphs
        are added to the text's FROM instead of replacing them. So every side of the dataset
        is named explicitly, with ``NO_GRAPH`` for an empty side.
        """
        protocol = bool(default_graphs or named_graphs)
        if protocol and prepared.has_dataset:
            raise NotImplementedByStore(
                "the query names its dataset (FROM / FROM NAMED) and the request does too "
                "(default-graph-uri / named-graph-uri); the remote store would add them up "
                "instead of letting the request's win: give the dataset in one place"
            )
        dataset = effective_dataset(prepared, default_graphs, named_graphs)
        if dataset is None:
            data: dict[str, Any] = {"default-graph-uri": [MERGE_GRAPH]}
            if _GRAPH_KEYWORD.search(sparql):
                data["named-graph-uri"] = self._ecpl_graphs() or [NO_GRAPH]
            return data
        default, named = dataset
        for graph in (*default, *named):
            if graph in _PRIVATE:
                raise InputError(f"graph <{graph}> is not in this store")
        what = ("default-graph-uri", "named-graph-uri") if protocol else ("FROM", "FROM NAMED")
        policy.check_graphs(default, self._has_graph, what=what[0])
        policy.check_graphs(named, self._has_graph, what=what[1])
        if len(default) > 1 and self._shares_triples(default):
            raise NotImplementedByStore(
                "these default graphs share triples, and the remote store would count each "
                "shared triple twice (not an RDF merge); query them one at a time or "
                "use the embedded store"
            )
        data = {}
        if protocol:
            data["default-graph-uri"] = list(default) or [NO_GRAPH]
            data["named-graph-uri"] = list(named) or [NO_GRAPH]
        elif not named:
            data["named-graph-uri"] = [NO_GRAPH]
        return data

    def _ask_remote(
        self,
        sparql: str,
        prepared: policy.Prepared,
        bindings: Mapping[str, Identifier] | None,
        default_graphs: Sequence[str] | None,
        named_graphs: Sequence[str] | None,
        base_iri: str | None,
        timeout_s: float | None,
    ) -> tuple[Any, bool]:
        """The remote's answer parsed by pyoxigraph, and whether the remote cut it."""
        self._load_pending()
        data = self._dataset_params(prepared, prepared.text, default_graphs, named_graphs)
        # the remote engine runs the canonical text the policy judged, never the user's own
        text = substitute(prepared.text, bindings) if bindings else prepared.text
        data["query"] = text
        graph_form = results.kind_of(prepared.form) == "graph"
        accept = (
            "application/n-triples, text/plain;q=0.5"
            if graph_form
            else "application/sparql-results+json"
        )
        response = self._post(self.endpoint, data, accept, timeout_s)
        mimetype = response.headers.get("Content-Type", "").split(";")[0].strip()
        partial = "X-SQL-State" in response.headers or "X-SQL-Message" in response.headers
        try:
            if graph_form:
                fmt = {
                    "text/turtle": ox.RdfFormat.TURTLE,
                    "application/rdf+xml": ox.RdfFormat.RDF_XML,
                }.get(mimetype, ox.RdfFormat.N_TRIPLES)
                quads = list(ox.parse(response.content, format=fmt))
                return [ox.Triple(q.subject, q.predicate, q.object) for q in quads], partial
            body = response.content.replace(b'"typed-literal"', b'"literal"')
            answer = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        except SyntaxError as exc:
            raise Unavailable(
                f"the SPARQL store sent an answer that cannot be read: {exc}"
            ) from None
        if isinstance(answer, ox.QuerySolutions):
            names = [v.value for v in answer.variables]
            rows = [tuple(solution[i] for i in range(len(names))) for solution in answer]
            if self.row_cap is not None and len(rows) >= self.row_cap:
                partial = True
            return (names, rows), partial
        return answer, partial

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Identifier] | None = None,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
        timeout_s: float | object | None = DEFAULT,
        row_limit: int | object | None = DEFAULT,
        lane: Lane = "user",  # one lane: the remote store applies its own limits
    ) -> QueryResult:
        prepared = self.prepare(sparql, base_iri=base_iri)
        answer, partial = self._ask_remote(
            sparql,
            prepared,
            bindings,
            default_graphs,
            named_graphs,
            base_iri,
            self.limits.timeout(timeout_s),
        )
        rows_cap = self.limits.caps(row_limit).rows
        if isinstance(answer, ox.QueryBoolean):
            return QueryResult("ask", boolean=bool(answer))
        if isinstance(answer, tuple):
            names, raw = answer
            rows: list[Row] = [
                {n: to_rdflib(t) for n, t in zip(names, row, strict=True) if t is not None}
                for row in raw
            ]
            truncated = partial
            if rows_cap is not None and len(rows) > rows_cap:
                rows, truncated = rows[:rows_cap], True
            return QueryResult("select", variables=names, rows=rows, truncated=truncated)
        triples: list[tuple[Node, Node, Node]] = [
            (to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)) for t in answer
        ]
        truncated = False
        if rows_cap is not None and len(triples) > rows_cap:
            triples, truncated = triples[:rows_cap], True
        return QueryResult("graph", triples=triples, truncated=truncated)

    def serialise(
        self,
        sparql: str,
        choose: Any,
        *,
        bindings: Mapping[str, Identifier] | None = None,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
        prepared: policy.Prepared | None = None,
        timeout_s: float | object | None = DEFAULT,
        row_limit: int | object | None = DEFAULT,
        lane: Lane = "user",  # one lane: the remote store applies its own limits
    ) -> results.Serialised:
        prepared = prepared or self.prepare(sparql, base_iri=base_iri)
        media_type = choose(results.kind_of(prepared.form))
        answer, partial = self._ask_remote(
            sparql,
            prepared,
            bindings,
            default_graphs,
            named_graphs,
            base_iri,
            self.limits.timeout(timeout_s),
        )
        caps = self.limits.caps(row_limit)
        if isinstance(answer, ox.QueryBoolean):
            return results.write_boolean(bool(answer), media_type)
        if isinstance(answer, tuple):
            written = results.write_solutions(answer[0], answer[1], media_type, caps)
        else:
            written = results.write_triples(answer, media_type, caps)
        if partial and not written.truncated:
            written = results.Serialised(
                written.body,
                written.media_type,
                written.kind,
                "the remote store cut the results (its row cap or time limit)",
            )
        return written

    def update(
        self,
        sparql: str,
        *,
        base_iri: str | None = None,
        using_graphs: Sequence[str] | None = None,
        using_named_graphs: Sequence[str] | None = None,
    ) -> None:
        from ecpl.store.oxigraph import check_update_targets

        prepared = policy.prepare_update(
            sparql, base_iri=base_iri, service_allow_list=self.service_allow_list
        )
        check_update_targets(prepared)
        if update_dataset(prepared, using_graphs, using_named_graphs) is not None:
            raise NotImplementedByStore(
                "using-graph-uri / using-named-graph-uri are not supported with a remote store; "
                "write USING / USING NAMED in the update"
            )
        # the canonical text the policy judged: every IRI in it is already absolute
        self._update(prepared.text)
        self.reinfer()

    def _update(self, sparql: str) -> None:
        self._load_pending()  # a write before the sources are in would be closed over without them
        self._post(self.update_endpoint, {"update": sparql}, "*/*", None)
        self._graph_cache = (0.0, [])

    def _ecpl_graphs(self) -> list[str]:
        """The ecpl named graphs, cached for a few seconds (writes here clear the cache)."""
        stamp, cached = self._graph_cache
        if time.monotonic() - stamp > GRAPH_CACHE_S:
            cached = [g for g in self.graphs() if g.startswith(str(iri.GRAPH))]
            self._graph_cache = (time.monotonic(), cached)
        return cached

    def graphs(self) -> list[str]:
        self._load_pending()
        result = self._select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(
            str(row["g"])
            for row in result.rows
            if isinstance(row.get("g"), URIRef) and str(row["g"]) not in _PRIVATE
        )

    def get_graph(self, iri_: str) -> Graph:
        if not self._has_graph(iri_):
            raise NotFound(f"no graph <{iri_}> in the store")
        result = self._select(
            f"SELECT ?s ?p ?o WHERE {{ GRAPH <{_graph_name(iri_)}> {{ ?s ?p ?o }} }}"
        )
        graph = Graph()
        for row in result.rows:
            graph.add((row["s"], row["p"], row["o"]))
        return graph

    def _insert(self, iri_: str, triples: Sequence[tuple[Node, Node, Node]]) -> None:
        for chunk in chunks(triples, _CHUNK):
            body = "\n".join(f"{s.n3()} {p.n3()} {o.n3()} ." for s, p, o in chunk)
            # INSERT … WHERE {} rather than INSERT DATA: Virtuoso refuses blank nodes in DATA.
            self._update(f"INSERT {{ GRAPH <{_graph_name(iri_)}> {{\n{body}\n}} }} WHERE {{}}")

    def put_graph(self, iri_: str, graph: Graph) -> None:
        self._update(f"DROP SILENT GRAPH <{_graph_name(iri_)}>")
        self._insert(iri_, list(graph))
        self.reinfer()

    def add_graph(self, iri_: str, graph: Graph) -> None:
        self._insert(iri_, list(graph))
        self.reinfer()

    def delete_graph(self, iri_: str) -> None:
        if not self._has_graph(iri_):
            raise NotFound(f"no graph <{iri_}> in the store")
        self._update(f"DROP SILENT GRAPH <{_graph_name(iri_)}>")
        self.reinfer()

    def triple_count(self, graph: str | None = None) -> int:
        """Distinct triples in the default graph (the merge graph), or in one named graph."""
        self._load_pending()
        where = f"GRAPH <{_graph_name(graph) if graph else MERGE_GRAPH}> {{ ?s ?p ?o }}"
        result = self._select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")
        return int(result.rows[0]["n"]) if result.rows else 0

    def close(self) -> None:
        self.session.close()

    # -- loading and inference -------------------------------------------------------------
    def _asserted(self) -> Iterator[ox.Quad]:
        """Every asserted quad of the ecpl graphs: the sources held here, the rest read back.

        Virtuoso caps a result at 10,000 rows and refuses a sorted page whose offset plus
        length passes 10,000 (SR353), so a whole-store ORDER BY … OFFSET fails once the store
        holds more: each graph read back is read on its own, in sorted pages only when it is
        that big. A stored case graph is far smaller; a larger one is refused with SR353.
        """
        hidden = {str(iri.INFERRED_GRAPH), str(iri.META_GRAPH), MERGE_GRAPH}
        sources = self._parsed_sources()
        if sources is not None:
            yield from sources
        listed = self._select(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
            f'FILTER(STRSTARTS(STR(?g), "{iri.GRAPH}")) }}'
        )
        for graph in sorted(str(row["g"]) for row in listed.rows):
            if graph in hidden or (sources is not None and loader.is_loaded_graph(graph)):
                continue
            name = _graph_name(graph)
            offset, page = 0, 5000  # offset + page stays within Virtuoso's 10,000
            while True:
                result = self._select(
                    f"SELECT ?s ?p ?o WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }} "
                    f"ORDER BY ?s ?p ?o LIMIT {page} OFFSET {offset}"
                )
                node = graph_node(graph)
                for row in result.rows:
                    s_, p_, o_ = (to_ox(row[k]) for k in ("s", "p", "o"))
                    yield ox.Quad(s_, p_, o_, node)  # type: ignore[arg-type]
                if len(result.rows) < page:
                    break
                offset += page

    def reinfer(self) -> int:
        """Recompute ``graph/inferred``: the closure is computed here, then written back.

        Remote engines differ in property-path support (Virtuoso refuses some unbounded
        paths), so the rules run on a local pyoxigraph copy of the asserted triples, loaded as
        the embedded store loads its sources (the same closure on both backends).
        """
        from ecpl.store.oxigraph import OxigraphStore

        inferred_graph = str(iri.INFERRED_GRAPH)
        local = OxigraphStore(None, workers=1)
        local.raw.extend(self._asserted())
        local.rebuild_default()
        local.reinfer()
        inferred = sorted(  # blank nodes would be fresh nodes over there: keep IRIs and literals
            (to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object))
            for q in local.raw.quads_for_pattern(None, None, None, graph_node(inferred_graph))
            if not any(isinstance(t, ox.BlankNode) for t in (q.subject, q.object))
        )
        local.close()
        self._update(f"DROP SILENT GRAPH <{inferred_graph}>")
        self._insert(inferred_graph, inferred)
        self.remerge()
        return len(inferred)

    def remerge(self) -> None:
        """Bring ``MERGE_GRAPH`` up to date: every distinct triple of the ecpl graphs, once.

        Adds what is missing, then removes what no ecpl graph holds any more: the merge graph
        is never empty in between (a query meanwhile still sees the right default graph).
        """
        ecpl_graph = (
            f'STRSTARTS(STR(?g), "{iri.GRAPH}") && ?g != <{iri.META_GRAPH}> '
            f"&& ?g != <{MERGE_GRAPH}> && ?g != <{NO_GRAPH}>"
        )
        self._update(
            f"INSERT {{ GRAPH <{MERGE_GRAPH}> {{ ?s ?p ?o }} }} WHERE {{ "
            f"SELECT DISTINCT ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER({ecpl_graph}) "
            f"FILTER NOT EXISTS {{ GRAPH <{MERGE_GRAPH}> {{ ?s ?p ?o }} }} }} }}"
        )
        self._update(
            f"DELETE {{ GRAPH <{MERGE_GRAPH}> {{ ?s ?p ?o }} }} WHERE {{ "
            f"GRAPH <{MERGE_GRAPH}> {{ ?s ?p ?o }} "
            f"FILTER NOT EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} FILTER({ecpl_graph}) }} }}"
        )

    def load_when_reachable(self, files: list[tuple[str, Path]]) -> None:
        """Load the sources now, or, if the store is down, at the first request that reaches it.

        So ``ecpl serve`` starts (and answers 503 with a message) while the store is down and
        recovers by itself when it comes back. A load that the store refuses is no outage: it
        fails here, at start, with the store's reason.
        """
        self._pending = files
        try:
            self._load_pending()
        except Unreachable as exc:
            log.warning("remote store not reachable at start (%s); will load when it is", exc)

    def _load_pending(self) -> None:
        """Load the sources if they still wait for the store; every query and read calls this.

        A store that was unreachable is tried again by the next request. A load that failed
        otherwise is not retried per request (it would fail the same way, slowly): every
        request answers 503 with the reason until the service is restarted.
        """
        if self._load_error is not None:
            raise Unavailable(
                f"{self._load_error}; restart the service once the store can take them"
            )
        files, self._pending = self._pending, None
        if files is None:
            return
        try:
            self.ensure_loaded(files)
        except Unreachable:
            self._pending = files  # try again on the next request
            raise
        except EcplError as exc:
            self._load_error = f"loading the sources into the SPARQL store failed: {exc}"
            raise type(exc)(self._load_error) from None

    def ensure_loaded(self, files: list[tuple[str, Path]]) -> None:
        """Load the source graphs unless the store already holds this fingerprint.

        A store that holds them is not read and the files are not parsed: each of
        ``--workers`` serving processes checks the fingerprint as it starts, and only one that
        writes parses the files (about 3 s and 150 MB at 10,000 synthetic cases).
        """
        digest = loader.fingerprint(files)
        self._source_files, self._source_digest, self._sources = files, digest, None
        marker = str(iri.META_GRAPH)
        stamp = f'<{marker}> <{FINGERPRINT_PREDICATE}> "{digest}"'
        if self._select(f"ASK {{ GRAPH <{marker}> {{ {stamp} }} }}").boolean:
            return
        sources = self._parse(files, digest)
        for graph in self.graphs():
            if loader.is_loaded_graph(graph):
                self._update(f"DROP SILENT GRAPH <{graph}>")
        for name in sources.named_graphs():
            self._insert(
                str(name.value),
                [
                    (to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object))
                    for q in sources.quads_for_pattern(None, None, None, name)
                ],
            )
        self.reinfer()
        self._update(f"DROP SILENT GRAPH <{marker}>")
        self._update(f"INSERT DATA {{ GRAPH <{marker}> {{ {stamp} }} }}")

    def _parsed_sources(self) -> ox.Store | None:
        """The source graphs the store was loaded from, parsed here once (None: never loaded)."""
        if self._sources is None and self._source_files is not None:
            self._parse(self._source_files, self._source_digest)
        return self._sources

    def _parse(self, files: list[tuple[str, Path]], digest: str) -> ox.Store:
        """Parse ``files``; refused if they no longer have ``digest`` (the closure would be
        computed from text the store does not hold)."""
        if loader.fingerprint(files) != digest:
            raise Unavailable(
                "the source files changed since the service loaded them; restart the service"
            )
        sources = ox.Store()
        try:
            loader.load_sources(sources, files)
        except ValueError as exc:  # a source file that is not Turtle
            raise InputError(str(exc)) from None
        self._sources = sources
        return sources
