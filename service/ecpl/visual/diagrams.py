"""The ontology as diagrams, generated from the graph (never drawn by hand).

:func:`platform_terms` lays out each law's names for the platform (``ecpl:termOf``,
``ecpl:namesPlatform``) in one column per law, higher terms above the terms they include, with
the asserted relations between them (``rdfs:subClassOf`` and ``skos:closeMatch``) labelled with
the basis their axiom annotation gives (``ecpl:groundedAs`` statutory definition or accepted
reading, ``ecpl:legalBasis``). :func:`duties_by_phase` lays out the duties (``ecpl:Duty``) in
their phase (``ecpl:phase``) with bearers and legal bases, under the obligation they are part
of. Both read an rdflib graph of the ontology modules (what ``/ontology`` documents) and return a
:class:`Diagram` that ``linkeddata/_diagram.html`` draws as inline SVG; every node links to its
page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, URIRef
from rdflib.term import Node

from ecpl.iri import ECPL, LAW, LAW_KEYS
from ecpl.validation.report import citation
from ecpl.visual.text import wrap

Linker = Callable[[str], str]

NODE_W = 168
GAP_X = 18
GAP_Y = 56
LINE_H = 15
PAD = 8
HEAD_H = 40


@dataclass(frozen=True)
class Text:
    text: str
    lang: str | None = None
    cls: str = ""


@dataclass
class DiagramNode:
    iri: str
    href: str
    lines: list[Text]
    cls: str = ""
    x: float = 0
    y: float = 0
    w: float = NODE_W
    data: dict[str, str] = field(default_factory=dict)

    @property
    def h(self) -> float:
        return 2 * PAD + LINE_H * len(self.lines)


@dataclass(frozen=True)
class DiagramEdge:
    d: str  # SVG path data
    cls: str
    label: list[Text]
    label_x: float
    label_y: float
    href: str | None
    title: str
    data: dict[str, str]


@dataclass(frozen=True)
class Heading:
    x: float
    y: float
    lines: list[Text]
    href: str | None = None
    w: float = 0
    h: float = 0


@dataclass
class Diagram:
    key: str
    title: list[Text]
    width: float
    height: float
    nodes: list[DiagramNode]
    edges: list[DiagramEdge]
    headings: list[Heading]


def _label(graph: Graph, node: Node, lang: str) -> str:
    for prop in (SKOS.prefLabel, RDFS.label):
        for value in graph.objects(node, prop):
            if isinstance(value, Literal) and value.language == lang:
                return str(value)
    text = str(node)
    return text.split("#", 1)[-1].rsplit("/", 1)[-1]


def _lines(
    text: str, lang: str | None, cls: str = "", width: float = NODE_W - 2 * PAD
) -> list[Text]:
    return [Text(t, lang, cls) for t in wrap(text, width)]


def _axiom(graph: Graph, source: Node, prop: URIRef, target: Node) -> tuple[Node | None, list[str]]:
    """The ground kind and legal bases the axiom annotation gives a relation (either way round
    for the symmetric skos:closeMatch)."""
    pairs = [(source, target)] + ([(target, source)] if prop == SKOS.closeMatch else [])
    for a, b in pairs:
        for axiom in graph.subjects(OWL.annotatedSource, a):
            if (axiom, OWL.annotatedProperty, prop) in graph and (
                axiom,
                OWL.annotatedTarget,
                b,
            ) in graph:
                ground = graph.value(axiom, ECPL.groundedAs)
                bases = sorted(str(x) for x in graph.objects(axiom, ECPL.legalBasis))
                return ground, bases
    return None, []


def _law_order(law: Node) -> int:
    text = str(law)
    key = text[len(str(LAW)) :] if text.startswith(str(LAW)) else text
    return LAW_KEYS.index(key) if key in LAW_KEYS else len(LAW_KEYS)


def _platform_term_iris(graph: Graph) -> tuple[set[URIRef], list[URIRef]]:
    """The laws' names for the platform, and with them the project's terms they relate to."""
    terms = {c for c in graph.subjects(ECPL.namesPlatform, Literal(True)) if isinstance(c, URIRef)}
    related: set[URIRef] = set()
    for term in terms:  # the project's own terms they are related to (e.g. the ECL's operator)
        for prop in (RDFS.subClassOf, SKOS.closeMatch):
            for other in graph.objects(term, prop):
                if isinstance(other, URIRef) and other.startswith(str(ECPL)):
                    related.add(other)
    return terms, sorted(terms | related, key=str)


def _where_line(graph: Graph, node: URIRef) -> Text | None:
    """Where a term is defined, else (up to two) where it is used."""
    defined = sorted(str(p) for p in graph.objects(node, ECPL.definedIn))
    if defined:
        return Text("定义 def. " + ", ".join(citation(p) for p in defined), None, "where")
    used = sorted(str(p) for p in graph.objects(node, ECPL.usedIn))
    if not used:
        return None
    more = f" +{len(used) - 2}" if len(used) > 2 else ""
    return Text("用于 used " + ", ".join(citation(p) for p in used[:2]) + more, None, "where")


def _term_lines(graph: Graph, node: URIRef, laws: list[Node]) -> list[Text]:
    """A term's box: its statutory words (or label), English label, laws, where it stands."""
    statutory = graph.value(node, ECPL.statutoryTerm)
    lines = _lines(str(statutory) if statutory else _label(graph, node, "zh"), "zh", "term")
    lines += _lines(_label(graph, node, "en"), "en")
    lines.append(Text(" · ".join(citation(str(lw)) for lw in laws), None, "laws"))
    where = _where_line(graph, node)
    if where is not None:
        lines.append(where)
    return lines


