"""Whom each basis of the personal-information duties binds, after a leak (shapes/duties.ttl).

Expectations written from the statute texts (../shared/statutes), not from running the code:
  CSL 42 (2016 text, in force 2017-06-01)    binds 网络运营者: the network's owner, manager and
                                              network service provider (CSL 76 item 3);
  CRPL 29(2) (2013 text, in force 2014-03-15) binds 经营者 (and, by the project's reading, the
                                              platform about its own service to consumers, and
                                              the in-platform operator selling to them);
  CC 1038 (in force 2021-01-01)               binds 信息处理者;
  PIPL 51, 57 (in force 2021-11-01)           bind 个人信息处理者.
So a basis is cited only for a holder of the class its text binds, only from its date; a holder
bound by none of those in force on the date of the leak gets a warning that names them, not a
violation.
"""

from __future__ import annotations

import pytest
from rdflib import RDF, RDFS, Graph, Literal, Namespace
from rdflib.namespace import DCTERMS, XSD

from ecpl.iri import ECPL
from ecpl.validation import Report, validate

L = "https://w3id.org/ecpl/law/"
S = "https://w3id.org/ecpl/shapes#"
CASE = Namespace("https://w3id.org/ecpl/case/leak-bases/")

CRPL_29_2 = L + "crpl/art/29/para/2"
CSL_42_1, CSL_42_2 = L + "csl/art/42/para/1", L + "csl/art/42/para/2"
CC_1038_1, CC_1038_2 = L + "cc/art/1038/para/1", L + "cc/art/1038/para/2"
PIPL_51_1, PIPL_57_1 = L + "pipl/art/51/para/1", L + "pipl/art/57/para/1"

PIS, DBR = "PersonalInformationSecurityShape", "DataBreachRemedyShape"
USERS, AUTH = "BreachNotifyUsersShape", "BreachReportAuthorityShape"


def leak_case(holder_classes: tuple[str, ...], date: str) -> Graph:
    """A leak on ``date`` from a holder of ``holder_classes``; the record is declared complete,
    so every act the holder owed after the leak and did not record is a failure."""
    g = Graph()
    case, holder, consumer, leak = CASE.case, CASE.holder, CASE.consumer, CASE.leak
    src = Literal("ecpl test (invented facts)")
    g.add((case, RDF.type, ECPL.Case))
    g.add((case, RDFS.label, Literal("leak bases", lang="en")))
    g.add((case, DCTERMS.source, src))
    g.add((case, ECPL.recordComplete, Literal(True)))
    g.add((case, ECPL.party, consumer))
    g.add((case, ECPL.involves, holder))
    g.add((case, ECPL.event, leak))
    for cls in holder_classes:
        g.add((holder, RDF.type, ECPL[cls]))
    g.add((holder, RDFS.label, Literal("holder", lang="en")))
    g.add((consumer, RDF.type, ECPL.Consumer))
    g.add((consumer, RDFS.label, Literal("consumer", lang="en")))
    g.add((leak, RDF.type, ECPL.DataLeak))
    g.add((leak, ECPL.date, Literal(date, datatype=XSD.date)))
    g.add((leak, ECPL.leakedFrom, holder))
    g.add((leak, ECPL.concerns, consumer))
    g.add((leak, DCTERMS.source, src))
    return g


def cited(report: Report) -> dict[str, set[str]]:
    """Violated leak shape -> the provisions it cites (against the holder)."""
    out: dict[str, set[str]] = {}
    for r in report.violations:
        shape = r.shape.removeprefix(S)
        if shape in (PIS, DBR, USERS, AUTH):
            assert r.value == str(CASE.holder)
            out.setdefault(shape, set()).update(r.legal_basis)
    return out


PLATFORM = ("EcommercePlatformOperator", "PersonalInformationHandler")
HANDLER = ("PersonalInformationHandler",)

