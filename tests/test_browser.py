"""The query editor in headless Chromium against a live ``ecpl serve``: the page loads, a query
runs, the results are shown.

Chromium is driven with ``--dump-dom`` and a virtual-time budget: the page URL carries the query
(YASGUI's share-link format, ``/?query=…``), YASGUI runs it on load, and the DOM is dumped once
the page is idle, so the result table can be read without a WebDriver. Skips where Debian's
``chromium`` is absent (``scripts/system-deps.sh`` installs it as root) or YASGUI is not vendored
(``scripts/fetch-assets.sh``).
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlencode

import pytest
import requests

from ecpl.web import editor

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def chromium() -> str:
    if CHROMIUM is None:
        pytest.skip(
            "headless Chromium not installed (Debian package 'chromium', scripts/system-deps.sh)"
        )
    return CHROMIUM


@pytest.fixture(scope="module")
def yasgui_assets() -> None:
    if not editor.vendor_assets_present():
        pytest.skip("YASGUI is not vendored; run scripts/fetch-assets.sh (needs npm)")


def dump_dom(chromium: str, url: str, profile: Path, budget_ms: int = 15000) -> str:
    """The page's DOM after scripts ran and the network went idle (or the budget ran out)."""
    command = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        f"--virtual-time-budget={budget_ms}",
        "--dump-dom",
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def result_cells(dom: str) -> list[str]:
    """Text of the cells in YASR's result table body (row-number cells left out)."""
    match = re.search(r'<table id="DataTables_Table_\d+".*?<tbody>(.*?)</tbody>', dom, re.S)
    assert match, "no result table in the page"
    cells = re.findall(r"<td[^>]*>(.*?)</td>", match.group(1), re.S)
    texts = [html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells]
    return [t for t in texts if t and not t.isdigit()]


def test_page_loads_the_editor(
    chromium: str,
    yasgui_assets: None,
    live_server: str,
    tmp_path: Path,
) -> None:
    dom = dump_dom(chromium, live_server + "/", tmp_path / "profile")
    assert 'class="yasqe' in dom  # YASGUI built its query editor
    assert "CodeMirror" in dom
    assert "/sparql" in dom  # the endpoint field points at this service
    assert 'href="/validate"' in dom and 'href="/ontology"' in dom


def test_a_query_runs_and_its_results_are_shown(
    chromium: str,
    yasgui_assets: None,
    live_server: str,
    tmp_path: Path,
) -> None:
    query = (
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "SELECT ?label WHERE { <https://w3id.org/ecpl/law/ecl> rdfs:label ?label }\n"
        "ORDER BY ?label"
    )
    dom = dump_dom(chromium, f"{live_server}/?{urlencode({'query': query})}", tmp_path / "p")
    cells = result_cells(dom)
    # The ECL's labels (DOMAIN.md), shown by YASR as language-tagged literals.
    assert sorted(cells) == [
        '"E-Commerce Law of the People\'s Republic of China"@en',
        '"中华人民共和国电子商务法"@zh',
    ]
    assert "2 results" in dom


def test_plain_form_without_yasgui(
    chromium: str,
    live_server: str,
    tmp_path: Path,
) -> None:
    """The fallback: the plain form loads, and what it submits (GET /sparql) gives results."""
    dom = dump_dom(chromium, live_server + "/?plain=1", tmp_path / "profile", budget_ms=3000)
    assert '<form class="plain-editor" method="get" action="/sparql">' in dom
    query = 'SELECT ?x WHERE { VALUES ?x { "plain-form-works" } }'
    response = requests.get(
        live_server + "/sparql", params={"query": query, "format": "csv"}, timeout=30
    )
    assert response.status_code == 200
    assert response.text.splitlines() == ["x", "plain-form-works"]
