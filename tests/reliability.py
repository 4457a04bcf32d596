"""Counts of faults injected and bad inputs tried, taken from the test run itself.

A test declares what it exercises with the `reliability` fixture:

    def test_x(reliability):
        reliability("fault", "503 Service Unavailable", "retried once, article succeeded")

At the end of the run the terminal summary prints the totals per kind (how
many were tried, how many the product survived, i.e. whose test passed), and
`pytest tests --reliability-report RELIABILITY.md` rewrites the generated part of
that file: one row per case with its outcome and the test that proves it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

KINDS = {
    "fault": ("Faults from the model endpoint", "injected", "survived"),
    "bad_input": ("Bad input", "tried", "handled"),
    "hostile": ("Hostile text", "tried", "kept out of the briefing"),
    "cache": ("Cache, crashes and secrets", "tried", "held"),
    "service": ("The HTTP service under hostile callers", "tried", "held"),
}
BEGIN = "<!-- BEGIN GENERATED: pytest tests --reliability-report RELIABILITY.md -->"
END = "<!-- END GENERATED -->"


@dataclass
class Case:
    kind: str
    name: str
    outcome: str
    test: str
    passed: bool | None = None


_cases: dict[str, Case] = {}


@pytest.fixture
def reliability(request):
    def declare(kind: str, name: str, outcome: str) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown reliability kind {kind!r}")
        request.node.user_properties.append(("reliability", (kind, name, outcome)))

    return declare


def pytest_addoption(parser):
    parser.addoption(
        "--reliability-report", metavar="PATH", default=None,
        help="rewrite the generated tables of this file (RELIABILITY.md) from this run's results",
    )


def pytest_runtest_logreport(report):
    declared = [value for key, value in report.user_properties if key == "reliability"]
    if not declared:
        return
    kind, name, outcome = declared[-1]
    case = _cases.setdefault(report.nodeid, Case(kind, name, outcome, report.nodeid))
    if report.failed:
        case.passed = False
    elif report.when == "call" and case.passed is None:
        case.passed = report.passed


def totals() -> dict[str, tuple[int, int]]:
    counted: dict[str, tuple[int, int]] = {}
    for case in _cases.values():
        tried, ok = counted.get(case.kind, (0, 0))
        counted[case.kind] = (tried + 1, ok + bool(case.passed))
    return counted


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not _cases:
        return
    parts = []
    for kind, (tried, ok) in totals().items():
        title, tried_word, ok_word = KINDS[kind]
        parts.append(f"{title.lower()}: {tried} {tried_word}, {ok} {ok_word}")
    terminalreporter.write_sep("-", "reliability")
    terminalreporter.write_line("; ".join(parts))
    target = config.getoption("--reliability-report")
    if target:
        write_report(Path(target))
        terminalreporter.write_line(f"rewrote the generated tables of {target}")


def render() -> str:
    lines = [BEGIN, ""]
    counted = totals()
    lines.append("| | tried | passed |")
    lines.append("|---|---:|---:|")
    for kind, (title, tried_word, ok_word) in KINDS.items():
        if kind in counted:
            tried, ok = counted[kind]
            lines.append(f"| {title} | {tried} {tried_word} | {ok} {ok_word} |")
    for kind, (title, _, _) in KINDS.items():
        cases = sorted((c for c in _cases.values() if c.kind == kind), key=lambda c: c.test)
        if not cases:
            continue
        lines += ["", f"### {title}", "", "| case | outcome | test | result |", "|---|---|---|---|"]
        for c in cases:
            test = re.sub(r"^tests/", "", c.test).replace("|", "\\|")
            result = "passed" if c.passed else "FAILED"
            lines.append(f"| {c.name} | {c.outcome} | `{test}` | {result} |")
    lines += ["", END]
    return "\n".join(lines)


def write_report(path: Path) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else f"{BEGIN}\n{END}\n"
    if BEGIN not in text or END not in text:
        text = f"{text.rstrip()}\n\n{BEGIN}\n{END}\n"
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    path.write_text(head + render() + tail, encoding="utf-8")
