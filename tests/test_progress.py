"""Progress lines: on a terminal (a pseudo-terminal from the pty module) and silent in a pipe.

The status line format and arithmetic are checked with a fake clock; the commands are run as
real processes with stderr on a pty (what a person at a terminal sees) or on a pipe (a script).
"""

from __future__ import annotations

import io
import os
import pty
import re
import select
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ecpl.progress import ERASE, Progress, format_duration, track

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "data" / "cases" / "examples"
ECPL = [sys.executable, "-m", "ecpl"]


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_status_line_counts_rate_and_time_left() -> None:
    clock, out = Clock(), io.StringIO()
    with Progress(4, "load", stream=out, enabled=True, interval=0, clock=clock) as progress:
        clock.now += 2.0
        progress.advance(item="a.ttl")
        # 1 item in 2 s: 0.5 items/s, 3 left -> 6 s
        assert progress.line() == "load 1/4 (25%) · 2.0s each · 6s left · a.ttl"
        clock.now += 2.0
        progress.advance(item="b.ttl")
        assert progress.rate() == pytest.approx(0.5)
        assert progress.remaining() == pytest.approx(4.0)
        progress.advance(2, item="d.ttl")  # 4 items in 4 s
    text = out.getvalue()
    assert text.count("\r") >= 3 and ERASE in text
    assert text.endswith("load 4/4 (100%) · 1.0/s · done in 4s · d.ttl" + ERASE + "\n")


def test_disabled_progress_writes_nothing() -> None:
    out = io.StringIO()  # not a terminal: disabled by default
    assert list(track([1, 2, 3], "x", stream=out)) == [1, 2, 3]
    assert out.getvalue() == ""
    with Progress(2, "x", stream=out, quiet=True) as progress:
        progress.advance()
    assert out.getvalue() == ""


def test_durations() -> None:
    assert format_duration(42.4) == "42s"
    assert format_duration(185) == "3m05s"
    assert format_duration(3720) == "1h02m"


def case_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "cases"
    folder.mkdir()
    for name in ("notice-and-action-negative", "seller-disclosure-positive", "risk-warning-silent"):
        shutil.copy(EXAMPLES / f"{name}.ttl", folder / f"{name}.ttl")
    return folder


def run_on_pty(args: list[str]) -> tuple[int, str, str]:
    """Run with stderr on a pseudo-terminal, stdout on a pipe; return (code, stdout, stderr)."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        args, cwd=ROOT, stdout=subprocess.PIPE, stderr=follower, stdin=subprocess.DEVNULL
    )
    os.close(follower)
    chunks: list[bytes] = []
    while True:
        ready, _w, _x = select.select([leader], [], [], 120)
        if not ready:
            process.kill()
            raise AssertionError("no output for 120 s")
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    assert process.stdout is not None
    stdout = process.stdout.read().decode("utf-8")
    code = process.wait(timeout=60)
    os.close(leader)
    return code, stdout, b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.slow
def test_batch_validation_on_a_terminal_shows_progress(tmp_path: Path) -> None:
    folder = case_folder(tmp_path)
    code, stdout, stderr = run_on_pty([*ECPL, "validate", "--lang", "en", str(folder)])
    assert code == 1  # notice-and-action-negative has violations
    assert "\r" in stderr and ERASE in stderr
    assert re.search(r"validate 3/3 \(100%\) · .* · done in \d+s", stderr), stderr
    assert "\r" not in stdout and "validate 3/3" not in stdout
    # the summary: three cases, two conforming (the negative example breaches its duty)
    assert "cases 3, conforming 2" in stdout
    assert "notice-and-action duty" in stdout


@pytest.mark.slow
def test_quiet_on_a_terminal_and_a_pipe_show_no_progress(tmp_path: Path) -> None:
    folder = case_folder(tmp_path)
    code, stdout, stderr = run_on_pty([*ECPL, "validate", "--quiet", "--lang", "en", str(folder)])
    assert code == 1 and "validate" not in stderr and "cases 3, conforming 2" in stdout
    piped = subprocess.run(
        [*ECPL, "validate", "--lang", "en", str(folder)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert piped.returncode == 1
    assert piped.stderr == ""
    assert "cases 3, conforming 2" in piped.stdout


@pytest.mark.slow
def test_batch_summary_json_counts_the_same_reports(tmp_path: Path) -> None:
    import json

    folder = case_folder(tmp_path)
    piped = subprocess.run(
        [*ECPL, "validate", "--output", "json", str(folder)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    body = json.loads(piped.stdout)
    reports = body["reports"]
    assert body["summary"]["cases"] == len(reports) == 3
    assert body["summary"]["conforming"] == sum(r["conforms"] for r in reports)
    by_duty = body["summary"]["breaches_by_duty"]
    violations = [res for r in reports for res in r["results"] if res["severity"] == "Violation"]
    assert sum(v["violations"] for v in by_duty.values()) == len(violations)
    by_rule = body["summary"]["findings_by_rule"]
    assert sum(v["findings"] for v in by_rule.values()) == sum(len(r["findings"]) for r in reports)


@pytest.mark.slow
def test_missing_folder_and_empty_folder_are_clear_errors(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    for target, words in ((tmp_path / "nope", "no such file"), (empty, "no case files")):
        run = subprocess.run(
            [*ECPL, "validate", str(target)], cwd=ROOT, capture_output=True, text=True, timeout=120
        )
        assert run.returncode == 2 and words in run.stderr and "Traceback" not in run.stderr


@pytest.mark.slow
def test_import_text_on_a_terminal_counts_the_law_files(shared: Path, tmp_path: Path) -> None:
    from ecpl.statutes.importer import LAW_FILES

    total = sum(len(files) for files in LAW_FILES.values())
    out = tmp_path / "text.ttl"
    code, stdout, stderr = run_on_pty(
        [*ECPL, "import-text", str(shared / "statutes" / "lawrefbook"), "--output", str(out)]
    )
    assert code == 0, stderr
    assert re.search(rf"import-text {total}/{total} \(100%\) · .* · done in \d+s", stderr), stderr
    assert "\r" not in stdout and out.is_file()
    piped = subprocess.run(
        [*ECPL, "import-text", str(shared / "statutes" / "lawrefbook"), "--output", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert piped.returncode == 0 and piped.stderr == ""


@pytest.mark.slow
def test_load_of_many_cases_shows_progress_on_a_terminal_only(tmp_path: Path) -> None:
    files = [str(p) for p in sorted(case_folder(tmp_path).glob("*.ttl"))]
    code, stdout, stderr = run_on_pty([*ECPL, "load", *files, "--store", str(tmp_path / "db")])
    assert code == 0, stderr
    assert re.search(r"load 3/3 \(100%\) · .* · done in \d+s", stderr), stderr
    assert stdout.count("loaded ") == 3 and "\r" not in stdout
    piped = subprocess.run(
        [*ECPL, "load", *files, "--store", str(tmp_path / "db2")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert piped.returncode == 0 and piped.stderr == "" and piped.stdout.count("loaded ") == 3
    one_graph = subprocess.run(
        [
            *ECPL,
            "load",
            *files,
            "--graph",
            "https://w3id.org/ecpl/graph/case/x",
            "--store",
            str(tmp_path / "db3"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert one_graph.returncode == 2 and "--graph names one graph" in one_graph.stderr
