"""A day of many stories: articles grouped into stories, each briefed on its own, under a front page.

Measured against tests/corpus/multi-story (four real stories over two days,
labelled by hand in fixtures/multi-story.gold.json).
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from collections import Counter

import pytest
from sklearn.metrics import adjusted_rand_score

from summarizer.articles import load_articles
from summarizer.candidates import summarize_from_candidates
from summarizer.schemas import FrontPage
from summarizer.stories import group_stories

from .conftest import FIXTURES, ROOT, SEEDS

CORPUS = ROOT / "tests" / "corpus" / "multi-story"
GOLD = json.loads((FIXTURES / "multi-story.gold.json").read_text(encoding="utf-8"))
DAYS = GOLD["days"]


def truth(day: str) -> dict[str, str]:
    return {i: key for key, story in GOLD["stories"].items() for i in story["articles"].get(day, [])}


def scores(stories, labels: dict[str, str]) -> tuple[float, float]:
    """(adjusted Rand index, share of articles in the story most of their group belongs to)."""
    found = {i: n for n, s in enumerate(stories) for i in s.article_ids}
    ids = sorted(labels)
    ari = adjusted_rand_score([labels[i] for i in ids], [found[i] for i in ids])
    right = 0
    for story in stories:
        majority = Counter(labels[i] for i in story.article_ids).most_common(1)[0][1]
        right += majority
    return ari, right / len(ids)


@pytest.mark.parametrize("day", ["day1", "day2"])
@pytest.mark.parametrize("reading", ["rules", "text only"])
def test_articles_are_grouped_into_their_stories(day, reading):
    articles = load_articles([CORPUS / day]).articles
    summaries = {a.id: summarize_from_candidates(a) for a in articles} if reading == "rules" else {}
    stories = group_stories(articles, summaries)
    ari, share = scores(stories, truth(day))
    assert ari >= 0.9 and share >= 0.9, [s.article_ids for s in stories]
    assert sorted(i for s in stories for i in s.article_ids) == sorted(a.id for a in articles)  # none dropped
    assert all(s.shared_terms for s in stories if len(s.article_ids) > 1)  # why they were grouped


@pytest.mark.parametrize("folder", [SEEDS, ROOT / "tests/corpus/dev-story", ROOT / "tests/corpus/dev-story-2"])
def test_a_folder_of_one_story_stays_one_story(folder):
    articles = load_articles([folder]).articles
    assert len(group_stories(articles, {a.id: summarize_from_candidates(a) for a in articles})) == 1


def test_stories_do_not_depend_on_the_order_of_the_articles():
    articles = load_articles([CORPUS / "day2", SEEDS]).articles
    summaries = {a.id: summarize_from_candidates(a) for a in articles}
    first = [(s.id, s.article_ids) for s in group_stories(articles, summaries)]
    random.Random(7).shuffle(articles)
    assert [(s.id, s.article_ids) for s in group_stories(articles, summaries)] == first
    assert any(sorted(s.article_ids) == sorted(p.stem for p in SEEDS.glob("*.txt")) for s in group_stories(articles, summaries))


def test_a_mixed_day_writes_a_front_page_and_a_briefing_per_story(tmp_path):
    out = tmp_path / "today.md"
    replay = ["--fixture-mode", "replay", "--fixtures", str(FIXTURES / "multi-story" / "day2"), "--no-log"]
    for fmt in ("md", "json", "html"):
        target = out.with_suffix(f".{fmt}")
        result = subprocess.run(
            [sys.executable, "-m", "summarizer", "brief", str(CORPUS / "day2"), "--date", DAYS["day2"], "-f", fmt,
             "-o", str(target), *replay], capture_output=True, text=True, cwd=ROOT, timeout=120,
        )
        assert result.returncode == 0, result.stderr
        assert "4 stories from 9 article(s)" in result.stderr
    page = FrontPage.model_validate_json(out.with_suffix(".json").read_text(encoding="utf-8"))
    assert [s.sources for s in page.stories] == sorted((s.sources for s in page.stories), reverse=True)
    labels = truth("day2")
    for story in page.stories:
        assert len({labels[i] for i in story.article_ids}) == 1
        briefing = json.loads((tmp_path / story.briefing).read_text(encoding="utf-8"))
        assert sorted(a["article_id"] for a in briefing["articles"]) == sorted(story.article_ids)
        assert story.headline == briefing["headline"]
    markdown = out.read_text(encoding="utf-8")
    assert all(f"]({s.briefing.replace('.json', '.md')})" in markdown for s in page.stories)
    html = out.with_suffix(".html").read_text(encoding="utf-8")
    assert all(f'href="{s.briefing.replace(".json", ".html")}"' in html for s in page.stories)
    assert (tmp_path / "today.stories" / f"{page.stories[0].id}.html").read_text(encoding="utf-8").startswith("<!doctype html>")


def test_one_story_on_request(tmp_path):
    out = tmp_path / "b.json"
    result = subprocess.run(
        [sys.executable, "-m", "summarizer", "brief", str(CORPUS / "day2"), "--date", DAYS["day2"], "-f", "json",
         "-o", str(out), "--one-story", "--fixture-mode", "replay", "--fixtures", str(FIXTURES / "multi-story"),
         "--no-log", "--allow-partial"], capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert len(json.loads(out.read_text(encoding="utf-8"))["articles"]) == 9


def test_python_callers_get_the_front_page_and_each_story(tmp_path):
    from summarizer import ModelSettings, build_front_page

    settings = ModelSettings(fixture_mode="replay", fixtures=FIXTURES / "multi-story" / "day1", use_cache=False)
    page, briefings = build_front_page([CORPUS / "day1"], date=__import__("datetime").date.fromisoformat(DAYS["day1"]),
                                       settings=settings)
    assert len(page.stories) == 3 and set(briefings) == {s.id for s in page.stories}
    assert all(not b.metadata.failures for b in briefings.values())  # every story's briefing call was recorded


def test_the_stories_briefing_calls_are_in_flight_together():
    # A day of 50 stories on a provider taking 2 s a call waited 100 s when they went one by one.
    import asyncio
    import datetime as dt

    from summarizer import ModelSettings, abuild_front_page
    from summarizer.fakes import FunctionModel

    in_flight, most = 0, 0

    async def slow_briefing(request):  # a FAKE model: the articles are read by rules, so only briefings ask
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        await asyncio.sleep(0.05)
        in_flight -= 1
        return {"headline": "", "executive_summary": "", "key_developments": []}

    backend = FunctionModel(slow_briefing, identity="fake")
    settings = ModelSettings(model="fake", base_url="http://127.0.0.1:9/v1", constrain_quotes=True, use_cache=False)
    page, briefings = asyncio.run(abuild_front_page([CORPUS / "day1"], date=dt.date.fromisoformat(DAYS["day1"]),
                                                    settings=settings, backend=backend))
    assert len(briefings) == most == len(backend.requests) >= 3
    # The calls cannot be told apart by story: every story's metadata gives the run's, not a running total.
    assert {b.metadata.model_calls for b in briefings.values()} == {page.metadata.model_calls} == {len(briefings)}


def test_articles_without_a_word_to_compare_are_each_a_story():
    from summarizer.articles import Article

    articles = [Article(id="a", text="+ ù"), Article(id="b", text="42 !")]
    stories = group_stories(articles, {})
    assert sorted(s.article_ids for s in stories) == [["a"], ["b"]]


def test_each_storys_briefing_is_the_same_in_any_process(tmp_path):
    # Python orders sets by a hash seeded per process (seeds 6 and 7 order {"40", "60"} differently):
    # no reason shown to the reader may depend on it.
    import os

    shown = []
    for seed in ("6", "7"):
        out = tmp_path / seed / "front.json"
        done = subprocess.run(
            [sys.executable, "-m", "summarizer", "brief", str(CORPUS / "day2"), "--date", DAYS["day2"], "-f", "json",
             "-o", str(out), "--fixture-mode", "replay", "--fixtures", str(FIXTURES / "multi-story" / "day2"), "--no-log"],
            capture_output=True, text=True, cwd=ROOT, timeout=120,
            env={**os.environ, "PYTHONHASHSEED": seed, "SUMMARIZER_CACHE_DIR": str(tmp_path / seed / "cache")},
        )
        assert done.returncode == 0, done.stderr
        stories = sorted((out.parent / "front.stories").glob("*.json"))
        shown.append({p.name: {k: v for k, v in json.loads(p.read_text()).items() if k != "metadata"} for p in stories})
    assert shown[0] == shown[1]


def test_a_rerun_of_the_day_is_free_and_one_more_article_recomputes_only_its_story(tmp_path):
    # FAKE replies built from each article's own text (tests/echo_model.py), through the disk cache.
    import os
    import shutil

    from .echo_model import echo_reply
    from .fake_openai_server import FakeOpenAIServer

    folder = tmp_path / "today"
    shutil.copytree(CORPUS / "day1", folder)
    env = {**os.environ, "SUMMARIZER_CACHE_DIR": str(tmp_path / "cache"), "OPENAI_API_KEY": "k"}
    with FakeOpenAIServer(echo_reply) as server:
        def brief() -> list[str]:
            before = len(server.seen)
            done = subprocess.run(
                [sys.executable, "-m", "summarizer", "brief", str(folder), "--date", DAYS["day1"], "-f", "json",
                 "-o", str(tmp_path / "front.json"), "--base-url", server.base_url, "--model", "m", "--mode", "json_schema",
                 "--no-log"], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
            assert done.returncode == 0, done.stderr
            return [s.article for s in server.seen[before:]]

        first = brief()
        assert len(first) == 6 + 3  # six articles, three stories
        assert brief() == []  # the same day again: every call from the cache
        shutil.copy(CORPUS / "day2" / "003_assamtribune.md", folder)  # one more article on the Red Fort blast
        again = brief()
    assert sorted(again) == ["003_assamtribune", "briefing"]  # that article, and its story's briefing only


def test_a_day_larger_than_one_block_is_grouped_in_blocks_and_a_split_story_is_joined_again(monkeypatch):
    # Past stories.BLOCK articles the distances are not taken between every pair (10,000 articles
    # took 2.7 GB): blocks are clustered, then the groups found, as the means of their members. With
    # a block of 40, stories of 25 synthetic articles (bench/synthetic.py) lie across blocks, and
    # come out as one pass over every pair finds them.
    import datetime as dt

    from bench.synthetic import story_article
    from summarizer import stories
    from summarizer.articles import Article

    per_story = 25
    articles = [Article(id=f"a{i:04d}", text=story_article(i, per_story), published=dt.date(2025, 11, 10))
                for i in range(8 * per_story)]
    exact = group_stories(articles, {})
    monkeypatch.setattr(stories, "BLOCK", 40)
    blocked = group_stories(articles, {})

    def labels(found):
        story_of = {article_id: n for n, story in enumerate(found) for article_id in story.article_ids}
        return [story_of[a.id] for a in articles]

    # Stories that lie across blocks, so the second round has joining to do.
    index = {a.id: n for n, a in enumerate(articles)}
    assert any(len({index[i] // 40 for i in story.article_ids}) > 1 for story in exact)
    assert labels(blocked) == labels(exact)
    assert [s.id for s in blocked] == [s.id for s in exact]


def test_terms_read_ahead_as_each_summary_arrives_group_as_scikit_learn_reads_the_whole_text():
    # The article's own words are read while the other calls are out (stories.article_terms), and
    # the summary's items added at grouping. What comes out must be exactly what scikit-learn's own
    # analyzer reads from the article and its items written out as one text, as it did before.
    from sklearn.feature_extraction.text import TfidfVectorizer

    from summarizer import stories
    from summarizer.choices import name_choices

    analyzer = TfidfVectorizer(stop_words="english", ngram_range=(1, 2), token_pattern=r"(?u)\b\w[\w'_-]+\b").build_analyzer()
    articles = load_articles([CORPUS / "day1", CORPUS / "day2", SEEDS, ROOT / "tests/corpus/hostile"]).articles
    for article in articles:
        summary = summarize_from_candidates(article)
        names = " ".join(n.replace(" ", "_") for n in name_choices(article.text, limit=200))
        items = " ".join(a.name.replace(" ", "_") for a in summary.actors) + " " + " ".join(m.name for m in summary.measures)
        whole = analyzer(f"{article.title or ''} {article.text} {names} {names} {items} {items}")
        assert Counter(stories._features(stories.article_terms(article), summary)) == Counter(whole), article.id


def test_features_counted_as_summaries_arrive_make_the_matrix_scikit_learn_makes_from_the_whole_day():
    # stories.TermCounts counts each article's features as its summary arrives, in whatever order
    # the replies come, and grouping lays the counts out and weighs them itself (numpy and scipy,
    # no scikit-learn). The counts, the vocabulary, the features' names and the TF-IDF rows must
    # be the ones scikit-learn's TfidfVectorizer builds reading every article through the
    # analyzer after the last reply, to the last bit: the order of each row is the order its
    # products are summed in. Both with every feature kept and with the most frequent only.
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    from summarizer import stories

    articles = load_articles([CORPUS / "day1", CORPUS / "day2", SEEDS, ROOT / "tests/corpus/hostile"]).articles
    summaries = {a.id: summarize_from_candidates(a) for a in articles[1:]}  # the first one failed
    ordered = sorted(articles, key=lambda a: a.id)

    def analyzer(article):
        return stories._features(stories.article_terms(article), summaries.get(article.id))

    counts = stories.TermCounts()
    for article in random.Random(3).sample(articles, len(articles))[:-5]:  # the last five are read at grouping
        counts.add(article.id, stories.article_terms(article), summaries.get(article.id))
    assert len(counts.counted) == len(articles) - 5
    for article in ordered:
        if article.id not in counts:
            counts.add(article.id, stories.article_terms(article), summaries.get(article.id))

    for limit in (50_000, 400):
        whole = TfidfVectorizer(analyzer=analyzer, sublinear_tf=True, max_features=limit)
        expected_vocabulary, expected_counts = whole._count_vocab(ordered, False)
        expected = whole.fit_transform(ordered)
        vocabulary, matrix = counts.counts_matrix([a.id for a in ordered])
        assert vocabulary == expected_vocabulary and list(vocabulary) == list(expected_vocabulary)
        for part in ("data", "indices", "indptr"):
            assert np.array_equal(getattr(matrix, part), getattr(expected_counts, part)), part
        stories.MAX_FEATURES, kept = limit, stories.MAX_FEATURES
        try:
            tfidf, terms = stories._tfidf(ordered, counts)
        finally:
            stories.MAX_FEATURES = kept
        assert list(terms) == list(whole.get_feature_names_out()), limit
        for part in ("data", "indices", "indptr"):
            assert np.array_equal(getattr(tfidf, part), getattr(expected, part)), (limit, part)
    assert len(terms) == 400
    assert ([(s.id, s.article_ids, s.shared_terms) for s in group_stories(articles, summaries, counts=counts)]
            == [(s.id, s.article_ids, s.shared_terms) for s in group_stories(articles, summaries)])


def test_clustering_from_the_distance_triangle_labels_as_scikit_learn_does_from_the_square(monkeypatch):
    # stories._exact computes only the triangle of distances that AgglomerativeClustering hands
    # scipy, in stripes, and cuts the tree itself. Its labels, numbering included (a large day's
    # second round is ordered by them), must be the ones scikit-learn gives on the whole square.
    import numpy as np
    from scipy import sparse
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.metrics.pairwise import cosine_distances, linear_kernel
    from sklearn.preprocessing import normalize

    from summarizer import stories

    monkeypatch.setattr(stories, "STRIPE", 37)  # several stripes, the last one short
    rng = np.random.default_rng(7)
    for trial in range(12):
        n, terms = int(rng.integers(2, 260)), int(rng.integers(5, 200))
        rows = sparse.random(n, terms, density=float(rng.uniform(0.02, 0.3)), format="csr", random_state=trial)
        rows.data = np.floor(rows.data * 4) + 1  # few distinct weights: many tied distances
        rows = normalize(rows)
        for means, matrix in ((False, rows), (True, rows * 0.7)):
            square = (1.0 - linear_kernel(matrix)).clip(0.0, None) if means else cosine_distances(matrix)
            for threshold in (0.3, 0.7, 0.9):
                expected = AgglomerativeClustering(
                    n_clusters=None, distance_threshold=threshold, metric="precomputed", linkage="average"
                ).fit_predict(square) if n > 1 else [0]
                assert stories._exact(matrix, threshold, means) == [int(x) for x in expected], (trial, means, threshold)