def _term_edges(
    graph: Graph, nodes_iris: list[URIRef], nodes: dict[URIRef, DiagramNode], link: Linker
) -> list[DiagramEdge]:
    """subClassOf and closeMatch between the drawn terms (one line for a symmetric pair)."""
    edges: list[DiagramEdge] = []
    for node in nodes_iris:
        for prop, cls in ((RDFS.subClassOf, "subClassOf"), (SKOS.closeMatch, "closeMatch")):
            for other in sorted(graph.objects(node, prop), key=str):
                if other not in nodes or node not in nodes:
                    continue
                symmetric = (other, SKOS.closeMatch, node) in graph
                if prop == SKOS.closeMatch and str(other) < str(node) and symmetric:
                    continue  # one line for a symmetric pair
                target = URIRef(str(other))
                nth = sum(1 for e in edges if e.data["source"] == str(node))
                edges.append(
                    _term_edge(graph, nodes[node], nodes[target], node, prop, other, cls, link, nth)
                )
    return edges


def platform_terms(graph: Graph, link: Linker) -> Diagram:
    """Each law's names for the platform, how they relate and on which basis.

    One column per law (the first law that uses a term), one row per depth in the
    subclass order among the drawn terms.
    """
    terms, nodes_iris = _platform_term_iris(graph)
    parents = {
        n: [p for p in graph.objects(n, RDFS.subClassOf) if p in nodes_iris] for n in nodes_iris
    }

    def rank(node: URIRef, seen: frozenset[URIRef] = frozenset()) -> int:
        if node in seen:
            return 0
        return max((1 + rank(p, seen | {node}) for p in parents[node]), default=0)  # type: ignore[arg-type]

    def laws_of(node: URIRef) -> list[Node]:
        return sorted(graph.objects(node, ECPL.termOf), key=_law_order)

    all_laws = sorted({law for n in nodes_iris for law in laws_of(n)[:1]}, key=_law_order)
    cells: dict[tuple[Node, int], list[URIRef]] = {}
    for node in nodes_iris:
        laws = laws_of(node)
        if laws:
            cells.setdefault((laws[0], rank(node)), []).append(node)
    max_rank = max((r for _law, r in cells), default=0)

    nodes: dict[URIRef, DiagramNode] = {}
    headings: list[Heading] = []
    x = float(GAP_X)
    row_h: dict[int, float] = {}
    for law in all_laws:
        width = max(len(v) for (lw, _r), v in cells.items() if lw == law)
        col_w = width * NODE_W + (width - 1) * GAP_X
        head = [
            Text(citation(str(law), "zh"), "zh", "law-head"),
            Text(citation(str(law), "en"), "en", "law-head"),
        ]
        headings.append(Heading(x, 18, head, link(str(law)), col_w))
        for r in range(max_rank + 1):
            for i, node in enumerate(sorted(cells.get((law, r), []), key=str)):
                laws = laws_of(node)
                cls = "node platform" if node in terms else "node"
                lines = _term_lines(graph, node, laws)
                dn = DiagramNode(str(node), link(str(node)), lines, cls, x + i * (NODE_W + GAP_X))
                dn.data = {
                    "term": str(node),
                    "laws": " ".join(str(lw) for lw in laws),
                    "rank": str(r),
                }
                nodes[node] = dn
                row_h[r] = max(row_h.get(r, 0.0), dn.h)
        x += col_w + GAP_X * 2
    y = float(HEAD_H + 20)
    row_y: dict[int, float] = {}
    for r in range(max_rank + 1):
        row_y[r] = y
        y += row_h.get(r, 40.0) + GAP_Y
    for node, dn in nodes.items():
        dn.y = row_y[rank(node)]
    return Diagram(
        key="platform-terms",
        title=[
            Text("各法对平台的称谓及其关系", "zh"),
            Text("The platform's names across the laws, and how they relate", "en"),
        ],
        width=x,
        height=y,
        nodes=list(nodes.values()),
        edges=_term_edges(graph, nodes_iris, nodes, link),
        headings=headings,
    )