CASES: dict[str, tuple[tuple[str, ...], str, dict[str, set[str]]]] = {
    # a platform: 经营者 about its own service (reading), 网络运营者 as a network service
    # provider, 信息处理者 and 个人信息处理者; all four from 2021-11-01
    "platform-2022": (
        PLATFORM,
        "2022-05-01",
        {
            PIS: {CRPL_29_2, CSL_42_1, CC_1038_1, PIPL_51_1},
            DBR: {CRPL_29_2, CSL_42_2, CC_1038_2, PIPL_57_1},
            USERS: {CSL_42_2, CC_1038_2, PIPL_57_1},  # CRPL 29(2) requires no notice
            AUTH: {CSL_42_2, CC_1038_2, PIPL_57_1},
        },
    ),
    # 2019: only CRPL 29(2) and CSL 42 were in force (CC 2021-01-01, PIPL 2021-11-01)
    "platform-2019": (
        PLATFORM,
        "2019-05-01",
        {
            PIS: {CRPL_29_2, CSL_42_1},
            DBR: {CRPL_29_2, CSL_42_2},
            USERS: {CSL_42_2},
            AUTH: {CSL_42_2},
        },
    ),
    # 2016: before the CSL (2017-06-01); CRPL 29(2) alone, and it asks remedy, not notice
    "platform-2016": (
        PLATFORM,
        "2016-05-01",
        {PIS: {CRPL_29_2}, DBR: {CRPL_29_2}},
    ),
    # recorded only as 个人信息处理者: neither 网络运营者 nor 经营者, so no CSL 42, no CRPL 29
    "handler-2022": (
        HANDLER,
        "2022-05-01",
        {
            PIS: {CC_1038_1, PIPL_51_1},
            DBR: {CC_1038_2, PIPL_57_1},
            USERS: {CC_1038_2, PIPL_57_1},
            AUTH: {CC_1038_2, PIPL_57_1},
        },
    ),
    # between the CC (2021-01-01) and the PIPL (2021-11-01): CC 1038 alone
    "handler-2021-06": (
        HANDLER,
        "2021-06-01",
        {PIS: {CC_1038_1}, DBR: {CC_1038_2}, USERS: {CC_1038_2}, AUTH: {CC_1038_2}},
    ),
    # a network operator that is no 经营者 (e.g. a network's manager serving no consumers)
    "network-operator-2022": (
        ("NetworkOperator", "PersonalInformationHandler"),
        "2022-05-01",
        {
            PIS: {CSL_42_1, CC_1038_1, PIPL_51_1},
            DBR: {CSL_42_2, CC_1038_2, PIPL_57_1},
            USERS: {CSL_42_2, CC_1038_2, PIPL_57_1},
            AUTH: {CSL_42_2, CC_1038_2, PIPL_57_1},
        },
    ),
    "network-operator-2019": (
        ("NetworkOperator",),
        "2019-05-01",
        {PIS: {CSL_42_1}, DBR: {CSL_42_2}, USERS: {CSL_42_2}, AUTH: {CSL_42_2}},
    ),
    # a 经营者 that is no 网络运营者 (an offline seller), 2019: CRPL 29(2) alone, remedy only
    "business-operator-2019": (
        ("BusinessOperator",),
        "2019-05-01",
        {PIS: {CRPL_29_2}, DBR: {CRPL_29_2}},
    ),
    # an in-platform operator (reading: the 经营者 selling to consumers); not a network operator
    "in-platform-operator-2022": (
        ("InPlatformOperator",),
        "2022-05-01",
        {
            PIS: {CRPL_29_2, CC_1038_1, PIPL_51_1},
            DBR: {CRPL_29_2, CC_1038_2, PIPL_57_1},
            USERS: {CC_1038_2, PIPL_57_1},
            AUTH: {CC_1038_2, PIPL_57_1},
        },
    ),
    # a holder of no recorded class still handled the data that leaked: PIPL and CC bases
    "unclassified-2022": (
        (),
        "2022-05-01",
        {
            PIS: {CC_1038_1, PIPL_51_1},
            DBR: {CC_1038_2, PIPL_57_1},
            USERS: {CC_1038_2, PIPL_57_1},
            AUTH: {CC_1038_2, PIPL_57_1},
        },
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_basis_is_cited_only_for_the_holder_it_binds(name: str) -> None:
    classes, date, expected = CASES[name]
    assert cited(validate(leak_case(classes, date))) == expected, name


@pytest.mark.parametrize("classes", [HANDLER, ()], ids=["handler", "unclassified"])
def test_a_2019_leak_from_a_holder_no_basis_then_bound_is_a_warning_that_says_so(
    classes: tuple[str, ...],
) -> None:
    """In 2019 neither the CC nor the PIPL was in force, and a holder that is neither a network
    operator nor a business operator was bound by neither CSL 42 nor CRPL 29(2): no violation,
    and the security duty's warning names the bases that came later."""
    report = validate(leak_case(classes, "2019-05-01"))
    assert cited(report) == {}
    (warning,) = [r for r in report.results if r.shape == S + PIS]
    assert warning.severity == "Warning" and warning.legal_basis == []
    assert "none of CC 1038(1), PIPL 51(1) was in force" in warning.message["en"]
    assert "CSL" not in warning.message["en"] and "CRPL" not in warning.message["en"]
    assert "民法典" in warning.message["zh"] and "个人信息保护法" in warning.message["zh"]
