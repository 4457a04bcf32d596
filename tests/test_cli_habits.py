"""What people who live in a terminal expect of a command-line tool, tried through the real CLI."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT, SEED_DATE, SEED_FIXTURES, SEEDS

REPLAY = ["--fixture-mode", "replay", "--fixtures", str(SEED_FIXTURES), "--date", SEED_DATE, "--no-log"]


def summarizer(*args: str, stdin=None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "summarizer", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=120, stdin=stdin, **kwargs)


def test_a_briefing_pipes_into_another_tool():
    piped = subprocess.run(
        f"{sys.executable} -m summarizer brief {SEEDS} -f json -o - {' '.join(REPLAY)} "
        f"| {sys.executable} -c 'import json,sys; print(json.load(sys.stdin)[\"headline\"])'",
        shell=True, capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout.startswith("China and the US")
    assert not (ROOT / "-").exists()


def test_dev_stdout_is_written_through_never_replaced(tmp_path):
    link = tmp_path / "stdout-link"
    link.symlink_to("/dev/stdout")
    result = summarizer("brief", str(SEEDS), "-f", "json", "-o", str(link), *REPLAY)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["date"] == SEED_DATE
    assert link.is_symlink() and os.readlink(link) == "/dev/stdout"  # still the link it was


def test_a_symlink_to_a_file_is_written_through(tmp_path):
    real = tmp_path / "real.md"
    real.write_text("yesterday", encoding="utf-8")
    link = tmp_path / "today.md"
    link.symlink_to(real)
    result = summarizer("brief", str(SEEDS), "-o", str(link), *REPLAY)
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and real.read_text(encoding="utf-8").startswith("# ")


def test_two_formats_cannot_share_standard_output():
    result = summarizer("brief", str(SEEDS), "-f", "both", "-o", "-", *REPLAY)
    assert result.returncode == 2 and "takes one format" in result.stderr and result.stdout == ""


def test_article_offers_only_the_formats_it_writes():
    result = summarizer("article", str(SEEDS / "000_ca7bab2cb521082e.txt"), "-f", "html")
    assert result.returncode == 2 and "html" in result.stderr
    shown = summarizer("article", str(SEEDS / "000_ca7bab2cb521082e.txt"), "-f", "md", "--published", SEED_DATE)
    assert shown.returncode == 0 and shown.stdout.startswith("#")


def test_a_busy_port_is_a_usage_error_naming_it(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = summarizer("serve", "--port", str(port), env={**os.environ, "SUMMARIZER_API_TOKEN": "x" * 20,
                                                              "SUMMARIZER_CACHE_DIR": str(tmp_path / "c")})
    assert result.returncode == 2
    assert result.stderr.strip() == f"error: cannot listen on 127.0.0.1:{port}: Address already in use"


def test_an_endpoint_that_is_down_is_one_line_naming_it(tmp_path):
    result = summarizer("brief", str(SEEDS), "-o", str(tmp_path / "b.md"), "--base-url", "http://127.0.0.1:9/v1",
                        "-m", "any", "--attempts", "2", "--no-log")
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert "could not reach http://127.0.0.1:9/v1" in line and "running on that port?" in line
    assert not Path(tmp_path / "b.md").exists()