def _term_edge(
    graph: Graph,
    a: DiagramNode,
    b: DiagramNode,
    source: Node,
    prop: URIRef,
    target: Node,
    cls: str,
    link: Linker,
    nth: int = 0,
) -> DiagramEdge:
    """One relation as a curve, its label along it (further along for a term's later edges, so
    labels of edges leaving one box do not overlap)."""
    ground, bases = _axiom(graph, source, prop, target)
    reading = ground == ECPL.AcceptedReading
    if cls == "subClassOf":  # child's top to parent's bottom
        x1, y1 = a.x + a.w / 2, a.y
        x2, y2 = b.x + b.w / 2, b.y + b.h
        d = f"M{x1},{y1} C{x1},{y1 - GAP_Y / 2} {x2},{y2 + GAP_Y / 2} {x2},{y2}"
        relation = [Text("属于 is a", None, "rel")]
    else:  # side to side
        left, right = (a, b) if a.x <= b.x else (b, a)
        x1, y1 = left.x + left.w, left.y + left.h / 2
        x2, y2 = right.x, right.y + right.h / 2
        d = f"M{x1},{y1} C{(x1 + x2) / 2},{y1} {(x1 + x2) / 2},{y2} {x2},{y2}"
        relation = [Text("相近 close match", None, "rel")]
    if ground is not None:
        kind = "通行解释 reading" if reading else "法定定义 statute"
        relation.append(Text(kind, None, "ground reading" if reading else "ground statute"))
    if bases:
        relation.append(
            Text(
                "§ " + ", ".join(citation(x) for x in bases[:2]) + (" …" if len(bases) > 2 else ""),
                None,
                "basis",
            )
        )
    title = f"{source} {cls} {target}" + (
        f" · {', '.join(citation(x) for x in bases)}" if bases else ""
    )
    return DiagramEdge(
        d=d,
        cls=f"edge {cls}" + (" reading" if reading else ""),
        label=relation,
        # near the source end: edges into the same term would otherwise label one spot
        label_x=x1 + (x2 - x1) * (0.12 + 0.33 * nth) + 4,
        label_y=y1 + (y2 - y1) * (0.12 + 0.33 * nth) - (30 if cls == "subClassOf" else 8),
        href=link(bases[0]) if bases else None,
        title=title,
        data={
            "source": str(source),
            "target": str(target),
            "relation": cls,
            "ground": str(ground) if ground is not None else "",
            "bases": " ".join(bases),
        },
    )


