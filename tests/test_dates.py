"""Tests for summarizer.dates, using phrases a small model really copied out of news."""

from __future__ import annotations

import datetime

import pytest

from summarizer.dates import ResolvedDate, find_date_phrases, resolve_date

D = datetime.date
ANCHOR = D(2025, 10, 18)  # a Saturday


@pytest.mark.parametrize(
    ("phrase", "expected", "precision"),
    [
        ("October 17th", D(2025, 10, 17), "day"),
        ("November 10", D(2025, 11, 10), "day"),
        ("November 1", D(2025, 11, 1), "day"),
        ("by November 1", D(2025, 11, 1), "day"),
        ("November 10th deadline", D(2025, 11, 10), "day"),
        ("Oct. 30", D(2025, 10, 30), "day"),
        ("Oct 30", D(2025, 10, 30), "day"),
        ("Sept. 3", D(2025, 9, 3), "day"),
        ("30 October 2025", D(2025, 10, 30), "day"),
        ("the 17th of October", D(2025, 10, 17), "day"),
        ("2025-11-10", D(2025, 11, 10), "day"),
        ("2025-10-30T12:00:00Z", D(2025, 10, 30), "day"),
        ("Friday, Oct. 17, 2025", D(2025, 10, 17), "day"),
        ("the 17th", D(2025, 10, 17), "day"),
        ("17th", D(2025, 10, 17), "day"),
        # explicit date beats the weekday in the same phrase
        ("on Friday evening Eastern Time (October 17th)", D(2025, 10, 17), "day"),
        ("today", ANCHOR, "day"),
        ("tonight", ANCHOR, "day"),
        ("this morning", ANCHOR, "day"),
        ("yesterday", D(2025, 10, 17), "day"),
        ("last night", D(2025, 10, 17), "day"),
        ("tomorrow", D(2025, 10, 19), "day"),
        ("next week", D(2025, 10, 20), "week"),
        ("this week", D(2025, 10, 13), "week"),
        ("last week", D(2025, 10, 6), "week"),
        ("later this week", D(2025, 10, 13), "week"),
        # a weekend is reported as its Saturday (the anchor itself here)
        ("this weekend", D(2025, 10, 18), "week"),
        ("next weekend", D(2025, 10, 25), "week"),
        ("next month", D(2025, 11, 1), "month"),
        ("this month", D(2025, 10, 1), "month"),
        ("early next month", D(2025, 11, 1), "month"),
        ("end of this month", D(2025, 10, 31), "month"),
        ("by the end of the month", D(2025, 10, 31), "month"),
        ("early November", D(2025, 11, 1), "month"),
        ("mid-November", D(2025, 11, 15), "month"),
        ("late November", D(2025, 11, 30), "month"),
        ("end of November", D(2025, 11, 30), "month"),
        ("November", D(2025, 11, 1), "month"),
        ("November 2025", D(2025, 11, 1), "month"),
        ("in 2017", D(2017, 1, 1), "year"),
        ("2026", D(2026, 1, 1), "year"),
        ("late 2026", D(2026, 12, 31), "year"),
        ("next year", D(2026, 1, 1), "year"),
        ("by the end of the year", D(2025, 12, 31), "year"),
        # an explicit year far from the anchor is kept; relevance is the caller's call
        ("November 9, 2017", D(2017, 11, 9), "day"),
    ],
)
def test_resolve_with_anchor(phrase: str, expected: datetime.date, precision: str) -> None:
    assert resolve_date(phrase, ANCHOR) == ResolvedDate(expected, precision, phrase)


