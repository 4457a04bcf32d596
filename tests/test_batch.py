"""Batch mode (--batch) against a FAKE of the OpenAI Batch API (tests/fake_openai_server.py).

The fake accepts the JSONL upload, reports the batch in progress once, then
completes it by answering each line with the replies scripted from the
hand-written reference (named fakes, as in test_faults).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from .conftest import ROOT, SEEDS
from .fake_openai_server import FakeOpenAIServer, Reply, Status, scripted_faults
from .test_remote_endpoint import SECRET, scripted

A = "000_ca7bab2cb521082e"
IDS = sorted(p.stem for p in SEEDS.glob("*.txt"))[:3]


@pytest.fixture
def folder(tmp_path):
    target = tmp_path / "articles"
    target.mkdir()
    for stem in IDS:
        shutil.copy(SEEDS / f"{stem}.txt", target)
    return target


@pytest.fixture
def good(gold, seed_articles):
    return scripted(gold, seed_articles)


def command(server, folder, out, *extra):
    return [
        sys.executable, "-m", "summarizer", "brief", str(folder), "--date", "2025-10-26", "-o", str(out),
        "--format", "json", "--base-url", server.base_url, "--model", "fake-model", "--mode", "json_schema",
        "--batch", "--batch-poll", "0.05", *extra,
    ]


def brief(server, folder, out, *extra):
    return subprocess.run(command(server, folder, out, *extra), capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "OPENAI_API_KEY": SECRET}, timeout=120)


def test_a_batch_run_matches_the_online_run(folder, tmp_path, good):
    with FakeOpenAIServer(good) as server:
        result = brief(server, folder, tmp_path / "batch.json")
        online = subprocess.run(
            [a for a in command(server, folder, tmp_path / "online.json", "--no-cache") if a not in ("--batch", "--batch-poll", "0.05")],
            capture_output=True, text=True, cwd=ROOT, env={**os.environ, "OPENAI_API_KEY": SECRET}, timeout=120,
        )
        batches = dict(server.batches)
    assert result.returncode == 0, result.stderr
    assert online.returncode == 0, online.stderr
    batch, live = (json.loads((tmp_path / n).read_text(encoding="utf-8")) for n in ("batch.json", "online.json"))
    # Articles in one batch, the briefing in a second: its request needs their summaries.
    assert batch["metadata"]["batches"] == ["batch_1", "batch_2"] and len(batches) == 2
    assert batch["metadata"]["model_calls"] == 4 and batch["metadata"]["prompt_tokens"] == 4 * 11
    assert "batch batch_1: submitted 3 request(s)" in result.stderr and "in_progress" in result.stderr
    batch.pop("metadata"), live.pop("metadata")
    assert batch == live  # validated and grounded exactly as online


def test_a_reply_that_needs_a_re_ask_takes_another_round(folder, tmp_path, good):
    with FakeOpenAIServer(scripted_faults({A: [Reply('{"summary": 42')]}, good)) as server:
        result = brief(server, folder, tmp_path / "b.json")
    assert result.returncode == 0, result.stderr
    briefing = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))
    assert briefing["metadata"]["batches"] == ["batch_1", "batch_2", "batch_3"]
    assert next(a for a in briefing["articles"] if a["article_id"] == A)["attempts"] == 2


def test_a_request_that_fails_in_its_batch_fails_that_article_only(folder, tmp_path, good, reliability):
    reliability("fault", "a batch line answered 500", "that article failed with the batch's reason; others briefed; exit 3")
    with FakeOpenAIServer(scripted_faults({A: [Status(500, message="overloaded")] * 5}, good)) as server:
        result = brief(server, folder, tmp_path / "b.json")
    assert result.returncode == 3, result.stderr
    briefing = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))
    [failure] = briefing["metadata"]["failures"]
    assert failure["article_id"] == A and "batch request failed (500): overloaded" in failure["reason"]
    assert sorted(a["article_id"] for a in briefing["articles"]) == IDS[1:]


def test_an_interrupted_batch_run_resumes_its_batch(folder, tmp_path, good, reliability):
    reliability("cache", "batch run interrupted while its batch is in progress", "rerun resumes the same batch; nothing resubmitted")
    with FakeOpenAIServer(good) as server:
        server.batch_looks_to_finish = 10_000
        process = subprocess.Popen(command(server, folder, tmp_path / "b.json"), cwd=ROOT, text=True,
                                   env={**os.environ, "OPENAI_API_KEY": SECRET},
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        while server.batch_looks < 2:
            assert process.poll() is None, process.communicate()[1]
            time.sleep(0.02)
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=60)
        assert list(server.batches) == ["batch_1"]
        server.batch_looks_to_finish = 1
        result = brief(server, folder, tmp_path / "b.json")
        batches = list(server.batches)
    assert result.returncode == 0, result.stderr
    assert "batch batch_1: resuming" in result.stderr
    assert batches == ["batch_1", "batch_2"]  # the articles' batch was not submitted twice


def test_batch_id_collects_a_batch_submitted_from_elsewhere(folder, tmp_path, good):
    # Another machine (another cache) submitted the articles' batch; --batch-id collects it, alone implying --batch.
    with FakeOpenAIServer(good) as server:
        first = brief(server, folder, tmp_path / "a.json", "--cache-dir", str(tmp_path / "one"))
        assert first.returncode == 0, first.stderr
        args = [a for a in command(server, folder, tmp_path / "b.json") if a != "--batch"]
        result = subprocess.run([*args, "--batch-id", "batch_1", "--cache-dir", str(tmp_path / "two")],
                                capture_output=True, text=True, cwd=ROOT, timeout=120,
                                env={**os.environ, "OPENAI_API_KEY": SECRET})
        batches = list(server.batches)
    assert result.returncode == 0, result.stderr
    assert "batch batch_1: resuming" in result.stderr
    assert batches == ["batch_1", "batch_2", "batch_3"]  # only the briefing call was sent again
    assert json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))["metadata"]["batches"] == ["batch_1", "batch_3"]


def test_batch_needs_the_cache(folder, tmp_path, good):
    with FakeOpenAIServer(good) as server:
        result = brief(server, folder, tmp_path / "b.json", "--no-cache")
    assert result.returncode == 2 and "cannot run with --no-cache" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


# --- batch mode is the library's, not the CLI's: Python callers and the HTTP service have it too


def test_python_callers_get_batch_mode_from_settings(folder, tmp_path, good, monkeypatch):
    from summarizer import ModelSettings, build_briefing
    from summarizer.errors import UsageError

    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    with FakeOpenAIServer(good) as server:
        settings = ModelSettings.from_env(base_url=server.base_url, model="fake-model", mode="json_schema",
                                          batch=True, batch_poll=0.05, cache_dir=tmp_path / "cache")
        briefing = build_briefing([folder], date=__import__("datetime").date(2025, 10, 26), settings=settings)
        assert briefing.metadata.batches == ["batch_1", "batch_2"]
        assert len(briefing.articles) == 3 and briefing.metadata.model_calls == 4
        # Batch mode composes its own backend: one handed in cannot be honoured.
        with pytest.raises(UsageError, match="its own backend"):
            build_briefing([folder], settings=settings, backend=object())


def test_the_service_in_batch_mode_answers_jobs_only(folder, tmp_path, good):
    from .test_service import TOKEN, free_port

    articles = [{"id": p.stem, "text": p.read_text(encoding="utf-8")} for p in sorted(folder.glob("*.txt"))]
    with FakeOpenAIServer(good) as model:
        port = free_port()
        env = {**os.environ, "SUMMARIZER_API_TOKEN": TOKEN, "SUMMARIZER_CACHE_DIR": str(tmp_path / "cache"),
               "OPENAI_API_KEY": SECRET}
        service = subprocess.Popen(
            [sys.executable, "-m", "summarizer", "serve", "--port", str(port), "--base-url", model.base_url,
             "--model", "fake-model", "--mode", "json_schema", "--batch", "--batch-poll", "0.05"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        try:
            call = _caller(f"http://127.0.0.1:{port}", TOKEN)
            body = {"date": "2025-10-26", "articles": articles}
            status, answer = call("POST", "/v1/briefings", body)
            assert status == 422 and "?async=true" in answer["error"]
            status, answer = call("POST", "/v1/briefings?async=true", body)
            assert status == 202
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                status, job = call("GET", answer["url"])
                if job["status"] in ("done", "failed"):
                    break
                time.sleep(0.1)
            assert job["status"] == "done", job
            assert job["result"]["metadata"]["batches"] == ["batch_1", "batch_2"]
            assert len(job["result"]["articles"]) == 3
        finally:
            service.send_signal(signal.SIGTERM)
            service.wait(timeout=20)


def _caller(url: str, token: str):
    import urllib.error
    import urllib.request

    def call(method: str, path: str, body: object = None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url + path, data=data, method=method,
                                         headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(request, timeout=60) as answer:
                    return answer.status, json.loads(answer.read())
            except urllib.error.HTTPError as error:
                return error.code, json.loads(error.read())
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)  # the service is still starting

    return call


def test_a_day_of_many_stories_goes_through_batches_too(tmp_path):
    # FAKE replies built from each article's own text (tests/echo_model.py).
    from .echo_model import echo_reply

    day = ROOT / "tests" / "corpus" / "multi-story" / "day1"
    with FakeOpenAIServer(echo_reply) as server:
        result = brief(server, day, tmp_path / "batch.json", "--date", "2025-11-10")
        online = subprocess.run(
            [a for a in command(server, day, tmp_path / "online.json", "--no-cache", "--date", "2025-11-10")
             if a not in ("--batch", "--batch-poll", "0.05")],
            capture_output=True, text=True, cwd=ROOT, env={**os.environ, "OPENAI_API_KEY": SECRET}, timeout=120,
        )
    assert result.returncode == 0, result.stderr
    assert online.returncode == 0, online.stderr
    batch, live = (json.loads((tmp_path / n).read_text(encoding="utf-8")) for n in ("batch.json", "online.json"))
    # Six articles in one batch, then the three stories' briefing calls in a second.
    assert batch["metadata"]["batches"] == ["batch_1", "batch_2"] and batch["metadata"]["model_calls"] == 6 + 3
    assert [s["article_ids"] for s in batch["stories"]] == [s["article_ids"] for s in live["stories"]]
    for story in batch["stories"]:
        mine = json.loads((tmp_path / story["briefing"]).read_text(encoding="utf-8"))
        other = json.loads((tmp_path / story["briefing"].replace("batch.stories", "online.stories")).read_text(encoding="utf-8"))
        mine.pop("metadata"), other.pop("metadata")
        assert mine == other