def duties_by_phase(graph: Graph, link: Linker) -> Diagram:
    """The duties in their phase (ex ante, in process, ex post), with bearers and bases."""
    phases = sorted(
        graph.subjects(RDF.type, ECPL.DutyPhase),
        key=lambda p: (
            ["ExAnte", "InProcess", "ExPost"].index(str(p).split("#")[-1])
            if str(p).split("#")[-1] in ("ExAnte", "InProcess", "ExPost")
            else 9
        ),
    )
    duties = sorted(
        (d for d in graph.subjects(RDF.type, ECPL.Duty) if isinstance(d, URIRef)), key=str
    )
    duty_w = NODE_W + 50
    col_w = duty_w + 40
    nodes: list[DiagramNode] = []
    headings: list[Heading] = []
    obligations = sorted(
        {o for d in duties for o in graph.objects(d, ECPL.partOfObligation)}, key=str
    )
    top = float(HEAD_H)
    ob_nodes: dict[Node, DiagramNode] = {}
    total_w = GAP_X + len(phases) * (col_w + GAP_X)
    for ob in obligations:
        lines = _lines(_label(graph, ob, "zh"), "zh", "term", total_w - 4 * GAP_X) + _lines(
            _label(graph, ob, "en"), "en", "", total_w - 4 * GAP_X
        )
        node = DiagramNode(
            str(ob), link(str(ob)), lines, "node obligation", GAP_X, top, total_w - 2 * GAP_X
        )
        node.data = {"duty": str(ob), "phase": ""}
        ob_nodes[ob] = node
        nodes.append(node)
        top += node.h + 10
    top += 30
    bottom = top
    edges: list[DiagramEdge] = []
    for col, phase in enumerate(phases):
        x = GAP_X + col * (col_w + GAP_X)
        headings.append(
            Heading(
                x,
                top,
                [
                    Text(_label(graph, phase, "zh"), "zh", "law-head"),
                    Text(_label(graph, phase, "en"), "en", "law-head"),
                ],
                link(str(phase)),
                col_w,
            )
        )
        y = top + HEAD_H
        for duty in duties:
            if (duty, ECPL.phase, phase) not in graph:
                continue
            inner = duty_w - 2 * PAD
            lines = _lines(_label(graph, duty, "zh"), "zh", "term", inner)
            lines += _lines(_label(graph, duty, "en"), "en", "", inner)
            bearers = sorted(graph.objects(duty, ECPL.bearer), key=str)
            if bearers:
                zh = "义务人：" + "、".join(_label(graph, b, "zh") for b in bearers)
                en = "bearer: " + ", ".join(_label(graph, b, "en") for b in bearers)
                lines += _lines(zh, "zh", "where", inner) + _lines(en, "en", "where", inner)
            bases = sorted(str(b) for b in graph.objects(duty, ECPL.legalBasis))
            if bases:
                lines += _lines("§ " + ", ".join(citation(b) for b in bases), None, "basis", inner)
            node = DiagramNode(str(duty), link(str(duty)), lines, "node duty", x + 20, y, duty_w)
            node.data = {"duty": str(duty), "phase": str(phase), "bases": " ".join(bases)}
            nodes.append(node)
            for ob in graph.objects(duty, ECPL.partOfObligation):
                if ob in ob_nodes:
                    parent = ob_nodes[ob]
                    x1, y1 = node.x, node.y + 14
                    edges.append(
                        DiagramEdge(
                            d=f"M{x1},{y1} L{x - 0 + 8},{y1} L{x + 8},{parent.y + parent.h}",
                            cls="edge part",
                            label=[],
                            label_x=0,
                            label_y=0,
                            href=None,
                            title=f"{duty} partOfObligation {ob}",
                            data={
                                "source": str(duty),
                                "target": str(ob),
                                "relation": "partOfObligation",
                            },
                        )
                    )
            y += node.h + 12
        bottom = max(bottom, y)
    return Diagram(
        key="duties-by-phase",
        title=[Text("平台义务（按阶段）", "zh"), Text("The platform's duties by phase", "en")],
        width=total_w,
        height=bottom + PAD,
        nodes=nodes,
        edges=edges,
        headings=headings,
    )
