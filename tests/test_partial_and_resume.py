"""Partial failure, crashes, the shared cache and secrets, through the real command line.

Every test here runs `python -m summarizer brief` as a subprocess against the
FAKE OpenAI-compatible server (tests/fake_openai_server.py), whose replies are
scripted from the hand-written reference, never from a model.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from .conftest import ROOT, SEEDS
from .fake_openai_server import FakeOpenAIServer, Gate, Reply, Status, scripted_faults
from .test_remote_endpoint import SECRET, scripted

A = "000_ca7bab2cb521082e"
SEED_IDS = sorted(p.stem for p in SEEDS.glob("*.txt"))


@pytest.fixture
def folder(tmp_path) -> Path:
    """Four seed articles in a folder of their own."""
    target = tmp_path / "articles"
    target.mkdir()
    for stem in SEED_IDS[:4]:
        shutil.copy(SEEDS / f"{stem}.txt", target)
    return target


@pytest.fixture
def good(gold, seed_articles):
    return scripted(gold, seed_articles)


def command(server: FakeOpenAIServer, folder: Path, out: Path, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "summarizer", "brief", str(folder), "--date", "2025-10-26", "-o", str(out),
        "--format", "json", "--base-url", server.base_url, "--model", "fake-model", "--mode", "json_schema",
        "--timeout", "2", "--attempts", "2", "--call-budget", "10", *extra,
    ]


def env() -> dict[str, str]:
    return {**os.environ, "OPENAI_API_KEY": SECRET}


def brief(server, folder, out, *extra) -> subprocess.CompletedProcess:
    return subprocess.run(
        command(server, folder, out, *extra), capture_output=True, text=True, cwd=ROOT, env=env(), timeout=120
    )


# --- partial failure


def test_a_failed_article_is_listed_and_the_exit_code_says_partial(folder, tmp_path, good, reliability):
    reliability("cache", "one article fails, the others succeed", "briefing written from the others; failure listed; exit 3")
    out = tmp_path / "briefing.json"
    with FakeOpenAIServer(scripted_faults({A: [Status(500)] * 10}, good)) as server:
        result = brief(server, folder, out)
        allowed = brief(server, folder, tmp_path / "allowed.json", "--allow-partial", "--no-cache")
    assert result.returncode == 3, result.stderr
    briefing = json.loads(out.read_text(encoding="utf-8"))
    assert sorted(a["article_id"] for a in briefing["articles"]) == SEED_IDS[1:4]
    [failure] = briefing["metadata"]["failures"]
    assert failure["article_id"] == A and "after 2 attempts" in failure["reason"] and "500" in failure["reason"]
    assert f"failed: article {A}: model call failed after 2 attempts" in result.stderr
    assert "Traceback" not in result.stderr
    assert allowed.returncode == 0 and f"failed: article {A}" in allowed.stderr


def test_every_article_failing_writes_nothing_and_keeps_the_old_briefing(folder, tmp_path, good, reliability):
    reliability("cache", "every article fails", "exit 1, one-line reason, yesterday's briefing left as it was")
    out = tmp_path / "briefing.json"
    out.write_text("yesterday\n", encoding="utf-8")
    with FakeOpenAIServer(scripted_faults({"*": [Status(503)] * 100}, good)) as server:
        result = brief(server, folder, out)
    assert result.returncode == 1
    assert out.read_text(encoding="utf-8") == "yesterday\n"
    assert "error: no article could be summarised; nothing written" in result.stderr
    assert "Traceback" not in result.stderr


# --- a run killed part-way: the rerun redoes only what is missing


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=lambda s: s.name)
def test_a_run_killed_part_way_redoes_only_what_is_missing(folder, tmp_path, good, sig, reliability):
    reliability("cache", f"run killed by {sig.name} after 2 of 4 articles", "rerun makes 2 article calls + 1 briefing call")
    out = tmp_path / "briefing.json"
    out.write_text("yesterday\n", encoding="utf-8")
    answered = 0
    holding = True
    lock = threading.Lock()

    def first_two_then_hold(body):
        # Articles go one at a time (--concurrency 1), so when the third request
        # arrives the first two replies are already in the cache.
        nonlocal answered
        with lock:
            answered += 1
            n = answered
        return Gate(good(body)) if holding and n > 2 else good(body)

    # One server for both runs: its address is part of every cache key.
    with FakeOpenAIServer(first_two_then_hold) as server:
        process = subprocess.Popen(
            command(server, folder, out, "--concurrency", "1"), cwd=ROOT, env=env(),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        assert server.wait_for_requests(3), "the run never reached its third article"
        process.send_signal(sig)
        _, stderr = process.communicate(timeout=60)
        first_run = [s.article for s in server.seen]
        holding = False
        server.release()
        rerun = brief(server, folder, out, "--concurrency", "1")
        asked = [s.article for s in server.seen][len(first_run):]
    if sig == signal.SIGKILL:
        assert process.returncode == -signal.SIGKILL
    else:
        assert process.returncode == 130, stderr
        assert "interrupted" in stderr and "Traceback" not in stderr
    assert first_run == SEED_IDS[:3]
    assert rerun.returncode == 0, rerun.stderr
    assert asked == [*SEED_IDS[2:4], "briefing"]  # not the two already answered
    metadata = json.loads(out.read_text(encoding="utf-8"))["metadata"]
    assert metadata["cache_hits"] == 2 and metadata["model_calls"] == 3


# --- the cache


def test_two_processes_share_one_cache_at_once(folder, tmp_path, good, reliability):
    reliability("cache", "two `summarizer brief` processes on one cache at once", "both finish with the same briefing")
    slow = lambda body: Reply(good(body), delay=0.2)  # noqa: E731  -- keeps the two runs overlapping
    with FakeOpenAIServer(scripted_faults({"*": [slow] * 100}, good)) as server:
        outs = [tmp_path / "one.json", tmp_path / "two.json"]
        processes = [
            subprocess.Popen(command(server, folder, o), cwd=ROOT, env=env(), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
            for o in outs
        ]
        results = [p.communicate(timeout=120) + (p.returncode,) for p in processes]
        third = brief(server, folder, tmp_path / "three.json")
    assert third.returncode == 0, third.stderr
    for _, stderr, code in results:
        assert code == 0, stderr
        assert "Traceback" not in stderr
    one, two = (json.loads(o.read_text(encoding="utf-8")) for o in outs)
    for briefing in (one, two):
        briefing.pop("metadata")
    assert one == two and len(one["articles"]) == 4
    assert json.loads((tmp_path / "three.json").read_text(encoding="utf-8"))["metadata"]["model_calls"] == 0


def cache_db() -> Path:
    return Path(os.environ["SUMMARIZER_CACHE_DIR"]) / "cache.db"


@pytest.mark.parametrize("damage", ["truncated JSON", "unreadable pickle"])
def test_a_damaged_cache_entry_is_a_miss_that_gets_replaced(folder, tmp_path, good, damage, reliability):
    reliability("cache", f"cache entry damaged ({damage})", "warned, asked the model again, entry replaced")
    out = tmp_path / "briefing.json"
    with FakeOpenAIServer(good) as server:
        assert brief(server, folder, out).returncode == 0
        with sqlite3.connect(cache_db()) as db:
            # The day's finished result (summarizer.daycache) would answer the rerun whole: without
            # it, the rerun reads the cached calls, one of them damaged.
            db.execute("DELETE FROM Cache WHERE key LIKE 'day:%'")
            if damage == "truncated JSON":
                db.execute("UPDATE Cache SET value = substr(value, 1, 40) WHERE value LIKE '%" + A + "%'")
            else:  # mode 4 is diskcache's pickle mode: garbage bytes to unpickle
                db.execute("UPDATE Cache SET mode = 4, value = x'80ff00' WHERE value LIKE '%" + A + "%'")
        calls_before = len(server.seen)
        second = brief(server, folder, out)
        calls_second = len(server.seen) - calls_before
        third = brief(server, folder, out)
        calls_third = len(server.seen) - calls_before - calls_second
    assert second.returncode == 0, second.stderr
    assert f"warning: cache entry for the article {A} request is damaged" in second.stderr
    assert calls_second == 1  # only the damaged entry was asked again
    assert third.returncode == 0 and calls_third == 0 and "is damaged" not in third.stderr


def test_a_damaged_day_result_is_rebuilt_from_the_cached_calls(folder, tmp_path, good, reliability):
    reliability("cache", "the day's finished result damaged", "warned, rebuilt from the cached calls, no model call")
    out = tmp_path / "briefing.json"
    with FakeOpenAIServer(good) as server:
        assert brief(server, folder, out).returncode == 0
        first = json.loads(out.read_text(encoding="utf-8"))
        with sqlite3.connect(cache_db()) as db:
            assert db.execute("UPDATE Cache SET value = x'00ff' WHERE key LIKE 'day:%'").rowcount == 1
        calls_before = len(server.seen)
        second = brief(server, folder, out)
        calls = len(server.seen) - calls_before
    assert second.returncode == 0, second.stderr
    assert "could not read the day's result" in second.stderr and calls == 0
    rebuilt = json.loads(out.read_text(encoding="utf-8"))
    first.pop("metadata"), rebuilt.pop("metadata")
    assert rebuilt == first


@pytest.mark.parametrize("extra", [(), ("--one-story",)], ids=["grouped", "one story"])
def test_a_rerun_of_the_same_day_reads_its_finished_result(folder, tmp_path, good, extra):
    out = tmp_path / "briefing.json"
    with FakeOpenAIServer(good) as server:
        assert brief(server, folder, out, *extra).returncode == 0
        first = json.loads(out.read_text(encoding="utf-8"))
        assert brief(server, folder, out, *extra).returncode == 0
    again = json.loads(out.read_text(encoding="utf-8"))
    # What the rerun cost: nothing from the model, every call the cache's.
    assert again["metadata"]["model_calls"] == 0 and again["metadata"]["cache_hits"] == first["metadata"]["model_calls"]
    assert "from_cache" in again["metadata"]["timings"]
    first.pop("metadata"), again.pop("metadata")
    assert again == first


def test_a_damaged_cache_database_does_not_stop_the_run(folder, tmp_path, good, reliability):
    reliability("cache", "cache database overwritten with garbage", "warned, ran without the cache, exit 0")
    cache_db().parent.mkdir(parents=True, exist_ok=True)
    cache_db().write_bytes(b"this is not a database" * 100)
    with FakeOpenAIServer(good) as server:
        result = brief(server, folder, tmp_path / "briefing.json")
    assert result.returncode == 0, result.stderr
    assert "unusable" in result.stderr and "running without a cache" in result.stderr
    assert len(result.stderr.splitlines()) < 8 and "Traceback" not in result.stderr


# --- secrets and permissions


def test_no_secret_reaches_anything_a_run_writes(folder, tmp_path, good, reliability):
    reliability("cache", "API key in the environment, echoed back by the server in errors", "found nowhere a run writes")
    echo = Status(500, message=f"upstream rejected Authorization: Bearer {SECRET}")
    fixtures = tmp_path / "recorded"
    with FakeOpenAIServer(scripted_faults({A: [echo] * 10}, good)) as server:
        runs = [
            brief(server, folder, tmp_path / "briefing.json"),
            brief(server, folder, tmp_path / "recorded.json", "--fixtures", str(fixtures), "--fixture-mode", "record", "--no-cache"),
        ]
        # The key did reach the server, where it belongs.
        assert all({k.lower(): v for k, v in s.headers.items()}["authorization"] == f"Bearer {SECRET}" for s in server.seen)
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.name == "cache.db" for p in written) and any(p.parent == fixtures for p in written)
    assert Path(os.environ["SUMMARIZER_LOGS_DB"]).exists()
    blobs = [p.read_bytes() for p in written] + [(r.stdout + r.stderr).encode() for r in runs]
    key_like = re.compile(rb"(?<![A-Za-z])sk-[A-Za-z0-9_-]{6,}")
    bearer_token = re.compile(rb"Bearer\s+(?!\*\*\*)\S")  # "Bearer ***" is the redacted form
    for blob in blobs:
        assert SECRET.encode() not in blob and not key_like.search(blob) and not bearer_token.search(blob)
    assert all(f"failed: article {A}" in r.stderr and "***" in r.stderr for r in runs)


def test_outputs_and_cache_are_readable_by_the_user_alone(folder, tmp_path, good, reliability):
    reliability("cache", "file permissions of outputs, cache and run log", "owner-only (no group or other bits)")
    out = tmp_path / "briefing.json"
    with FakeOpenAIServer(good) as server:
        assert brief(server, folder, out).returncode == 0
    cache = Path(os.environ["SUMMARIZER_CACHE_DIR"])
    paths = [out, cache, Path(os.environ["SUMMARIZER_LOGS_DB"]), *cache.rglob("*")]
    loose = [f"{p} {stat.filemode(p.stat().st_mode)}" for p in paths if p.stat().st_mode & 0o077]
    assert loose == []


# --- record: the documented way fixtures are made, against any endpoint


def test_record_writes_fixtures_that_replay_to_the_same_briefing(folder, tmp_path, good):
    fixtures = tmp_path / "fixtures"
    with FakeOpenAIServer(good) as server:
        recorded = subprocess.run(
            [sys.executable, "-m", "summarizer", "record", str(folder), "--fixtures", str(fixtures),
             "--date", "2025-10-26", "--base-url", server.base_url, "--model", "fake-model", "--mode", "json_schema",
             "--no-cache", "--timeout", "30"],
            capture_output=True, text=True, cwd=ROOT, env=env(), timeout=120,
        )
        calls, endpoint = len(server.seen), server.base_url
    assert recorded.returncode == 0, recorded.stderr
    exchanges = [p for p in fixtures.glob("*.json") if p.name != "briefing.json"]
    assert len(exchanges) == calls == len(list(folder.glob("*.txt"))) + 1  # each article, then the briefing
    replayed = subprocess.run(
        [sys.executable, "-m", "summarizer", "brief", str(folder), "--date", "2025-10-26", "-f", "json",
         "-o", str(tmp_path / "replayed.json"), "--fixtures", str(fixtures), "--fixture-mode", "replay",
         "--base-url", endpoint, "--model", "fake-model", "--mode", "json_schema", "--no-log"],  # the server is gone
        capture_output=True, text=True, cwd=ROOT, env=env(), timeout=120,
    )
    assert replayed.returncode == 0, replayed.stderr
    first, again = (json.loads(p.read_text(encoding="utf-8")) for p in (fixtures / "briefing.json", tmp_path / "replayed.json"))
    first.pop("metadata"), again.pop("metadata")
    assert first == again


# --- the run stops at an answer no retry can change


def test_a_refused_key_stops_the_run_with_one_line(folder, tmp_path, good, reliability):
    reliability("fault", "401 for every request of a 5-article run (CLI, --concurrency 4)",
                "exit 1 and one line; at most the requests already in flight were sent, none retried")
    out = tmp_path / "briefing.json"
    with FakeOpenAIServer(scripted_faults({"*": [Status(401, message="Incorrect API key provided")] * 100}, good)) as server:
        result = brief(server, folder, out, "--timeout", "30")  # a slow machine must not turn a 401 into a retried timeout
        sent = len(server.seen)
    assert result.returncode == 1 and not out.exists()
    assert len(result.stderr.strip().splitlines()) == 1 and "refused the request: 401" in result.stderr
    assert sent <= 4 and SECRET not in result.stderr


def test_an_article_that_would_take_too_many_calls_is_not_sent(folder, tmp_path, good, reliability):
    reliability("bad_input", "an article of 400 KB that needs 50+ model calls at --context-tokens 4096",
                "that article failed before any call, saying how many and how to allow them; the others briefed")
    words = "The Commerce Ministry said on Friday that tariff talks would resume next week in Geneva. "
    (folder / "huge.txt").write_text(words * 4700, encoding="utf-8")
    out = tmp_path / "briefing.json"
    with FakeOpenAIServer(good) as server:
        result = brief(server, folder, out, "--context-tokens", "4096", "--one-story")
        asked = server.calls_by_article()
    assert result.returncode == 3, result.stderr
    assert "huge" not in asked
    assert "need" in result.stderr and "--max-calls-per-article" in result.stderr
    briefing = json.loads(out.read_text(encoding="utf-8"))
    assert sorted(a["article_id"] for a in briefing["articles"]) == sorted(p.stem for p in folder.glob("*.txt") if p.stem != "huge")
