"""ecpl.laws names each instrument as data/laws does (oracle: the law files' own labels)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDFS, SKOS, Graph, Literal

from ecpl import iri, laws


def test_the_table_covers_exactly_the_laws_iris_are_minted_for() -> None:
    assert tuple(laws.LAW_NAMES) == iri.LAW_KEYS


@pytest.mark.parametrize("key", iri.LAW_KEYS)
def test_chinese_short_name_is_the_datas(root: Path, key: str) -> None:
    graph = Graph().parse(root / "data" / "laws" / f"{key}.ttl")
    law = iri.law(key)

    def zh(prop: object) -> set[str]:
        return {
            str(o)
            for o in graph.objects(law, prop)  # type: ignore[arg-type]
            if isinstance(o, Literal) and o.language == "zh"
        }

    expected = zh(SKOS.altLabel) or zh(RDFS.label)
    assert expected, f"data/laws/{key}.ttl labels {law} in no zh"
    assert laws.zh_name(key) in expected
