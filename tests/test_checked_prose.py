"""The briefing's prose is shown sentence by sentence, each with the article sentences it rests on,
and a sentence whose names, figures or dates its sources do not carry is left out, with its reason."""

from __future__ import annotations

import asyncio
import datetime as dt
import json

from summarizer import ModelSettings, abuild_briefing, build_briefing
from summarizer.articles import load_articles
from summarizer.fakes import FunctionModel
from summarizer.render import to_markdown

from .conftest import FIXTURES, ROOT, SEEDS
from .independent_prose_check import unsupported_prose

DAY = dt.date(2025, 10, 26)
CLEAN = "Scott Bessent and He Lifeng held a video call on October 17."
WRONG_DATE = "The tariff truce is set to expire on November 9."  # only a 2017 photo caption says November 9
INVENTED_PLACE = "The two sides will meet in Gyeongangbu before the summit."
WRONG_FIGURE = "Trump threatened 250% tariffs on Chinese imports from November 1."
CLEAN_TOO = "The US-China tariff truce agreement is set to expire on November 10."


def salted_briefing(headline: str = "US and Chinese economic chiefs agree to hold new trade talks"):
    """A FAKE model's fluent narrative, salted with one wrong date, one invented place and one wrong figure."""

    def reply(request):
        return {
            "headline": headline,
            "executive_summary": " ".join([CLEAN, WRONG_DATE, INVENTED_PLACE, WRONG_FIGURE, CLEAN_TOO]),
            "key_developments": [],
        }

    # constrain_quotes: the articles are read by rules, so the fake answers only the briefing call.
    settings = ModelSettings(model="fake", base_url="http://127.0.0.1:9/v1", constrain_quotes=True)
    articles = load_articles([SEEDS], default_published=DAY).articles
    return asyncio.run(abuild_briefing(articles, date=DAY, backend=FunctionModel(reply, identity="fake"), settings=settings))


def test_salted_sentences_are_dropped_with_their_reason_and_clean_ones_shown_with_citations():
    briefing = salted_briefing()
    assert [s.text for s in briefing.summary] == [CLEAN, CLEAN_TOO]
    reasons = {d.text: d.reason for d in briefing.prose_dropped}
    assert reasons[WRONG_DATE].startswith("the date 'November 9' (2025-11-09) is not in its sources")
    assert "Gyeongangbu" in reasons[INVENTED_PLACE]
    assert "250" in reasons[WRONG_FIGURE]
    texts = {a.id: a.text for a in load_articles([SEEDS]).articles}
    for sentence in briefing.summary:
        assert sentence.citations
        for q in sentence.citations:
            assert texts[q.article_id][q.start:q.end] == q.text
    assert "October 17th" in " ".join(q.text for q in briefing.summary[0].citations)
    assert briefing.executive_summary == f"{CLEAN} {CLEAN_TOO}"
    assert unsupported_prose(json.loads(briefing.model_dump_json()), SEEDS) == []


def test_markdown_numbers_each_citation_and_lists_what_was_left_out():
    page = to_markdown(salted_briefing())
    # The headline's citation is [1]; the summary's sentences go on from there.
    assert page.startswith("# US and Chinese economic chiefs agree to hold new trade talks [1]\n")
    assert f"{CLEAN} [2] {CLEAN_TOO} [3]" in page
    assert "\n[1]: " in page and "\n[3]: " in page
    assert "Gyeongangbu" not in page.split("## Run")[0]
    assert "sentences of the model's prose not shown: 3" in page


def test_an_unsupported_headline_gives_way_to_a_checked_sentence():
    briefing = salted_briefing(headline="Xi and Trump sign a deal in Gyeongangbu")
    assert "Gyeongangbu" not in briefing.headline and briefing.headline_citations
    assert any(d.section == "headline" for d in briefing.prose_dropped)


def test_the_embedded_models_recorded_prose_states_nothing_its_citations_do_not():
    for folder, fixtures, day in (
        (SEEDS, FIXTURES / "seeds", DAY),
        (ROOT / "tests" / "corpus" / "dev-story", FIXTURES / "dev-story", dt.date(2025, 11, 4)),
        (ROOT / "tests" / "corpus" / "dev-story-2", FIXTURES / "dev-story-2", dt.date(2025, 11, 8)),
    ):
        settings = ModelSettings(fixtures=fixtures, fixture_mode="replay", use_cache=False)
        briefing = build_briefing([folder], date=day, settings=settings)
        assert briefing.summary, "no checked sentence at all"
        assert unsupported_prose(json.loads(briefing.model_dump_json()), folder) == []