@pytest.mark.parametrize(
    ("phrase", "anchor", "expected"),
    [
        # Bare weekday = the nearest one (always within 3 days). Published on
        # Sunday 2025-10-26, "Thursday" is 3 days back vs 4 ahead: the past one,
        # which also fits news reporting what already happened.
        ("Thursday", D(2025, 10, 26), D(2025, 10, 23)),
        ("Friday", ANCHOR, D(2025, 10, 17)),
        ("Thursday", ANCHOR, D(2025, 10, 16)),
        # Saturday anchor: Tuesday is 4 days back but 3 ahead, so the coming one
        ("Tuesday", ANCHOR, D(2025, 10, 21)),
        ("Saturday", ANCHOR, ANCHOR),
        # "next X": first X strictly after the anchor, even if in the same week
        ("next Friday", ANCHOR, D(2025, 10, 24)),
        ("next Sunday", ANCHOR, D(2025, 10, 19)),
        ("this coming Monday", ANCHOR, D(2025, 10, 20)),
        # "this X": on or after the anchor
        ("this Saturday", ANCHOR, ANCHOR),
        ("this Friday", ANCHOR, D(2025, 10, 24)),
        # "last X": strictly before the anchor
        ("last Friday", ANCHOR, D(2025, 10, 17)),
        ("last Saturday", ANCHOR, D(2025, 10, 11)),
        ("October 30", D(2025, 10, 24), D(2025, 10, 30)),
    ],
)
def test_weekdays_and_other_anchors(phrase: str, anchor: datetime.date, expected: datetime.date) -> None:
    assert resolve_date(phrase, anchor).date == expected


@pytest.mark.parametrize(
    ("phrase", "anchor", "expected"),
    [
        ("December 28", D(2026, 1, 3), D(2025, 12, 28)),
        ("January 5", D(2025, 12, 20), D(2026, 1, 5)),
        ("the 30th", D(2025, 11, 2), D(2025, 10, 30)),
        ("the 2nd", D(2025, 12, 30), D(2026, 1, 2)),
        ("the 31st", D(2025, 11, 10), D(2025, 10, 31)),  # November has no 31st
        ("next week", D(2025, 12, 31), D(2026, 1, 5)),
        ("next month", D(2025, 12, 15), D(2026, 1, 1)),
        ("last month", D(2026, 1, 15), D(2025, 12, 1)),
        ("early January", D(2025, 12, 20), D(2026, 1, 1)),
        ("late December", D(2026, 1, 4), D(2025, 12, 31)),
        ("tomorrow", D(2025, 12, 31), D(2026, 1, 1)),
        ("next Friday", D(2025, 12, 29), D(2026, 1, 2)),
        # the only valid year for February 29 near the anchor
        ("February 29", D(2025, 3, 1), D(2024, 2, 29)),
    ],
)
def test_year_rollover(phrase: str, anchor: datetime.date, expected: datetime.date) -> None:
    assert resolve_date(phrase, anchor).date == expected


@pytest.mark.parametrize(
    ("phrase", "expected", "precision"),
    [
        ("November 9, 2017", D(2017, 11, 9), "day"),
        ("2025-11-10", D(2025, 11, 10), "day"),
        ("30 October 2025", D(2025, 10, 30), "day"),
        ("November 2025", D(2025, 11, 1), "month"),
        ("in 2017", D(2017, 1, 1), "year"),
        # relative to an unknown publication date: unresolvable
        ("November 10", None, None),
        ("the 17th", None, None),
        ("Friday", None, None),
        ("next week", None, None),
        ("tomorrow", None, None),
        ("end of this month", None, None),
        ("early November", None, None),
        # the explicit date would need a year, the weekday an anchor
        ("Friday evening (October 17th)", None, None),
    ],
)
def test_without_anchor(phrase: str, expected: datetime.date | None, precision: str | None) -> None:
    assert resolve_date(phrase, None) == ResolvedDate(expected, precision, phrase)


@pytest.mark.parametrize(
    "phrase",
    ["", "   ", "banana", "n/a", "unknown", "soon", "February 30", "2025-13-45",
     "the 45th", "the 17th century", "3pm", "Q", "may", "march"],
)
def test_garbage_resolves_to_none(phrase: str) -> None:
    assert resolve_date(phrase, ANCHOR) == ResolvedDate(None, None, phrase)


def test_datetime_anchor_is_accepted() -> None:
    got = resolve_date("tomorrow", datetime.datetime(2025, 10, 18, 23, 30))
    assert got.date == D(2025, 10, 19) and type(got.date) is datetime.date


