from summarizer.merge import merge_actors, merge_deadlines, same_entity
from summarizer.schemas import Actor, ArticleSummary, Deadline, Quote


def q(article_id: str, text: str = "some quoted words") -> Quote:
    return Quote(article_id=article_id, text=text, start=0, end=len(text), score=100)


def summary(article_id: str, names: list[str] = (), deadlines: list[tuple] = ()) -> ArticleSummary:
    return ArticleSummary(
        article_id=article_id,
        summary="s",
        actors=[Actor(name=n, evidence=[q(article_id, n)]) for n in names],
        deadlines=[
            Deadline(date=d, date_text=t, event=e, evidence=[q(article_id, t)]) for d, t, e in deadlines
        ],
    )


def test_name_variants_are_one_actor():
    assert same_entity("Besent", "Scott Bessent")
    assert same_entity("Jameson Grier", "Jamieson Greer")
    assert same_entity("President Trump", "Donald Trump")
    assert same_entity("Vice Premier He", "He Lifeng")
    assert not same_entity("Li", "Jimmy Lai")
    assert not same_entity("Xi Jinping", "Li Chenggang")


def test_merge_counts_sources_and_reports_spellings():
    actors, differences = merge_actors(
        [
            summary("a", ["Scott Bessent", "Jamieson Greer"]),
            summary("b", ["Bessent", "Greer", "Xi Jinping"]),
            summary("c", ["Besent"]),
            summary("d", ["Jameson Grier", "Xi"]),
        ]
    )
    by_name = {a.name: a for a in actors}
    assert set(by_name) == {"Scott Bessent", "Jamieson Greer", "Xi Jinping"}
    assert by_name["Scott Bessent"].article_ids == ["a", "b", "c"]
    assert "Besent" in by_name["Scott Bessent"].aliases
    assert by_name["Jamieson Greer"].article_ids == ["a", "b", "d"]
    topics = {d.topic: d for d in differences}
    assert {c.article_id for c in topics["spelling of Scott Bessent"].claims} == {"a", "c"}
    assert {c.article_id for c in topics["spelling of Jamieson Greer"].claims} == {"a", "d"}


def test_deadlines_merge_by_date_and_sort():
    import datetime as dt

    nov10, nov1 = dt.date(2025, 11, 10), dt.date(2025, 11, 1)
    timeline, differences = merge_deadlines(
        [
            summary("a", deadlines=[(nov10, "November 10", "US-China tariff truce expires")]),
            summary("b", deadlines=[(nov10, "Nov. 10", "the tariff truce expires"), (nov1, "November 1", "100% tariffs start")]),
        ]
    )
    assert [t.date for t in timeline] == [nov1, nov10]
    assert timeline[1].article_ids == ["a", "b"]
    assert differences == []


def test_figures_are_read_alike_with_and_without_the_check_of_how_one_begins():
    # merge._FIGURE skips, by a look-ahead, the places where no figure can begin. It must find
    # what the pattern finds without it: in real articles, and in text of figures, currency
    # signs and units glued to words and to each other.
    import random
    import re

    from summarizer import merge
    from summarizer.articles import load_articles

    from .conftest import ROOT, SEEDS

    pieces = "$ € £ 4.6 1,200 2025 17 100 % percent per cent billion million bn m in the fund tariff x. .5 a1 ,".split()
    rnd = random.Random(5)
    texts = [a.text for a in load_articles([SEEDS, ROOT / "tests" / "corpus"]).articles]
    texts += [rnd.choice(("", " ")).join(rnd.choice(pieces) for _ in range(rnd.randint(1, 14))) for _ in range(4000)]
    without = re.compile(merge._FIGURE_BODY, re.IGNORECASE)
    for text in texts:
        assert [m.groups() + m.span() for m in merge._FIGURE.finditer(text)] == \
               [m.groups() + m.span() for m in without.finditer(text)], text
    assert sum(len(merge._figures(t)) for t in texts) > 100