def test_a_date_the_article_does_not_carry_is_not_shown_as_its_publication_date():
    briefing = salted_briefing()
    assert all(s.published is None for s in briefing.sources)
    assert "publication date unknown" in to_markdown(briefing)
    titled = {s.article_id: s.title for s in briefing.sources}
    assert titled["002_7a3739aae1c47e77"].startswith("'Rare earths controls vs 100%% tariffs'")


def test_a_clause_of_the_models_own_fails_a_sentence_whose_other_words_are_the_sources():
    from summarizer.prose import check_sentence, sources_of

    articles = {a.id: a for a in load_articles([SEEDS], default_published=DAY).articles}
    sources = sources_of(articles)
    assert check_sentence(CLEAN, sources, DAY).problem is None
    added = "Scott Bessent and He Lifeng held a video call on October 17, which ended the quarrel for good."
    problem = check_sentence(added, sources, DAY).problem
    assert problem and problem.startswith("the clause 'which ended the quarrel for good'")


def test_a_figure_joined_to_a_name_from_another_sentence_is_dropped():
    # The embedded model wrote "the House of Representatives voted 60-40" on the shutdown story: the
    # Senate voted 60-40, and another sentence names the House. Each half is true; the sentence is not.
    from summarizer.prose import check_sentence, sources_of

    corpus = ROOT / "tests" / "corpus" / "multi-story" / "day2"
    articles = {a.id: a for a in load_articles([corpus / "000_dw.md", corpus / "001_munsifdaily.md"]).articles}
    sources = sources_of(articles)
    day = dt.date(2025, 11, 11)
    joined = "On Monday, the House of Representatives voted 60-40 to reopen the government."
    problem = check_sentence(joined, sources, day).problem
    assert problem and "'House'" in problem and problem.endswith("are not in one source sentence")
    assert check_sentence("On Monday, the Senate voted 60-40 to reopen the federal government.", sources, day).problem is None


def test_the_indexed_search_for_citations_finds_what_reading_every_sentence_finds(monkeypatch):
    # The prose check reads the days of only the sentences that could be cited (prose.Sources): a day
    # of 2,000 articles has 16,000 sentences. Whatever it skips, the sentence it picks at each step must
    # be the one a plain search of every sentence, every day read, picks: same score, the first of equals.
    import random

    from summarizer import prose
    from summarizer.candidates import sentence_spans

    def every_sentence(sources, names, numbers, days, words, chosen):
        def score(s):
            facts = len(names.intersection(s.tokens)) + len(numbers & s.numbers) + len(days & s.days)
            return (2 * facts + len(words.intersection(s.words)), facts)

        best = max((i for i in range(len(sources.sources)) if i not in chosen),
                   key=lambda i: (score(sources.sources[i]), -i), default=None)
        return None if best is None or score(sources.sources[best]) == (0, 0) else best

    compared = []
    indexed = prose.Sources.most_telling
    plain: list = []  # the day's sentences, searched in full

    def both(self, names, numbers, days, words, chosen):
        found = indexed(self, names, numbers, days, words, chosen)
        compared.append(found == every_sentence(plain[-1], names, numbers, days, words, chosen))
        return found

    monkeypatch.setattr(prose.Sources, "most_telling", both)
    rng = random.Random(3)
    for folder, day in ((SEEDS, DAY), (ROOT / "tests" / "corpus" / "multi-story" / "day2", dt.date(2025, 11, 11))):
        articles = {a.id: a for a in load_articles([folder], default_published=day).articles}
        sentences = [s.text for a in articles.values() for s in sentence_spans(a.text)]
        words = " ".join(sentences).split()
        plain.append(prose.sources_of(articles))
        for text in rng.sample(sentences, 40):
            swapped = text.split()
            for _ in range(3):
                swapped[rng.randrange(len(swapped))] = rng.choice(words)
            dated = text.rstrip(".").split()
            dated.insert(rng.randrange(len(dated) + 1), rng.choice(["on November 1", "yesterday", "next week", "in 2017", "at 45%"]))
            for sentence in (text, " ".join(swapped), " ".join(dated) + "."):
                prose.check_sentence(sentence, prose.sources_of(articles), day)  # nothing read yet
    assert len(compared) > 200 and all(compared)
