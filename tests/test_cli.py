"""The command line as a user meets it: one-line errors, exit codes, outputs kept."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT, SEEDS


def run(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "summarizer", *args],
        capture_output=True, text=True, cwd=cwd or ROOT, env={**os.environ, **(env or {})}, timeout=120,
    )


def test_missing_path_is_one_line_and_exit_2(tmp_path):
    result = run("brief", str(tmp_path / "nope"), "--fixture-mode", "replay", "--fixtures", str(tmp_path))
    assert result.returncode == 2
    assert "no such file or directory" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_unknown_template_is_one_line(tmp_path):
    result = run("brief", str(SEEDS), "--template", "nope", "--fixture-mode", "replay", "--fixtures", str(tmp_path))
    assert result.returncode == 2 and "no template named 'nope'" in result.stderr
    assert "Traceback" not in result.stderr


def test_replay_without_fixture_names_the_request_and_the_record_command(tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("Officials met on Friday to discuss tariffs on steel imports.", encoding="utf-8")
    # The small template has the model write the article's schema (extraction: fill), so the article needs a reply.
    result = run("article", str(article), "--template", "small", "--fixture-mode", "replay", "--fixtures", str(tmp_path / "empty"))
    assert result.returncode == 1
    assert "no recorded reply for the article a request" in result.stderr
    assert "summarizer record" in result.stderr and "Traceback" not in result.stderr


def test_failed_run_keeps_the_previous_briefing(tmp_path):
    out = tmp_path / "briefing.md"
    out.write_text("yesterday's briefing\n", encoding="utf-8")
    article = tmp_path / "a.txt"
    article.write_text("Officials met on Friday to discuss tariffs on steel imports.", encoding="utf-8")
    result = run(
        "brief", str(article), "-o", str(out), "--template", "small",  # its articles need the model (extraction: fill)
        "--fixture-mode", "replay", "--fixtures", str(tmp_path / "none"),
    )
    # The only article fails (nothing recorded): an empty briefing must not replace yesterday's.
    assert result.returncode == 1
    assert out.read_text(encoding="utf-8") == "yesterday's briefing\n"
    assert "no article could be summarised; nothing written (a: no recorded reply" in result.stderr
    assert "Traceback" not in result.stderr


def test_binary_file_is_skipped_with_its_reason(tmp_path):
    (tmp_path / "x.txt").write_bytes(b"\x00\x01\x02binary")
    result = run("brief", str(tmp_path / "x.txt"), "--fixture-mode", "replay", "--fixtures", str(tmp_path))
    assert result.returncode == 2
    assert "x.txt: not a text file" in result.stderr and "Traceback" not in result.stderr


def test_templates_lists_the_default():
    result = run("templates")
    assert result.returncode == 0 and "default" in result.stdout


def test_schema_check_passes_on_the_committed_files():
    result = run("schema", "--check")
    assert result.returncode == 0, result.stderr
