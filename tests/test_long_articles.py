"""An article several times the model's context: split with overlap, extracted per chunk, merged back.

The model here is a FAKE (summarizer.fakes.FunctionModel) that names the
people written in the chunk it is sent, quoting their sentence; it shows
where each chunk's facts end up, not how good a model is.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re

import pytest

from summarizer import chunks
from summarizer.align import sentences
from summarizer.articles import Article
from summarizer.backends import ModelSettings
from summarizer.extract import ARTICLE_MAX_TOKENS
from summarizer.fakes import FunctionModel
from summarizer.pipeline import Run
from summarizer.tokens import embedded_tokens, estimate_tokens

from .conftest import SEEDS
from .echo_model import article_text, echo_reply
from .fake_openai_server import FakeOpenAIServer
from .test_bad_input import Outcome, brief, check

PEOPLE = {
    3: "Treasury Secretary Scott Bessent said the truce would hold until November 10.",
    540: "Vice Premier He Lifeng said the next round would open on November 3.",
    1099: "Finance Minister Zelda Quistgaard said on December 3 that the levy would end.",
}
NAMES = ["Scott Bessent", "He Lifeng", "Zelda Quistgaard"]


def long_text(paragraphs: int = 1100) -> str:
    countries = ["Malaysia", "Brazil", "Kenya", "Norway", "Chile", "Vietnam", "Poland"]
    parts = []
    for k in range(paragraphs):
        parts.append(
            PEOPLE.get(k)
            or f"Paragraph {k}: delegates from {countries[k % len(countries)]} reviewed clause {k} of the draft "
            f"on port fees and export controls, and asked for item {k * 3} to be clarified."
        )
    return "\n\n".join(parts)


def people_in_chunk(request):
    text = article_text(request.body)
    actors = []
    for name in NAMES:
        where = next((s for s in sentences(text) if name in s), None)
        if where:
            actors.append({"name": name, "role": "", "evidence": [where]})
    return {"summary": sentences(text)[0], "actors": actors}


CONTEXT = 8192


def test_split_covers_the_text_with_overlap_and_cuts_between_sentences():
    text = long_text()
    limit = chunks.budget_tokens(CONTEXT, ARTICLE_MAX_TOKENS)
    parts = chunks.split(text, limit)
    assert len(parts) >= 5  # "several times the context"
    assert parts[0].start == 0 and parts[-1].end == len(text)
    for before, after in zip(parts, parts[1:]):
        assert after.start < before.end  # overlap: nothing falls between two chunks
        assert estimate_tokens(text[after.start : before.end]) <= limit * chunks.OVERLAP_SHARE + 50
        assert text[before.end - 2 : before.end].strip() == "" or text[before.end - 1] in ".!?"
    assert all(estimate_tokens(p.text) <= limit and p.text == text[p.start : p.end] for p in parts)


def test_chunks_are_sized_in_tokens_not_characters():
    # Digits and symbols cost more tokens per character than prose: the same
    # number of characters makes more chunks.
    prose = long_text(300)
    dense = "\n\n".join(f"Row {k}: 4.1%/7.9%; $12.3bn (+0.4); ISIN-US{k:08d}; 2025-10-{k % 28 + 1:02d}." for k in range(800))
    dense = dense[: len(prose)]
    limit = 2000
    assert len(chunks.split(dense, limit)) > len(chunks.split(prose, limit))
    assert all(estimate_tokens(p.text) <= limit for p in chunks.split(dense, limit))


def test_a_text_no_longer_than_the_budget_is_never_estimated_over_it():
    # chunks.split takes a text no longer than its budget as one chunk without counting it: every
    # estimated token must cover a character at least, whatever the text is made of.
    for text in ("a", "ab cd", "?!.,;", "\u00e9t\u00e9 \u4e2d\u6587 \U0001f600", "x" * 7 + "." * 5, "Row 1: 4.1%/7.9%; $12.3bn",
                 "\t\n \u200b\u00a0-", (SEEDS / "000_ca7bab2cb521082e.txt").read_text(encoding="utf-8")):
        assert estimate_tokens(text) <= len(text), text
        assert len(chunks.split(text, len(text))) == 1


def test_the_embedded_count_is_the_models_own():
    pytest.importorskip("llama_cpp")
    text = (SEEDS / "000_ca7bab2cb521082e.txt").read_text(encoding="utf-8")
    exact = embedded_tokens(text)
    assert 400 < exact < estimate_tokens(text)  # the estimate errs on the safe side


def test_one_endless_sentence_is_still_cut():
    text = "word " * 5000
    parts = chunks.split(text, 600)
    assert parts[-1].end == len(text) and all(estimate_tokens(p.text) <= 600 for p in parts)


def test_a_long_article_is_extracted_per_chunk_and_quotes_point_into_the_whole_text(reliability):
    reliability("bad_input", "a huge article (about 5 times the model's context)",
                "split into overlapping chunks, extracted per chunk, merged; every quote aligned to the whole text")
    text = long_text()
    article = Article(id="long", text=text, published=dt.date(2025, 10, 26))
    model = FunctionModel(people_in_chunk)
    run = Run(settings=ModelSettings(model="fake", mode="json_schema", context_tokens=CONTEXT), backend=model)
    briefing = asyncio.run(run.brief([article], dt.date(2025, 10, 26)))
    [summary] = briefing.articles
    article_calls = [r for r in model.requests if r.labels["stage"] == "article"]
    assert summary.chunks == len(article_calls) >= 5
    limit = chunks.budget_tokens(CONTEXT, ARTICLE_MAX_TOKENS)
    for request in article_calls:
        assert estimate_tokens(article_text(request.body)) <= limit
        assert re.search(r"This is part \d+ of \d+ of a long article", json.dumps(request.body["messages"]))
    # Each person once, whichever chunk (or two overlapping chunks) they were found in.
    assert sorted(a.name for a in summary.actors) == sorted(NAMES)
    for actor in summary.actors:
        for quote in actor.evidence:
            assert text[quote.start : quote.end] == quote.text
            assert actor.name in quote.text
    last = next(a for a in summary.actors if a.name == "Zelda Quistgaard")
    assert last.evidence[0].start > len(text) - 200  # found in the last chunk, placed at the end of the text


def test_a_huge_file_through_the_command_line(tmp_path, reliability):
    reliability("bad_input", "a huge article file via the CLI (--context-tokens 8192)", "exit 0, one request per chunk")
    path = tmp_path / "huge.txt"
    path.write_text(long_text(), encoding="utf-8")
    out = tmp_path / "briefing.json"
    with FakeOpenAIServer(echo_reply) as server:
        briefing = check(brief(server, [path], out, "--context-tokens", "8192"), out, Outcome(0, [], ["huge"]))
        asked = [s for s in server.seen if s.article != "briefing"]
    assert briefing["articles"][0]["chunks"] == len(asked) >= 5
