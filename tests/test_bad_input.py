"""The bad-input corpus (tests/corpus/bad_input, plus cases built on the fly), each with its expected outcome.

Every case runs `python -m summarizer brief` as a user would, against the
FAKE echo model (tests/echo_model.py) on the fake OpenAI-compatible server.
The outcome is either a correct result, with warnings where something was
repaired, or a one-line error naming the file and the reason. Never a traceback.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from .conftest import ROOT, SEEDS
from .echo_model import article_text, echo_reply
from .fake_openai_server import FakeOpenAIServer

CORPUS = Path(__file__).parent / "corpus" / "bad_input"


@pytest.fixture(scope="module")
def server():
    with FakeOpenAIServer(echo_reply) as running:
        yield running


@dataclass
class Outcome:
    code: int
    stderr: list[str] = field(default_factory=list)  # substrings that must be in stderr
    articles: list[str] | None = None  # ids in the briefing (None: nothing written)
    one_line: bool = False  # the whole stderr is one error line


def brief(server: FakeOpenAIServer, paths: list[Path], out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "summarizer", "brief", *map(str, paths), "--date", "2025-10-26", "-o", str(out),
         "--format", "json", "--base-url", server.base_url, "--model", "echo", "--no-log", "--one-story", *extra],
        capture_output=True, text=True, cwd=ROOT, env=os.environ.copy(), timeout=300,
    )


def check(result: subprocess.CompletedProcess, out: Path, expected: Outcome) -> dict | None:
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == expected.code, result.stderr
    for needle in expected.stderr:
        assert needle in result.stderr, result.stderr
    if expected.one_line:
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    if expected.articles is None:
        assert not out.exists()
        return None
    briefing = json.loads(out.read_text(encoding="utf-8"))
    assert sorted(a["article_id"] for a in briefing["articles"]) == sorted(expected.articles)
    return briefing


# --- files from the corpus: (file, what it is, outcome)

FILES = {
    "empty.txt": ("empty file", Outcome(2, ["empty.txt: empty article"], one_line=True)),
    "whitespace-only.txt": ("whitespace only", Outcome(2, ["whitespace-only.txt: empty article"], one_line=True)),
    "binary.txt": ("binary file", Outcome(2, ["binary.txt: not a text file (binary content)"], one_line=True)),
    "invalid-utf8.txt": ("invalid UTF-8", Outcome(0, ["invalid-utf8.txt: 3 invalid UTF-8 byte(s) replaced"], ["invalid-utf8"])),
    "utf16-bom.txt": ("UTF-16 file with BOM", Outcome(0, [], ["utf16-bom"])),
    "report.pdf": ("unknown extension", Outcome(2, ["report.pdf: unsupported file type '.pdf'"], one_line=True)),
    "records.jsonl": (
        "malformed JSONL records",
        Outcome(3, ["records.jsonl:3: invalid JSON", "records.jsonl:4: record has no 'text'",
                    "records.jsonl:5: record is not a JSON object"], ["wire-1", "wire-2"]),
    ),
    "broken.json": ("malformed JSON file", Outcome(2, ["broken.json: invalid JSON"], one_line=True)),
    "bad-date.md": ("front matter with a bad date", Outcome(0, ["bad-date.md: unreadable date '2025-13-45' ignored"], ["bad-date"])),
    "page.html": ("HTML page with scripts and navigation", Outcome(0, [], ["page"])),
}


@pytest.mark.parametrize("name", list(FILES))
def test_corpus_file(server, tmp_path, name, reliability):
    what, expected = FILES[name]
    reliability("bad_input", what, describe(expected))
    out = tmp_path / "briefing.json"
    before = len(server.seen)
    briefing = check(brief(server, [CORPUS / name], out), out, expected)
    sent = [article_text(s.body) for s in server.seen[before:] if s.article != "briefing"]
    if name == "utf16-bom.txt":
        assert "Maroš Šefčovič" in sent[0] and "Brussels — The European Commission" in sent[0]
    if name == "invalid-utf8.txt":
        assert sent[0].count("\ufffd") == 3 and "Paris: The French finance minister" in sent[0]
    if name == "bad-date.md":
        # The --date anchors its relative dates, but is not shown as its publication date.
        assert briefing["articles"][0]["published"] is None and briefing["sources"][0]["published"] is None
    if name == "page.html":
        assert "Kuala Lumpur on Saturday" in sent[0] and "He Lifeng" in sent[0]
        for junk in ("TRACKING", "Subscribe", "cookies", "recipes", "Copyright", "dataLayer"):
            assert junk not in sent[0]
        assert briefing["articles"][0]["title"] == "Truce talks resume in Kuala Lumpur"


def describe(expected: Outcome) -> str:
    if expected.code == 2:
        return "exit 2, one-line error naming the file and the reason"
    if expected.code == 3:
        return "briefing from the good records; each bad one skipped with its line number; exit 3"
    return "briefing written" + (", with a warning saying what was repaired" if expected.stderr else "")


# --- cases built on the fly


def test_a_path_that_does_not_exist(server, tmp_path, reliability):
    reliability("bad_input", "a path that does not exist", "exit 2, one-line error")
    out = tmp_path / "briefing.json"
    check(brief(server, [tmp_path / "nope"], out), out, Outcome(2, ["nope: no such file or directory"], one_line=True))


def test_symlink_loops(server, tmp_path, reliability):
    reliability("bad_input", "symlink loops (a folder linking to itself, a file linking to itself)",
                "the good article summarised; the looping file skipped with its reason; exit 3")
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEEDS / "000_ca7bab2cb521082e.txt", folder / "good.txt")
    (folder / "loop").symlink_to(".")
    (folder / "self.txt").symlink_to("self.txt")
    out = tmp_path / "briefing.json"
    check(brief(server, [folder], out), out, Outcome(3, ["self.txt: symbolic link loop"], ["good"]))
    check(brief(server, [folder / "self.txt"], tmp_path / "x.json"), tmp_path / "x.json",
          Outcome(2, ["self.txt: symbolic link loop"], one_line=True))


def test_duplicate_articles_are_summarised_once(server, tmp_path, reliability):
    reliability("bad_input", "duplicate articles (same text, one with Windows line ends)",
                "summarised once; the duplicates named in the metadata; exit 0")
    folder = tmp_path / "in"
    folder.mkdir()
    text = (SEEDS / "001_19300aa6ee5f6738.txt").read_text(encoding="utf-8")
    (folder / "a.txt").write_text(text, encoding="utf-8")
    (folder / "b.txt").write_text(text, encoding="utf-8")
    (folder / "c.txt").write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    out = tmp_path / "briefing.json"
    before = len(server.seen)
    briefing = check(brief(server, [folder], out), out, Outcome(0, [], ["a"]))
    assert briefing["metadata"]["duplicates"] == {"b": "a", "c": "a"}
    assert len(server.seen) - before == 2  # one article call, one briefing call


def test_a_folder_with_nothing_readable(server, tmp_path, reliability):
    reliability("bad_input", "a folder with only unreadable files", "exit 2, each file's reason, then one error line")
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("empty.txt", "binary.txt", "broken.json"):
        shutil.copy(CORPUS / name, folder)
    out = tmp_path / "briefing.json"
    result = brief(server, [folder], out)
    check(result, out, Outcome(2, ["empty.txt: empty article", "binary.txt: not a text file",
                                   "error: no readable article in the given paths (3 file(s) skipped)"]))


TINY_FILES = 2000


def test_thousands_of_tiny_files(server, tmp_path, reliability):
    reliability("bad_input", f"a folder of {TINY_FILES:,} tiny files",
                "every one summarised, no file handle or task leak, terminal output stays short")
    folder = tmp_path / "tiny"
    folder.mkdir()
    for i in range(TINY_FILES):
        (folder / f"note-{i:05d}.txt").write_text(f"Port {i} handled {i * 7} containers on Monday, Ningbo officials said.\n")
    (folder / "zz-empty.txt").write_text("")
    for i in range(30):
        (folder / f"zz-binary-{i}.txt").write_bytes(b"\0\1\2")
    out = tmp_path / "briefing.json"
    result = brief(server, [folder], out, "--concurrency", "16", "--no-cache")
    briefing = check(result, out, Outcome(3, ["... and 21 more (all listed in the briefing's metadata)"],
                                          [f"note-{i:05d}" for i in range(TINY_FILES)]))
    assert len(briefing["metadata"]["failures"]) == 31
    assert len(result.stderr.splitlines()) < 20


# --- cases an outside probe found to end a whole run (issue: hardening)


def _seed_folder(tmp_path: Path, count: int = 2) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    for path in sorted(SEEDS.glob("*.txt"))[:count]:
        shutil.copy(path, folder)
    return folder


def _seed_ids(count: int = 2) -> list[str]:
    return [p.stem for p in sorted(SEEDS.glob("*.txt"))[:count]]


def test_a_file_name_that_is_not_utf8(server, tmp_path, reliability):
    reliability("bad_input", "a file name that is not valid UTF-8 (bytes caf\\xe9-\\xff)",
                "that article briefed under a safe id, with a warning; the others go on")
    folder = _seed_folder(tmp_path)
    text = (SEEDS / "000_ca7bab2cb521082e.txt").read_text(encoding="utf-8").replace("Bessent", "Bessant")
    with open(os.fsencode(folder) + b"/caf\xe9-\xff.txt", "wb") as handle:  # the name as raw bytes
        handle.write(text.encode("utf-8"))
    out = tmp_path / "briefing.json"
    briefing = check(brief(server, [folder], out), out, Outcome(0, ["the file name is not valid UTF-8"],
                                                                  [*_seed_ids(), "caf\ufffd-\ufffd"]))
    assert any("\ufffd" in s["path"] for s in briefing["sources"])


@pytest.mark.parametrize("kind", ["json", "jsonl"])
def test_json_nested_fifty_thousand_deep(server, tmp_path, kind, reliability):
    reliability("bad_input", f"a .{kind} {'file' if kind == 'json' else 'line'} of 50,000 nested arrays",
                "that file or line skipped with its reason; the rest briefed")
    folder = _seed_folder(tmp_path)
    deep = "[" * 50_000 + "]" * 50_000
    if kind == "json":
        (folder / "deep.json").write_text(deep, encoding="utf-8")
        expected = Outcome(3, ["deep.json: JSON nested too deeply"], _seed_ids())
    else:
        good = json.dumps({"id": "wire", "text": "The Commerce Ministry said on Friday that talks would go on."})
        (folder / "deep.jsonl").write_text(f"{good}\n{deep}\n", encoding="utf-8")
        expected = Outcome(3, ["deep.jsonl:2: JSON nested too deeply"], [*_seed_ids(), "wire"])
    out = tmp_path / "briefing.json"
    check(brief(server, [folder], out), out, expected)


def test_a_yaml_alias_bomb_in_front_matter(server, tmp_path, reliability):
    reliability("bad_input", "a YAML alias bomb (nested &a/*a) in .md front matter",
                "front matter set aside with a warning, in milliseconds; the article briefed")
    folder = _seed_folder(tmp_path)
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghi"):
        levels.append(f"{name}: &{name} [{','.join(['*' + 'abcdefghi'[i]] * 9)}]")
    bomb = "---\n" + "\n".join(levels) + "\ntitle: *i\n---\n\nThe Commerce Ministry said on Friday that talks would go on.\n"
    (folder / "bomb.md").write_text(bomb, encoding="utf-8")
    out = tmp_path / "briefing.json"
    briefing = check(brief(server, [folder], out), out,
                     Outcome(0, ["bomb.md: malformed YAML front matter (uses a YAML alias"], [*_seed_ids(), "bomb"]))
    assert len(json.dumps(briefing)) < 200_000


def test_nul_bytes_after_the_first_8kb(server, tmp_path, reliability):
    reliability("bad_input", "a .txt file whose NUL bytes start after 8 KB", "skipped as binary, one line; the rest briefed")
    folder = _seed_folder(tmp_path)
    (folder / "late-binary.txt").write_bytes(b"The ministry said talks went on. " * 300 + b"\x00\x01\x02" * 100)
    out = tmp_path / "briefing.json"
    check(brief(server, [folder], out), out, Outcome(3, ["late-binary.txt: not a text file (binary content)"], _seed_ids()))


# --- outputs that cannot be written, and templates that do not render


@pytest.mark.parametrize("where", ["a folder", "under a file", "in /proc"])
def test_an_output_that_cannot_be_written_is_found_before_any_model_call(server, tmp_path, where, reliability):
    reliability("bad_input", f"-o naming {where}", "exit 2, one line, before any model call")
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    out = {"a folder": tmp_path, "under a file": tmp_path / "afile" / "b.json",
           "in /proc": Path("/proc/1/briefing.json")}[where]
    before = len(server.seen)
    result = brief(server, [SEEDS / "000_ca7bab2cb521082e.txt"], out)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and f"cannot write {out}" in result.stderr
    assert len(server.seen) == before


def test_a_final_write_that_fails_keeps_the_model_work(server, tmp_path, reliability):
    reliability("cache", "the disk fills at the final write (os.replace fails with ENOSPC)",
                "exit 2, one line; the rerun writes it from the cache with no model call; stale .tmp removed")
    out = tmp_path / "briefing.json"
    stale = tmp_path / f".briefing.json.{_dead_pid()}.x1y2.tmp"
    stale.write_text("half a briefing", encoding="utf-8")
    full_disk = (
        "import errno, os, sys\n"
        "def replace(*args): raise OSError(errno.ENOSPC, 'No space left on device')\n"
        "os.replace = replace\n"
        "from summarizer.cli import main\n"
        "sys.argv = ['summarizer'] + sys.argv[1:]\n"
        "main()\n"
    )
    args = ["brief", str(SEEDS / "000_ca7bab2cb521082e.txt"), "--date", "2025-10-26", "-o", str(out), "--format", "json",
            "--base-url", server.base_url, "--model", "echo", "--no-log"]
    failed = subprocess.run([sys.executable, "-c", full_disk, *args], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert failed.returncode == 2 and "Traceback" not in failed.stderr, failed.stderr
    assert "cannot write" in failed.stderr and "No space left on device" in failed.stderr and not out.exists()
    assert not stale.exists() and not list(tmp_path.glob(".briefing.json.*.tmp"))
    calls = len(server.seen)
    again = brief(server, [SEEDS / "000_ca7bab2cb521082e.txt"], out)
    assert again.returncode == 0, again.stderr
    assert len(server.seen) == calls and json.loads(out.read_text(encoding="utf-8"))["metadata"]["model_calls"] == 0


def _dead_pid() -> int:
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(finished.stdout)


@pytest.mark.parametrize("typo", ["undefined", "syntax", "sandbox"])
def test_a_template_that_does_not_render(server, tmp_path, typo, reliability):
    reliability("bad_input", f"a template with a {typo} error", "exit 2, one line naming the file and the line")
    folder = tmp_path / "mine"
    shutil.copytree(ROOT / "prompts" / "default", folder)
    source = (folder / "article.user.j2").read_text(encoding="utf-8")
    broken = {"undefined": source.replace("article.id", "artcle.id", 1),
              "syntax": source + "\n{% if x %}\n",
              "sandbox": source + '\n{{ "".__class__.__mro__ }}\n'}[typo]
    (folder / "article.user.j2").write_text(broken, encoding="utf-8")
    out = tmp_path / "briefing.json"
    result = brief(server, [SEEDS / "000_ca7bab2cb521082e.txt"], out, "-t", str(folder))
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "article.user.j2, line " in result.stderr and not out.exists()


def test_a_full_disk_under_the_cache_warns_a_few_times_not_once_per_entry(server, tmp_path, reliability):
    reliability("cache", "the cache's disk full for 30 articles (every cache write fails)",
                "briefing written; the warning shown 3 times, then said to be held back")
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(30):
        (folder / f"a{i:02d}.txt").write_text(
            f"Report {i}. The Commerce Ministry said on Friday that talks on the tariff truce would resume in round {i}.",
            encoding="utf-8")
    full_disk = (
        "import errno, sys, diskcache\n"
        "def full(*args, **kwargs): raise OSError(errno.ENOSPC, 'No space left on device')\n"
        "diskcache.Cache.set = full\n"
        "from summarizer.cli import main\n"
        "sys.argv = ['summarizer'] + sys.argv[1:]\n"
        "main()\n"
    )
    out = tmp_path / "briefing.json"
    args = ["brief", str(folder), "--date", "2025-10-26", "-o", str(out), "--format", "json",
            "--base-url", server.base_url, "--model", "echo", "--no-log"]
    result = subprocess.run([sys.executable, "-c", full_disk, *args], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert "Traceback" not in result.stderr and out.exists(), result.stderr
    for kind in ("reply", "result"):  # a model call's reply, a whole fill's result: two kinds of warning
        warned = [line for line in result.stderr.splitlines() if "could not cache the article" in line and f" {kind} (" in line]
        assert len(warned) == 3 and "not shown" in warned[-1]
