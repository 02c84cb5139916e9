"""The query editor in headless Chromium against a live ``ecpl serve``: the page loads, a query
runs, the results are shown.

Two ways of driving Chromium, neither needing a WebDriver: ``--dump-dom`` with a virtual-time
budget (the page URL carries the query in YASGUI's share-link format, ``/?query=…``, YASGUI runs
it on load and the DOM is dumped once the page is idle), and the DevTools protocol over
``--remote-debugging-pipe`` (JSON messages on file descriptors 3 and 4) to click an example and
run it. Skips where Debian's ``chromium`` is absent (``scripts/system-deps.sh`` installs it as
root) or YASGUI is not vendored (``scripts/fetch-assets.sh``).
"""

from __future__ import annotations

import html
import json
import os
import re
import select
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
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


CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)


# What Chromium answers when a navigation cuts an evaluation off (the page is changing, not
# failing): a poll asks again, anything else still fails the test.
NAVIGATION_ERRORS = (
    "Inspected target navigated or closed",
    "Execution context was destroyed",
    "Cannot find context with specified id",
)


class PageChanged(Exception):
    """An evaluation cut off by a navigation."""


def _raise_page_changed(message: str) -> None:
    if any(known in message for known in NAVIGATION_ERRORS):
        raise PageChanged(message)


class DevTools:
    """A page in headless Chromium driven over ``--remote-debugging-pipe``."""

    def __init__(self, chromium: str, profile: Path) -> None:
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()
        # Chromium reads commands on fd 3 and writes answers on fd 4.
        shell = f'exec "$0" "$@" 3<&{to_chrome_r} 4>&{from_chrome_w}'
        self.process = subprocess.Popen(
            [
                "bash",
                "-c",
                shell,
                chromium,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                "--remote-debugging-pipe",
                "about:blank",
            ],
            pass_fds=(to_chrome_r, from_chrome_w),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []  # what Chromium reported unasked (console …)
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        attached = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})
        self.session = attached["sessionId"]

    def send(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        *,
        page: bool = False,
        timeout: float = 60,
    ) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if page:
            message["sessionId"] = self.session
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            while b"\0" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\0", 1)
                answer = json.loads(raw)
                if "method" in answer:
                    self.events.append(answer)
                if answer.get("id") == self._next_id:
                    if "error" in answer:
                        _raise_page_changed(str(answer["error"]))
                    assert "error" not in answer, answer["error"]
                    result: dict[str, Any] = answer["result"]
                    return result
            left = deadline - time.monotonic()
            assert left > 0, f"no answer to {method}"
            ready, _, _ = select.select([self._from_chrome], [], [], left)
            if ready:
                chunk = os.read(self._from_chrome, 1 << 16)
                assert chunk, "Chromium closed the pipe"
                self._buffer += chunk

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (promises awaited)."""
        answer = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            page=True,
        )
        if "exceptionDetails" in answer:
            _raise_page_changed(str(answer["exceptionDetails"]))
        assert "exceptionDetails" not in answer, answer["exceptionDetails"]
        return answer["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 60) -> Any:
        """Poll until the expression is truthy; across a navigation (a click on a link) too."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                value = self.evaluate(expression)
            except PageChanged:
                value = None  # the old page went away under the evaluation: ask the new one
            if value:
                return value
            time.sleep(0.2)
        raise AssertionError(f"timed out waiting for: {expression}")

    def goto(self, url: str) -> None:
        self.send("Page.navigate", {"url": url}, page=True)

    def close(self) -> None:
        os.close(self._to_chrome)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
        os.close(self._from_chrome)


@pytest.fixture()
def devtools(chromium: str, tmp_path: Path) -> Iterator[DevTools]:
    browser = DevTools(chromium, tmp_path / "profile")
    try:
        yield browser
    finally:
        browser.close()


