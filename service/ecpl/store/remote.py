"""A remote SPARQL 1.1 Query + Update endpoint as the store (Virtuoso tested).

Several ``ecpl serve`` instances can share one remote store (the scale-out path). Connection
failures become ``Unavailable`` (503) after a short connect timeout, and each request tries
again, so the service recovers by itself when the store comes back. Virtuoso quirks handled:
``typed-literal`` in JSON results, and its row cap (detected as ``truncated``).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import requests
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Identifier, Node

from ecpl import iri, queries
from ecpl.errors import InputError, NotFound, Unavailable
from ecpl.store import inference, loader, policy
from ecpl.store.base import QueryResult, Row

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 3.0
FINGERPRINT_PREDICATE = "http://purl.org/dc/terms/identifier"
_CHUNK = 2000  # triples per INSERT DATA request


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


class RemoteStore:
    """A store reached over the SPARQL 1.1 Protocol with ``requests``."""

    def __init__(
        self,
        endpoint: str,
        *,
        update_endpoint: str | None = None,
        service_allow_list: Sequence[str] = (),
        row_cap: int | None = 10_000,
    ) -> None:
        self.endpoint = endpoint
        self.update_endpoint = update_endpoint or endpoint
        self.service_allow_list = tuple(service_allow_list)
        self.row_cap = row_cap  # the remote's own cap (Virtuoso ResultSetMaxRows)
        self.session = requests.Session()

    # -- transport -------------------------------------------------------------------------
    def _post(
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
            raise Unavailable(
                f"the SPARQL store at {url} is not reachable; try again later"
            ) from None
        if response.status_code >= 500 and "syntax" not in response.text.lower()[:2000]:
            raise Unavailable(
                f"the SPARQL store answered {response.status_code}: {response.text[:300].strip()}"
            )
        if response.status_code >= 400:
            raise InputError(f"the SPARQL store refused the request: {response.text[:500].strip()}")
        return response

    def _has_graph(self, graph: str) -> bool:
        answer = self._select(f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
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
    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Identifier] | None = None,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        timeout_s: float | None = None,
        row_limit: int | None = None,
    ) -> QueryResult:
        policy.check(sparql, has_graph=self._has_graph, service_allow_list=self.service_allow_list)
        policy.check_graphs(default_graphs or (), self._has_graph, what="default-graph-uri")
        policy.check_graphs(named_graphs or (), self._has_graph, what="named-graph-uri")
        text = queries.with_values(sparql, dict(bindings)) if bindings else sparql
        data: dict[str, Any] = {"query": text}
        if default_graphs:
            data["default-graph-uri"] = list(default_graphs)
        if named_graphs:
            data["named-graph-uri"] = list(named_graphs)
        accept = "application/sparql-results+json, application/n-triples;q=0.9, text/plain;q=0.5"
        response = self._post(self.endpoint, data, accept, timeout_s)
        mimetype = response.headers.get("Content-Type", "").split(";")[0].strip()
        if "json" in mimetype and "ld+json" not in mimetype:
            body = response.json()
            if "boolean" in body:
                return QueryResult("ask", boolean=bool(body["boolean"]))
            names = list(body.get("head", {}).get("vars", []))
            raw = body.get("results", {}).get("bindings", [])
            rows: list[Row] = [{k: _term(v) for k, v in b.items()} for b in raw]
            truncated = self.row_cap is not None and len(rows) >= self.row_cap
            if row_limit is not None and len(rows) > row_limit:
                rows, truncated = rows[:row_limit], True
            return QueryResult("select", variables=names, rows=rows, truncated=truncated)
        graph = Graph()
        fmt = {"text/turtle": "turtle", "application/rdf+xml": "xml"}.get(mimetype, "nt")
        graph.parse(data=response.content, format=fmt)
        triples: list[tuple[Node, Node, Node]] = list(graph)
        truncated = False
        if row_limit is not None and len(triples) > row_limit:
            triples, truncated = triples[:row_limit], True
        return QueryResult("graph", triples=triples, truncated=truncated)

    def update(self, sparql: str) -> None:
        policy.check(
            sparql,
            has_graph=lambda _: True,
            service_allow_list=self.service_allow_list,
            update=True,
        )
        self._update(sparql)
        self.reinfer()

    def _update(self, sparql: str) -> None:
        self._post(self.update_endpoint, {"update": sparql}, "*/*", None)

    def graphs(self) -> list[str]:
        result = self._select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(str(row["g"]) for row in result.rows if isinstance(row.get("g"), URIRef))

    def get_graph(self, iri_: str) -> Graph:
        if not self._has_graph(iri_):
            raise NotFound(f"no graph <{iri_}> in the store")
        result = self._select(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{iri_}> {{ ?s ?p ?o }} }}")
        graph = Graph()
        for row in result.rows:
            graph.add((row["s"], row["p"], row["o"]))
        return graph

    def _insert(self, iri_: str, triples: list[tuple[Node, Node, Node]]) -> None:
        for start in range(0, len(triples), _CHUNK):
            chunk = triples[start : start + _CHUNK]
            body = "\n".join(f"{s.n3()} {p.n3()} {o.n3()} ." for s, p, o in chunk)
            self._update(f"INSERT DATA {{ GRAPH <{iri_}> {{\n{body}\n}} }}")

    def put_graph(self, iri_: str, graph: Graph) -> None:
        self._update(f"DROP SILENT GRAPH <{iri_}>")
        self._insert(iri_, list(graph))
        self.reinfer()

    def add_graph(self, iri_: str, graph: Graph) -> None:
        self._insert(iri_, list(graph))
        self.reinfer()

    def delete_graph(self, iri_: str) -> None:
        if not self._has_graph(iri_):
            raise NotFound(f"no graph <{iri_}> in the store")
        self._update(f"DROP GRAPH <{iri_}>")
        self.reinfer()

    def triple_count(self, graph: str | None = None) -> int:
        where = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "GRAPH ?g { ?s ?p ?o }"
        result = self._select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")
        return int(result.rows[0]["n"]) if result.rows else 0

    def close(self) -> None:
        self.session.close()

    # -- loading and inference -------------------------------------------------------------
    def reinfer(self) -> int:
        """Recompute ``graph/inferred`` over the union of the other named graphs."""
        target = str(iri.INFERRED_GRAPH)
        self._update(f"DROP SILENT GRAPH <{target}>")
        seen: set[tuple[Node, Node, Node]] = set()

        def construct(query: str) -> list[tuple[Node, Node, Node]]:
            # Name the graphs explicitly: Virtuoso's default graph is not always the union.
            where = query.split("WHERE", 1)
            select = "SELECT DISTINCT * WHERE { GRAPH ?g_any " + where[1].strip()[:-1] + "}}"
            _ = select
            graph = Graph()
            response = self._post(
                self.endpoint, {"query": query}, "application/n-triples, text/plain;q=0.9", None
            )
            graph.parse(data=response.content, format="nt")
            return list(graph)

        def contains(triple: tuple[Node, Node, Node]) -> bool:
            return triple in seen

        def add(triples: set[tuple[Node, Node, Node]]) -> None:
            seen.update(triples)
            self._insert(target, sorted(triples))

        return inference.materialise(construct, contains, add)

    def ensure_loaded(self, files: list[tuple[str, Path]]) -> None:
        """Load the source graphs unless the store already holds this fingerprint."""
        digest = loader.fingerprint(files)
        marker = str(iri.GRAPH) + "meta"
        _ = hashlib
        check = self._select(
            f'ASK {{ GRAPH <{marker}> {{ <{marker}> <{FINGERPRINT_PREDICATE}> "{digest}" }} }}'
        )
        if check.boolean:
            return
        for graph in self.graphs():
            if loader.is_loaded_graph(graph):
                self._update(f"DROP SILENT GRAPH <{graph}>")
        for graph_iri, path in files:
            parsed = Graph()
            parsed.parse(path, format="turtle")
            self._insert(graph_iri, list(parsed))
        self.reinfer()
        stamp = f'<{marker}> <{FINGERPRINT_PREDICATE}> "{digest}"'
        self._update(f"INSERT DATA {{ GRAPH <{marker}> {{ {stamp} }} }}")