def test_result_is_frozen() -> None:
    got = resolve_date("October 17th", ANCHOR)
    with pytest.raises(AttributeError):
        got.date = None  # type: ignore[misc]


ARTICLE = (
    "The company said on Friday that the deal, first announced on October 17th, "
    "would close by Nov. 1. A hearing is set for November 10, and filings are due "
    "by the 17th. Regulators meet next week; a report dated 2025-10-30 follows. "
    "Since March, sales have risen, and early 2026 looks better."
)


def test_find_date_phrases_in_article() -> None:
    spans = find_date_phrases(ARTICLE)
    assert [p for _, _, p in spans] == [
        "Friday", "October 17th", "Nov. 1", "November 10", "the 17th",
        "next week", "2025-10-30", "March", "early 2026",
    ]
    for start, end, phrase in spans:
        assert ARTICLE[start:end] == phrase
    assert [s for s, _, _ in spans] == sorted(s for s, _, _ in spans)


def test_find_date_phrases_skips_lookalikes() -> None:
    text = ("Theresa May said officials may 10 times review the 17th Amendment and "
            "the 17th century archive; 2017 people came, and the Marine Corps will march.")
    assert find_date_phrases(text) == []


def test_find_date_phrases_keeps_whole_expressions() -> None:
    text = "Published Friday, Oct. 17, 2025; the vote is by the end of this month, or in mid-November."
    assert [p for _, _, p in find_date_phrases(text)] == [
        "Friday, Oct. 17, 2025", "the end of this month", "mid-November",
    ]


def test_found_phrases_resolve() -> None:
    # what the finder highlights, the resolver must understand
    for _, _, phrase in find_date_phrases(ARTICLE):
        assert resolve_date(phrase, ANCHOR).date is not None, phrase


def test_the_check_of_how_a_date_can_begin_finds_every_match_the_full_pattern_finds() -> None:
    # dates._STARTS lets the pattern skip positions where no date expression can begin. Every
    # match must be the one the pattern finds without it: on real articles, and on text made of
    # the patterns' own words glued to other words, in any case, with the letters that
    # case-folding treats specially.
    import random
    import re

    from summarizer import dates
    from summarizer.articles import load_articles

    from .conftest import ROOT, SEEDS

    words = ("the this next last past coming following early mid late end beginning start middle of "
             "today tonight tomorrow yesterday morning week weekend month year 17th 3rd 1 30 2025 1999 "
             "2025-10-17 May march Sept. oct Nov December Friday tuesday SUNDAY by in since Theresa "
             "bathe timid translate 17th century floor ſtart K İ ı , . ( ) - /").split()
    rnd = random.Random(11)
    texts = [a.text for a in load_articles([SEEDS, ROOT / "tests" / "corpus"]).articles]
    texts += [rnd.choice(("", " ", "x")).join(rnd.choice(words) for _ in range(rnd.randint(1, 12))) for _ in range(3000)]
    texts += [rnd.choice(("", " ")).join(w.upper() if rnd.random() < 0.2 else w for w in rnd.sample(words, 8))
              for _ in range(3000)]
    phrases = ["beginning of November", "start of 2026", "end of next month", "middle of this year", "mid-March",
               "late 2025", "early November", "the 17th", "Friday, Oct. 17, 2025", "following week", "this past Monday"]
    texts += [glue + phrase for phrase in phrases for glue in ("", "x", "ba", "A", "the ", "ſ")]
    for lenient in (False, True):
        with_check, without = dates._build(lenient), dates._build(lenient, starts="")
        lower_with, lower_without = re.compile(with_check.pattern), re.compile(without.pattern)
        for text in texts:
            def found(pattern, text=text):
                return [(m.span(), m.lastgroup, m.groupdict()) for m in pattern.finditer(text)]

            assert found(with_check) == found(without), text
            assert found(lower_with, text.lower()) == found(lower_without, text.lower()), text
    assert any(dates._build(False).search(t) for t in texts)