def dump_dom(chromium: str, url: str, profile: Path, budget_ms: int = 15000) -> str:
    """The page's DOM after scripts ran and the network went idle (or the budget ran out)."""
    command = [
        chromium,
        *CHROMIUM_FLAGS,
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


def test_an_example_opens_runs_and_links_back(
    devtools: DevTools, yasgui_assets: None, live_server: str
) -> None:
    """Click a named query in the side list, run it, and compare the rows with /sparql."""
    devtools.goto(live_server + "/")
    devtools.wait_for("window.ecplEditor && document.querySelector('.CodeMirror') !== null")
    name = devtools.evaluate("document.querySelector('a.example').dataset.name")
    expected = requests.get(
        f"{live_server}/queries", headers={"Accept": "application/json"}, timeout=30
    )
    entry = next(q for q in expected.json()["queries"] if q["name"] == name)

    devtools.evaluate("document.querySelector('a.example').click()")
    assert devtools.evaluate("location.pathname + location.search") == "/"  # no navigation
    assert devtools.evaluate("ecplEditor.getTab().getName()") == entry["title"]["zh"]
    query = devtools.evaluate("ecplEditor.getTab().getQuery()")
    cq = f"CQ {entry['competency_question']}: " if entry.get("competency_question") else ""
    assert query.startswith(f"# {cq}{entry['title']['en']}")

    devtools.evaluate("ecplEditor.getTab().query()")
    truth = requests.post(
        f"{live_server}/sparql", data={"query": query}, headers={"Accept": "text/csv"}, timeout=60
    )
    rows = len(truth.text.strip().splitlines()) - 1
    assert rows > 0
    shown = devtools.wait_for(
        "(() => { const panel = document.querySelector('.tabPanel.active');"
        " const info = panel && panel.querySelector('.dt-info');"
        " return info && info.textContent; })()"
    )
    assert f"of {rows} entr" in shown

    # an ecpl IRI in the results opens this service's page for it
    href = devtools.evaluate(
        "(() => { const a = document.querySelector("
        "'.tabPanel.active table.dataTable a[href^=\"https://w3id.org/ecpl/\"]');"
        " if (!a) return null; a.addEventListener('click', e => e.preventDefault());"
        " a.click(); return a.href; })()"
    )
    assert href is not None and href.startswith(live_server + "/")


# --- the pictures: a case report's timeline and the ontology diagrams ------------------------


def console_errors(devtools: DevTools) -> list[str]:
    """Errors Chromium reported for the page: exceptions, console.error, failed loads."""
    found = []
    for event in devtools.events:
        method, params = event["method"], event.get("params", {})
        if method == "Runtime.exceptionThrown":
            found.append(json.dumps(params.get("exceptionDetails", {}))[:300])
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            found.append(json.dumps(params.get("args", []))[:300])
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            if params["entry"].get("url", "").endswith("/favicon.ico"):
                continue  # the browser's own request, not the page's; the service has no icon
            found.append(params["entry"].get("text", "") + " " + params["entry"].get("url", ""))
    return found


def watch_console(devtools: DevTools) -> None:
    devtools.send("Runtime.enable", page=True)
    devtools.send("Log.enable", page=True)


def test_a_real_case_report_shows_its_timeline_and_links_to_provisions(
    devtools: DevTools, live_server: str
) -> None:
    """Validate a real case through the form, find the timeline drawn from the same findings as
    the JSON report, switch the language, and follow a provision link."""
    case = "pang-v-qunar-second-instance"
    turtle = (
        Path(__file__).resolve().parents[1] / "data" / "cases" / "real" / f"{case}.ttl"
    ).read_bytes()
    truth = requests.post(
        live_server + "/validate",
        data=turtle,
        headers={"Content-Type": "text/turtle", "Accept": "application/json"},
        timeout=120,
    ).json()
    violations = [r for r in truth["results"] if r["severity"] == "Violation"]
    assert violations, "the second instance found the leak (a violation to draw)"

    watch_console(devtools)
    devtools.goto(f"{live_server}/validate?example={case}")
    devtools.wait_for("document.querySelector('form.validate textarea')?.value.length > 100")
    devtools.evaluate("document.querySelector('form.validate').submit()")
    devtools.wait_for("document.querySelector('svg.timeline') !== null", timeout=120)

    counts = devtools.evaluate(
        "(() => { const q = s => document.querySelectorAll('svg.timeline ' + s).length;"
        " return {events: q('g.tl-box.event'), breaches: q('g.tl-box.breach'),"
        " findings: q('g.tl-box.finding'), lanes: q('g.lane')}; })()"
    )
    assert counts["breaches"] == len(violations)
    assert counts["findings"] == len(truth["findings"])
    assert counts["events"] == 2  # the leak and the SMS of the case graph
    assert counts["lanes"] == 5
    # drawn inside the picture, not collapsed or off its canvas
    inside = devtools.evaluate(
        "(() => { const svg = document.querySelector('svg.timeline').getBoundingClientRect();"
        " return [...document.querySelectorAll('svg.timeline g.tl-box rect')].every(r => {"
        " const b = r.getBoundingClientRect(); return b.width > 50 && b.height > 20 &&"
        " b.left >= svg.left - 1 && b.right <= svg.right + 1 &&"
        " b.bottom <= svg.bottom + 1; }); })()"
    )
    assert inside is True

    # the language switch hides the other language, without script
    devtools.evaluate("document.getElementById('show-en').click()")
    hidden = devtools.evaluate("getComputedStyle(document.querySelector('h1 [lang=zh]')).display")
    assert hidden == "none"
    devtools.evaluate("document.getElementById('show-both').click()")

    href = devtools.evaluate(
        "(() => { const a = document.querySelector('svg.timeline a.provision');"
        " const href = a.getAttribute('href');"
        " a.dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true}));"
        " return href; })()"
    )
    assert href.startswith("/law/")
    devtools.wait_for(f"location.pathname === {json.dumps(href)}")
    devtools.wait_for("document.readyState === 'complete'")
    title = devtools.evaluate("document.querySelector('h1').textContent")
    assert title.strip(), "the provision page has a heading"
    assert console_errors(devtools) == []


def test_the_ontology_page_shows_its_diagrams_and_their_nodes_link(
    devtools: DevTools, live_server: str
) -> None:
    watch_console(devtools)
    devtools.goto(live_server + "/ontology")
    devtools.wait_for("document.querySelectorAll('svg.diagram').length === 2", timeout=120)
    nodes = devtools.evaluate(
        "(() => { const n = s => document.querySelectorAll(s).length;"
        " return {terms: n('svg[data-diagram=platform-terms] a.node'),"
        " duties: n('svg[data-diagram=duties-by-phase] a.node.duty'),"
        " edges: n('svg[data-diagram=platform-terms] .edge-group')}; })()"
    )
    assert nodes["terms"] >= 8 and nodes["edges"] >= 5 and nodes["duties"] >= 10
    href = devtools.evaluate(
        "(() => { const a = document.querySelector("
        "'svg[data-diagram=platform-terms] a.node[data-term$=\"#NetworkOperator\"]');"
        " const href = a.getAttribute('href');"
        " a.dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true}));"
        " return href; })()"
    )
    assert href.endswith("/term/NetworkOperator")
    devtools.wait_for("location.pathname.endsWith('/term/NetworkOperator')")
    devtools.wait_for("document.readyState === 'complete'")
    assert "网络运营者" in devtools.evaluate("document.body.textContent")
    assert console_errors(devtools) == []
