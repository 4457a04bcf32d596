"""The benchmark: how close `summarizer` gets to what the model endpoint allows.

    .venv/bin/python bench/run.py                 # everything, about 9 minutes on 2 cores
    .venv/bin/python bench/run.py --skip-embedded # the fake-endpoint part only, about 4 minutes

Part 1 runs `summarizer brief` (a real subprocess, as a user would) against a
FAKE OpenAI-compatible server on loopback that answers every call after a
fixed latency (default 200 ms) with replies built from the article text
(tests/echo_model.py). For each size of synthetic articles (10, 100 and 1,000 by
default) it prints:

* pipeline wall time (from the first request to the briefing assembled,
  as the run metadata records it) against the ideal
  ceil(N / concurrency) x latency + one briefing call, as a ratio;
* the same command again, fully cached: wall time of the whole process,
  interpreter start included;
* our own cost per article with a zero-latency server (templates,
  validation, grounding, HTTP, cache), in ms;
* the peak memory (max RSS) of the cold run's process;
* the time from launching the process to the endpoint's first request;
* with --langextract-python, LangExtract on the same articles and the same
  fake endpoint, one call per article, as many in flight (its replies are
  FAKE too, in LangExtract's fenced JSON), against our pipeline time.

The goal sizes of issue 17 are

    bench/run.py --sizes 100,2000,10000 --latency 0.5 --concurrency 64,64,256 \
        --repeat 1 --skip-embedded --stories 0 --langextract-python /tmp/lx/bin/python

Part 2 (`--stories N`, 1,000 by default, 0 skips it) briefs two days of N
synthetic articles on many stories, in one process at zero latency, the
second `--since` the first, and prints what grouping into stories and
matching the days add per article, against the whole run.

Part 3 uses the embedded SmolLM2 on the seeds: generation speed through our
whole stack against llama.cpp's server called directly with the very same
request body, as a ratio, and the cold and warm wall time of
`summarizer brief seeds/`.

Nothing here is asserted: machines are noisy. The figures are printed, and
with --json also written to a file.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from bench.fake_endpoint import FakeEndpoint, precomputed  # noqa: E402
from bench.synthetic import write_articles, write_story_articles  # noqa: E402
from summarizer.articles import load_articles  # noqa: E402
from tests.echo_model import BRIEFING_REPLY, echo_for_text  # noqa: E402

console = Console()


def measure_one(args: list[str]) -> None:
    """Helper mode: run one CLI command and print wall time and peak RSS of exactly that child."""
    import resource

    started = time.perf_counter()
    launched = time.monotonic()  # CLOCK_MONOTONIC: comparable with the fake endpoint's clock in the parent
    result = subprocess.run([sys.executable, "-m", "summarizer", *args], cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"wall": wall, "peak_mb": peak_kb / 1024, "code": result.returncode, "launched": launched,
                      "stderr": result.stderr[-2000:]}))


def measured(args: list[str], env: dict[str, str]) -> dict:
    helper = subprocess.run(
        [sys.executable, __file__, "--measure-one", json.dumps(args)], cwd=ROOT, env=env,
        capture_output=True, text=True,
    )
    result = json.loads(helper.stdout.strip().splitlines()[-1])
    if result["code"] not in (0, 3):
        raise SystemExit(f"summarizer failed ({result['code']}): {result['stderr']}")
    return result


def langextract_reply(body: bytes) -> str:
    """A FAKE LangExtract answer to a prompt on one synthetic article: the people and measures it
    names, in LangExtract's fenced JSON (its few-shot example's names are not among them)."""
    from bench.synthetic import MEASURES, PEOPLE

    task = body.rsplit(b"Q: ", 1)[-1]  # the article under the last question, after the example
    items = [{"actor": name, "actor_attributes": {"role": role}} for role, name in PEOPLE if name.encode() in task]
    items += [{"measure": measure} for measure in MEASURES if measure.encode() in task][:1]
    return "```json\n" + json.dumps({"extractions": items}) + "\n```"


def langextract_row(python: str, folder: Path, n: int, latency: float, concurrency: int, repeat: int) -> dict | None:
    """LangExtract on the same articles and the same FAKE endpoint: seconds for the extraction (median)."""
    runs = []
    with FakeEndpoint({}, BRIEFING_REPLY, latency, other=langextract_reply) as server:
        for _ in range(repeat):
            result = subprocess.run([python, str(ROOT / "bench" / "langextract_side.py"), str(folder), server.base_url,
                                     str(concurrency)], capture_output=True, text=True)
            if result.returncode != 0:
                console.print(f"[yellow]LangExtract run failed: {result.stderr.strip()[-500:]}[/yellow]")
                return None
            runs.append(json.loads(result.stdout.strip().splitlines()[-1]))
    runs.sort(key=lambda r: r["seconds"])
    middle = runs[len(runs) // 2]
    return {**middle, "calls": server.calls // repeat}


def fake_endpoint_part(sizes: list[int], latency: float, concurrencies: list[int], work: Path, repeat: int,
                       langextract: str | None = None) -> list[dict]:
    env = {**os.environ, "SUMMARIZER_LOGS_DB": str(work / "logs.db")}
    env.pop("OPENAI_API_KEY", None)
    # The tool as installed: pip compiles its bytecode at install, and a checkout's first run
    # writes it (into the ignored __pycache__ folders). Where PYTHONDONTWRITEBYTECODE is set
    # (this project's development machines set it) every launch compiled our modules again:
    # 70 ms of the time to the first request that no user pays.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "summarizer")], check=True, env=env)
    rows = []
    for n, concurrency in zip(sizes, concurrencies):
        folder = work / f"articles-{n}"
        write_articles(folder, n)
        texts = {a.id: a.text for a in load_articles([folder]).articles}
        replies = precomputed(texts, echo_for_text)
        with FakeEndpoint(replies, BRIEFING_REPLY, latency) as server, FakeEndpoint(replies, BRIEFING_REPLY, 0) as instant:
            out = work / f"briefing-{n}.json"

            def args(url: str, cache: Path | None, target: Path = out) -> list[str]:
                return [
                    "brief", str(folder), "--date", "2025-10-26", "--format", "json", "-o", str(target),
                    "--base-url", url, "--model", "bench", "--mode", "json_schema", "-q",
                    "--concurrency", str(concurrency),
                    *(["--cache-dir", str(cache)] if cache else ["--no-cache"]),
                ]

            ideal = math.ceil(n / concurrency) * latency + latency
            runs = []
            for attempt in range(repeat):
                cache = work / f"cache-{n}-{attempt}"
                console.print(f"[dim]N={n}, run {attempt + 1}/{repeat}: cold at {latency * 1000:.0f} ms per call, "
                              "then cached, then at zero latency...[/dim]")
                server.first_request_at = None
                cold = measured(args(server.base_url, cache), env)
                cold["first_request_s"] = (server.first_request_at or math.nan) - cold["launched"]
                meta = json.loads(out.read_text(encoding="utf-8"))["metadata"]
                warm = measured(args(server.base_url, cache), env)
                warm_meta = json.loads(out.read_text(encoding="utf-8"))["metadata"]
                measured(args(instant.base_url, None, work / f"zero-{n}.json"), env)
                zero_meta = json.loads((work / f"zero-{n}.json").read_text(encoding="utf-8"))["metadata"]
                runs.append((meta["elapsed_seconds"] - meta["timings"].get("model_startup", 0.0),
                             cold, meta, warm, warm_meta, zero_meta))
            # The run with the median pipeline time stands for the size: a noisy neighbour moves one run, not three.
            _, cold, meta, warm, warm_meta, zero_meta = sorted(runs, key=lambda r: r[0])[len(runs) // 2]
            rows.append({
                "articles": n,
                "concurrency": concurrency,
                "latency_ms": latency * 1000,
                "ideal_s": ideal,
                "pipeline_s": meta["elapsed_seconds"],
                "startup_s": meta["timings"].get("model_startup", 0.0),
                # The ideal has no start-up; ours (importing the client, once per process) is shown apart.
                "ratio": (meta["elapsed_seconds"] - meta["timings"].get("model_startup", 0.0)) / ideal,
                "cold_process_s": cold["wall"],
                # From launching the process to the endpoint seeing its first request.
                "first_request_s": cold["first_request_s"],
                "warm_process_s": warm["wall"],
                "warm_model_calls": warm_meta["model_calls"],
                # Our cost per article when the model answers at once, start-up left out (see its column).
                "overhead_ms_per_article":
                    (zero_meta["elapsed_seconds"] - zero_meta["timings"].get("model_startup", 0.0)) * 1000 / n,
                "peak_mb": cold["peak_mb"],
                "model_calls": meta["model_calls"],
                "tokens_by_stage": meta["tokens_by_stage"],
                "repeats": repeat,
                "warm_process_all_s": sorted(r[3]["wall"] for r in runs),
            })
            if langextract:
                console.print(f"[dim]N={n}: LangExtract on the same articles and endpoint...[/dim]")
                rows[-1]["langextract"] = langextract_row(langextract, folder, n, latency, concurrency, repeat)
            shutil.rmtree(folder)
    return rows


def fake_table(rows: list[dict]) -> Table:
    table = Table(title="fake OpenAI-compatible endpoint on loopback (echo replies)")
    for column in ("articles", "in flight", "ideal", "pipeline", "of it start-up", "ratio", "to first request",
                   "cold process", "cached process", "overhead / article", "peak RSS", "LangExtract"):
        table.add_column(column, justify="right")
    for r in rows:
        other = r.get("langextract")
        # LangExtract's extraction time against our pipeline time (both without start-up): how many times faster.
        versus = (f"{other['seconds']:.2f} s ({other['seconds'] / (r['pipeline_s'] - r['startup_s']):.1f}x ours)"
                  if other else "-")
        table.add_row(
            str(r["articles"]), str(r["concurrency"]), f"{r['ideal_s']:.2f} s", f"{r['pipeline_s']:.2f} s",
            f"{r['startup_s']:.2f} s", f"{r['ratio']:.2f}", f"{r['first_request_s']:.2f} s",
            f"{r['cold_process_s']:.2f} s", f"{r['warm_process_s']:.2f} s",
            f"{r['overhead_ms_per_article']:.1f} ms", f"{r['peak_mb']:.0f} MB", versus,
        )
    return table


# --- a day of many stories: grouping and matching against the per-article cost


def stories_part(n: int, work: Path) -> dict:
    """Two days of n synthetic articles on many stories (ten articles each; the second day shares half
    of its stories with the first), in one process, the model answering at
    once (FAKE echo replies): what grouping into stories and `--since` matching add per article."""
    from summarizer import ModelSettings
    from summarizer.changes import earlier_run
    from summarizer.fakes import FunctionModel
    from summarizer.pipeline import Run, load
    from summarizer.templates import load_template
    from tests.echo_model import echo_reply

    write_story_articles(work / "day-a", n)
    write_story_articles(work / "day-b", n, first=n // 2)
    settings = ModelSettings(model="bench", base_url="http://127.0.0.1:9/v1", use_cache=False, concurrency=64)

    async def day(folder: Path, since=None):
        backend = FunctionModel(lambda request: echo_reply(request.body), identity="fake:echo")
        async with Run(settings=settings, template=load_template(None), backend=backend) as run:
            started = time.monotonic()
            page, briefed = await run.brief_stories(load([folder], dt.date(2025, 10, 26)).articles, since=since)
            return page, briefed, time.monotonic() - started

    console.print(f"[dim]stories: two days of {n} articles, the second --since the first...[/dim]")
    _, first, _ = asyncio.run(day(work / "day-a"))
    page, _, total = asyncio.run(day(work / "day-b", earlier_run({s.id: b for s, b in first})))
    timings = page.metadata.timings
    return {
        "articles": n, "stories": len(page.stories), "earlier_stories": len(first), "written_stories": n // 10,
        "total_ms_per_article": total * 1000 / n,
        "grouping_ms_per_article": timings["grouping"] * 1000 / n,
        "matching_ms_per_article": timings["changes"] * 1000 / n,
    }


def stories_table(figures: dict) -> Table:
    table = Table(title=f"a day of many stories: {figures['articles']} articles written as {figures['written_stories']} "
                        f"stories, grouped into {figures['stories']}; model answering at once")
    table.add_column("what")
    table.add_column("per article", justify="right")
    table.add_column("share", justify="right")
    total = figures["total_ms_per_article"]
    table.add_row("whole run (read, summarise, group, brief each story, match)", f"{total:.2f} ms", "100%")
    for label, key in (("grouping into stories", "grouping_ms_per_article"),
                       (f"matching {figures['stories']} stories to {figures['earlier_stories']} earlier ones, changes",
                        "matching_ms_per_article")):
        table.add_row(label, f"{figures[key]:.2f} ms", f"{figures[key] / total:.0%}")
    return table


# --- the embedded model


def _post(url: str, body: dict) -> dict:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=900) as answer:
        return json.loads(answer.read())


def embedded_part(work: Path) -> dict:
    from summarizer.articles import load_articles
    from summarizer.backends import ModelSettings
    from summarizer.calls import ChatReply, ChatRequest
    from summarizer.embedded import EmbeddedModel
    from summarizer.pipeline import Run
    from summarizer.providers import to_llama_cpp_python
    from summarizer.templates import load_template

    class Timed:
        """Passes calls to the embedded model and keeps the last request body and reply."""

        def __init__(self, inner: EmbeddedModel) -> None:
            self.inner, self.identity, self.model, self.max_concurrency = inner, inner.identity, inner.model, 1
            self.body: dict | None = None

        async def complete(self, request: ChatRequest) -> ChatReply:
            self.body = dict(request.body)
            return await self.inner.complete(request)

        async def aclose(self) -> None:
            await self.inner.aclose()

    article = load_articles([ROOT / "seeds" / "000_ca7bab2cb521082e.txt"]).articles[0]
    flush = {"messages": [{"role": "user", "content": "Say hello."}], "max_tokens": 4, "temperature": 0}

    async def measure() -> dict:
        model = EmbeddedModel()
        timed = Timed(model)
        # The small template has the model write an article's schema (extraction: fill): a real
        # generation to time. The default reads the article by rules and would send nothing.
        run = Run(settings=ModelSettings(use_cache=False), template=load_template("small"), backend=timed)
        try:
            await model._ensure_client()  # start the server outside the timings
            url = f"{model.server.base_url}/chat/completions"
            ours, direct = [], []
            for _ in range(2):
                # A short unrelated prompt in between: llama.cpp would otherwise
                # reuse the previous prompt's cache and flatter whoever goes second.
                await asyncio.to_thread(_post, url, flush)
                before = run.client.stats.completion_tokens
                started = time.perf_counter()
                await run.summarize(article)  # embedded settings: constrained, 8192-token context
                seconds = time.perf_counter() - started
                ours.append((run.client.stats.completion_tokens - before) / seconds)
                body = to_llama_cpp_python({**timed.body, "model": model.model})
                await asyncio.to_thread(_post, url, flush)
                started = time.perf_counter()
                reply = await asyncio.to_thread(_post, url, body)
                seconds = time.perf_counter() - started
                direct.append(reply["usage"]["completion_tokens"] / seconds)
            return {"ours_tok_s": max(ours), "direct_tok_s": max(direct), "ratio": max(ours) / max(direct)}
        finally:
            await run.aclose()

    console.print("[dim]embedded: tokens per second, our stack against the server called directly...[/dim]")
    speed = asyncio.run(measure())
    env = {**os.environ, "SUMMARIZER_CACHE_DIR": str(work / "embedded-cache"), "SUMMARIZER_LOGS_DB": str(work / "logs.db")}
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "SUMMARIZER_MODEL"):
        env.pop(name, None)
    args = ["brief", "seeds/", "--date", "2025-10-26", "-q", "-o", str(work / "seeds.md")]
    console.print("[dim]embedded: summarizer brief seeds/, cold then warm...[/dim]")
    cold = measured(args, env)
    warm = measured(args, env)
    return {**speed, "cold_s": cold["wall"], "cold_peak_mb": cold["peak_mb"], "warm_s": warm["wall"]}


def embedded_table(figures: dict) -> Table:
    table = Table(title="embedded SmolLM2-135M on the seeds")
    table.add_column("what")
    table.add_column("figure", justify="right")
    table.add_row("generation through summarizer", f"{figures['ours_tok_s']:.1f} tok/s")
    table.add_row("llama.cpp server called directly, same request", f"{figures['direct_tok_s']:.1f} tok/s")
    table.add_row("ratio", f"{figures['ratio']:.2f}")
    table.add_row("summarizer brief seeds/, cold", f"{figures['cold_s']:.1f} s (peak RSS {figures['cold_peak_mb']:.0f} MB)")
    table.add_row("summarizer brief seeds/, warm", f"{figures['warm_s']:.2f} s")
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10,100,1000", help="article counts (default 10,100,1000)")
    parser.add_argument("--latency", type=float, default=0.2, help="seconds per fake call (default 0.2)")
    parser.add_argument("--concurrency", default="16",
                        help="requests in flight: one figure, or one per size (e.g. 64,64,256)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per size; the median is shown (default 3)")
    parser.add_argument("--skip-embedded", action="store_true", help="leave out the embedded-model part")
    parser.add_argument("--stories", type=int, default=1000, help="articles per day in the stories part (0 skips it)")
    parser.add_argument("--langextract-python", metavar="PYTHON",
                        help="an interpreter with langextract and openai installed: adds LangExtract on the same "
                             "articles and endpoint as a column (e.g. python -m venv /tmp/lx && /tmp/lx/bin/pip "
                             "install langextract openai, then --langextract-python /tmp/lx/bin/python)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--measure-one", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.measure_one:
        measure_one(json.loads(options.measure_one))
        return
    sizes = [int(n) for n in options.sizes.split(",") if n]
    concurrencies = [int(c) for c in options.concurrency.split(",") if c]
    if len(concurrencies) == 1:
        concurrencies *= len(sizes)
    if len(concurrencies) != len(sizes):
        parser.error("--concurrency takes one figure, or one per size")
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.system()}"
    console.print(f"machine: {machine}")
    with tempfile.TemporaryDirectory(prefix="summarizer-bench-") as tmp:
        work = Path(tmp)
        rows = fake_endpoint_part(sizes, options.latency, concurrencies, work, options.repeat,
                                  options.langextract_python) if sizes else []
        if rows:
            console.print(fake_table(rows))
        stories = None
        if options.stories:
            stories = stories_part(options.stories, work)
            console.print(stories_table(stories))
        embedded = None
        if not options.skip_embedded:
            embedded = embedded_part(work)
            console.print(embedded_table(embedded))
    if options.json:
        options.json.write_text(json.dumps({"machine": machine, "fake": rows, "stories": stories, "embedded": embedded}, indent=2) + "\n")


if __name__ == "__main__":
    main()
