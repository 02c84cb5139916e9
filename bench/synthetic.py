"""Synthetic case graphs (~40 triples each) for the validation and service benchmarks.

Each case has a platform (sometimes a specialised kind, so that results depend on the ontology's
class hierarchy), a consumer, a seller, goods, and a few dated events drawn so that about half
of the cases breach some duty. Deterministic for a given seed.

    python bench/synthetic.py 1000 > /tmp/cases.ttl     # N cases as one Turtle document
"""

from __future__ import annotations

import random
import sys
from collections.abc import Iterator

from rdflib import Graph

PREFIXES = """@prefix ecpl: <https://w3id.org/ecpl/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
"""

PLATFORM_CLASSES = (
    "ecpl:EcommercePlatformOperator",
    "ecpl:LivestreamMarketingPlatformOperator",
    "ecpl:OnlineFoodServicePlatformOperator",
)


def case_turtle(index: int, seed: int = 7) -> str:
    """The Turtle (without prefixes) of synthetic case number ``index``."""
    rng = random.Random(seed * 1_000_003 + index)
    c = f"https://w3id.org/ecpl/case/synthetic-{index}"
    p = f"<{c}/"
    platform = rng.choice(PLATFORM_CLASSES)
    life = "true" if rng.random() < 0.5 else "false"
    events = [f"{p}listing>", f"{p}purchase>"]
    lines = [
        f'<{c}> a ecpl:Case ; rdfs:label "合成案件 {index}"@zh ; dcterms:source "synthetic" ;',
        f'    ecpl:court {p}court> ; ecpl:decisionDate "2024-06-01"^^xsd:date ;',
        f"    ecpl:party {p}platform>, {p}consumer>, {p}seller> .",
        f"{p}court> a ecpl:Court .",
        f'{p}platform> a {platform} ; ecpl:partyRole ecpl:Defendant ; rdfs:label "平台"@zh .',
        f'{p}consumer> a ecpl:Consumer ; ecpl:partyRole ecpl:Plaintiff ; rdfs:label "消费者"@zh .',
        f"{p}seller> a ecpl:InPlatformOperator ; ecpl:partyRole ecpl:Defendant .",
        f"{p}goods> a ecpl:GoodsOrService ; ecpl:soldBy {p}seller> ;"
        f" ecpl:affectsLifeAndHealth {life} .",
        f'{p}listing> a ecpl:Listing ; ecpl:date "2023-03-01"^^xsd:date ;'
        f" ecpl:agent {p}seller> ; ecpl:concerns {p}goods> .",
        f'{p}purchase> a ecpl:Purchase ; ecpl:date "2023-03-05"^^xsd:date ;'
        f" ecpl:agent {p}consumer> ; ecpl:concerns {p}goods> .",
    ]
    if rng.random() < 0.7:
        events.append(f"{p}verification>")
        lines.append(
            f'{p}verification> a ecpl:IdentityVerification ; ecpl:date "2023-02-01"^^xsd:date ;'
            f" ecpl:subject {p}seller> ."
        )
    if rng.random() < 0.5:
        events.append(f"{p}review>")
        lines.append(f"{p}review> a ecpl:QualificationReview ; ecpl:concerns {p}goods> .")
    if rng.random() < 0.4:
        events.append(f"{p}risk>")
        lines.append(
            f'{p}risk> a ecpl:RiskNotice ; ecpl:date "2023-04-01"^^xsd:date ;'
            f" ecpl:concerns {p}seller> ."
        )
        if rng.random() < 0.5:
            events.append(f"{p}measure>")
            lines.append(f"{p}measure> a ecpl:MeasureTaken ; ecpl:respondsTo {p}risk> .")
    if rng.random() < 0.5:
        events.append(f"{p}damage>")
        lines.append(
            f'{p}damage> a ecpl:Damage ; ecpl:date "2023-05-01"^^xsd:date ;'
            f" ecpl:affectedParty {p}consumer> ; ecpl:amountCNY 1200.0 ."
        )
    lines.insert(3, f"<{c}> ecpl:event {', '.join(events)} .")
    return "\n".join(lines) + "\n"


def case_graph(index: int, seed: int = 7) -> Graph:
    """Synthetic case number ``index`` as an rdflib graph."""
    return Graph().parse(data=PREFIXES + case_turtle(index, seed), format="turtle")


def cases(count: int, seed: int = 7) -> Iterator[Graph]:
    for index in range(count):
        yield case_graph(index, seed)


def document(count: int, seed: int = 7) -> str:
    """``count`` cases as one Turtle document (for loading into a store)."""
    return PREFIXES + "".join(case_turtle(i, seed) for i in range(count))


if __name__ == "__main__":
    sys.stdout.write(document(int(sys.argv[1]) if len(sys.argv) > 1 else 100))
