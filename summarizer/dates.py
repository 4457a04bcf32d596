"""Turn the date phrases found in news articles into calendar days.

The summarising model copies dates "as written" ("on Friday evening Eastern Time
(October 17th)", "by Nov. 1", "next week"), so everything here is tolerant: a
phrase is scanned for every date expression it contains and the most explicit
one wins.  Relative expressions are resolved against the article's publication
date (the *anchor*); without an anchor only dates that carry a year resolve.

Only the standard library is used: the grammar of news dates is small, and a
general parser (dateutil) happily invents dates out of stray numbers.
"""

from __future__ import annotations

import calendar
import datetime
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

Precision = Literal["day", "week", "month", "year"]

#: A dated event this long before publication is background (a photo caption's
#: date, a past summit), not a deadline of the day's story.
HISTORY_DAYS = 366


@dataclass(frozen=True)
class ResolvedDate:
    date: datetime.date | None  # None when the text names no resolvable day
    precision: Precision | None  # how precise the phrase was
    text: str  # the phrase as given


# Hard-coded English names: calendar.month_name follows the process locale.
_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july",
                "august", "september", "october", "november", "december")
_MONTHS = {name: i for i, name in enumerate(_MONTH_NAMES, 1)}
_MONTHS.update({name[:3]: i for name, i in list(_MONTHS.items())}, sept=9)
_WEEKDAYS = {name: i for i, name in enumerate(
    ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))}

_WD = "|".join(_WEEKDAYS)
# Full names first so "November" is not read as "Nov" + garbage; abbreviations
# may carry a dot.  (?![a-z]) keeps "Mar" out of "Marine".
_MON = rf"\b(?:{'|'.join(_MONTH_NAMES)}|(?:sept|jan|feb|mar|apr|jun|jul|aug|sep|oct|nov|dec)\.?)(?![a-z])"
# Cue words that make a bare month or year read as a date in running text
# ("in 2017", "since March"), as opposed to "Theresa May" or "2017 people".
_CUE = re.compile(r"\b(?:in|by|since|until|till|from|during|before|after|through|"
                  r"of|for|this|next|last)\s+$", re.IGNORECASE)
# Words that may follow "the 17th" when it is a date; any other word ("the 17th
# century", "the 17th floor", "the 17th Amendment") means it is just an ordinal.
_AFTER_DAY_OK = {"and", "or", "at", "to", "through", "until", "till", "when", "before",
                 "after", "in", "on", "from", "as", "by", "of", "deadline", "this", "next"}
# A copied phrase gets the benefit of the doubt ("the 17th evening"), except
# for the nouns that make an ordinal plainly not a day.
_ORDINAL_NOUNS = {"century", "centuries", "amendment", "anniversary", "floor", "time",
                  "round", "place", "birthday", "edition", "annual", "consecutive"}


def _day(g: str) -> str:
    return rf"(?<![\d.])(?P<{g}>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?(?!\d)"


def _year(g: str) -> str:
    return rf"(?<![\d.])(?P<{g}>(?:19|20)\d\d)(?!\d)"


def _mod(g: str) -> str:
    # "early/mid/late November", "mid-November", "the end of this month"...
    return (rf"(?:the\s+)?(?P<{g}>(?:early|mid|late)(?:\s*-\s*|\s+)"
            rf"|(?:end|beginning|start|middle)\s+of\s+)")


#: How a date expression can begin: a digit; a month, weekday or other word of the patterns
#: below that follows a word boundary; or, even inside a word, "the" and the modifiers of _mod
#: (which have no boundary of their own in "mo" and "yr"). Checked at each position before the
#: alternatives are tried there, it skips most positions of a text at once, and finds the same
#: matches four times faster (grounding runs it on every deadline's quotes). tests/test_dates.py
#: holds the matches equal with and without it.
_STARTS = r"(?=\d|th|ea|mi|la|en|be|st|\b(?:ja|fe|ma|ap|ju|au|se|oc|no|de|mo|tu|we|fr|sa|su|to|ye|ne|pa|co|fo))"


def _build(lenient: bool, starts: str = _STARTS) -> re.Pattern[str]:
    # Order matters: at one position the first alternative that matches wins,
    # so the longer, more explicit forms come first.
    the = r"\bthe\s+" if not lenient else r"(?:\bthe\s+)?"
    alts = {
        "iso": r"(?<!\d)(?P<iso_y>\d{4})[-/](?P<iso_m>\d{1,2})[-/](?P<iso_d>\d{1,2})(?!\d)",
        # "Friday, Oct. 17, 2025" / "November 10th"
        "md": rf"(?:\b(?:{_WD})\b,?\s+)?(?P<md_m>{_MON})\s*{_day('md_d')}(?:,?\s*{_year('md_y')})?",
        # "30 October 2025" / "the 17th of October"
        "dm": rf"(?:\b(?:{_WD})\b,?\s+)?(?:\bthe\s+)?{_day('dm_d')}(?:\s+of)?\s+(?P<dm_m>{_MON})(?:,?\s*{_year('dm_y')})?",
        # "the 17th": the ordinal suffix is required, a bare number is no date
        "do": rf"{the}(?<![\d.])(?P<do_d>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)\b",
        "rd": r"\b(?P<rd_w>today|tonight|yesterday|tomorrow|this\s+(?:morning|afternoon|evening)|last\s+night)\b",
        "wd": rf"\b(?:(?P<wd_x>this\s+coming|this\s+past|next|last|past|coming|this)\s+)?(?P<wd_w>{_WD})\b",
        "wk": r"\b(?P<wk_x>this|next|last|coming|following)\s+(?P<wk_w>week|weekend)\b",
        "rr": rf"\b(?:{_mod('rr_x')}(?P<rr1>this|the|next|last)|(?P<rr2>this|next|last))\s+(?P<rr_w>month|year)\b",
        # a month name followed by a number is "md" or a stray number, never a month
        "mo": rf"(?:{_mod('mo_x')})?(?P<mo_m>{_MON})(?:,?\s*{_year('mo_y')}|(?!\s*\d))",
        "yr": rf"(?:{_mod('yr_x')})?{_year('yr_y')}",
    }
    return re.compile(starts + "(?:" + "|".join(f"(?P<{k}>{v})" for k, v in alts.items()) + ")", re.IGNORECASE)


_STRICT, _LENIENT = _build(False), _build(True)
# The same patterns without IGNORECASE, for ASCII text lower-cased first: 1.6 times faster, and
# the spans are the same (the patterns' letters are all lower-case). Group values are read from
# the text as written (see _AsWritten): "May" and "may" must stay apart.
_STRICT_LOWER, _LENIENT_LOWER = (re.compile(p.pattern) for p in (_STRICT, _LENIENT))


class _AsWritten:
    """A match found in the lower-cased copy of an ASCII text, read back from the text as written."""

    __slots__ = ("_match", "_text", "lastgroup")

    def __init__(self, match: re.Match[str], text: str) -> None:
        self._match, self._text, self.lastgroup = match, text, match.lastgroup

    def __getitem__(self, group: str) -> str | None:
        start, end = self._match.span(group)
        return None if start < 0 else self._text[start:end]

    def group(self) -> str:
        return self._text[self._match.start():self._match.end()]

    def start(self) -> int:
        return self._match.start()

    def end(self) -> int:
        return self._match.end()


def _matches(text: str, lenient: bool):
    if text.isascii():
        pattern = _LENIENT_LOWER if lenient else _STRICT_LOWER
        return (_AsWritten(m, text) for m in pattern.finditer(text.lower()))
    return (_LENIENT if lenient else _STRICT).finditer(text)
# How explicit each kind is; the lowest rank in a phrase wins (explicit dates
# beat the weekday in "Friday evening (October 17th)").
_RANK = {"iso": 0, "md": 1, "dm": 1, "do": 2, "rd": 3, "wd": 4, "wk": 5, "rr": 6, "mo": 6, "yr": 7}


#: What every date expression above contains: a digit, a month, a weekday, or a word of "today",
#: "this morning", "next week", "this month/year". A text with none of them has no date, and is
#: told so in 6 us rather than the 150-200 us the full pattern takes (it is run on every sentence
#: of every article for the prose check). Case-folded first: IGNORECASE matches "ſ" as "s" too.
_DATE_HINT = re.compile(r"\d|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|today|tonight|yesterday|tomorrow"
                        r"|morning|afternoon|evening|night|monday|tuesday|wednesday|thursday|friday|saturday"
                        r"|sunday|week|month|year")


def may_hold_date(text: str) -> bool:
    """False when `text` certainly holds no date expression (and so no digit either)."""
    return _DATE_HINT.search(text.casefold()) is not None


def _scan(text: str, lenient: bool) -> Iterator[tuple[re.Match[str], str]]:
    if not may_hold_date(text):
        return
    for m in _matches(text, lenient):
        kind = m.lastgroup or ""
        month = next((m[g] for g in ("md_m", "dm_m", "mo_m") if m[g]), None)
        # Lower-case "may"/"march" are verbs in prose ("officials may 10...");
        # in a phrase a model copied out, only a bare one is suspicious.
        if month in ("may", "march") and (not lenient or kind == "mo"):
            continue
        if (not lenient and kind in ("mo", "yr")
                and not (m[f"{kind}_x"] or m["mo_y"] or _CUE.search(text, 0, m.start()))):
            continue
        if kind == "do" and (nxt := re.match(r"\s+([a-z]+)\b", text[m.end():], re.IGNORECASE)):
            word = nxt[1].lower()
            if word in _ORDINAL_NOUNS or (not lenient and word not in _AFTER_DAY_OK):
                continue
        yield m, kind


def _mk(y: int, m: int, d: int) -> datetime.date | None:
    try:
        return datetime.date(y, m, d)
    except ValueError:
        return None


def _closest(cands: list[datetime.date | None], anchor: datetime.date) -> datetime.date | None:
    # Ties go to the past: news mostly reports what already happened.
    ok = [c for c in cands if c is not None]
    return min(ok, key=lambda c: (abs((c - anchor).days), c > anchor)) if ok else None


def _shift_month(y: int, m: int, k: int) -> tuple[int, int]:
    y, m0 = divmod(y * 12 + m - 1 + k, 12)
    return y, m0 + 1


def _in_month(y: int, m: int, mod: str | None) -> datetime.date:
    word = re.match(r"[a-z]*", (mod or "").lower().lstrip())[0]
    if word in ("late", "end"):
        return datetime.date(y, m, calendar.monthrange(y, m)[1])
    return datetime.date(y, m, 15 if word in ("mid", "middle") else 1)


def _in_year(y: int, mod: str | None) -> datetime.date:
    word = re.match(r"[a-z]*", (mod or "").lower().lstrip())[0]
    if word in ("late", "end"):
        return datetime.date(y, 12, 31)
    return datetime.date(y, 7 if word in ("mid", "middle") else 1, 1)


def _month_day(mon: str, day: str, year: str | None, anchor: datetime.date | None):
    m, d = _MONTHS[mon.lower().rstrip(".")], int(day)
    if year:
        return _mk(int(year), m, d)
    if anchor is None:
        return None
    # The year that puts the date closest to the anchor handles rollover both
    # ways: "December 28" in January, "January 5" in late December.
    return _closest([_mk(anchor.year + k, m, d) for k in (-1, 0, 1)], anchor)


def _resolve(m: re.Match[str], kind: str, a: datetime.date | None):
    """(date, precision) for one match, or None if it cannot be resolved."""
    if kind == "iso":
        date = _mk(int(m["iso_y"]), int(m["iso_m"]), int(m["iso_d"]))
        return (date, "day") if date else None
    if kind in ("md", "dm"):
        date = _month_day(m[f"{kind}_m"], m[f"{kind}_d"], m[f"{kind}_y"], a)
        return (date, "day") if date else None
    if kind == "mo" and m["mo_y"]:
        return _in_month(int(m["mo_y"]), _MONTHS[m["mo_m"].lower().rstrip(".")], m["mo_x"]), "month"
    if kind == "yr":
        return _in_year(int(m["yr_y"]), m["yr_x"]), "year"
    if a is None:  # everything below is relative to the publication date
        return None
    if kind == "do":
        d = int(m["do_d"])
        cands = [_mk(*_shift_month(a.year, a.month, k), d) for k in (-1, 0, 1)]
        date = _closest(cands, a)
        return (date, "day") if date else None
    if kind == "rd":
        word = m["rd_w"].lower()
        off = -1 if word in ("yesterday",) or word.startswith("last") else int(word == "tomorrow")
        return a + datetime.timedelta(days=off), "day"
    if kind == "wd":
        wd, aw = _WEEKDAYS[m["wd_w"].lower()], a.weekday()
        mod = " ".join((m["wd_x"] or "").lower().split())
        if mod in ("next", "coming", "this coming"):  # strictly after the anchor
            off = (wd - aw - 1) % 7 + 1
        elif mod in ("last", "past", "this past"):  # strictly before
            off = -((aw - wd - 1) % 7 + 1)
        elif mod == "this":  # the upcoming one, the anchor day itself included
            off = (wd - aw) % 7
        else:  # bare: the nearest one (always within 3 days), never equidistant
            back = (aw - wd) % 7
            off = -back if back <= 3 else 7 - back
        return a + datetime.timedelta(days=off), "day"
    if kind == "wk":
        step = {"this": 0, "last": -1}.get(m["wk_x"].lower(), 1)
        monday = a - datetime.timedelta(days=a.weekday() - 7 * step)
        # A weekend is reported as its Saturday, still with "week" precision.
        return monday + datetime.timedelta(days=5 * (m["wk_w"].lower() == "weekend")), "week"
    if kind == "rr":
        step = {"next": 1, "last": -1}.get((m["rr1"] or m["rr2"]).lower(), 0)
        if m["rr_w"].lower() == "year":
            return _in_year(a.year + step, m["rr_x"]), "year"
        return _in_month(*_shift_month(a.year, a.month, step), m["rr_x"]), "month"
    if kind == "mo":
        mon = _MONTHS[m["mo_m"].lower().rstrip(".")]
        here = a.year * 12 + a.month
        y = min((a.year + k for k in (-1, 0, 1)),
                key=lambda y: (abs(y * 12 + mon - here), y * 12 + mon > here))
        return _in_month(y, mon, m["mo_x"]), "month"
    return None


def resolve_date(phrase: str, anchor: datetime.date | None) -> ResolvedDate:
    """Resolve a date phrase copied out of an article published on `anchor`.

    Every expression in the phrase is tried; the most explicit one that
    resolves wins (first one on a tie).
    """
    if isinstance(anchor, datetime.datetime):
        anchor = anchor.date()
    return _resolved(phrase, anchor)


# The same phrases recur across a day's articles ("November 10"), and every sentence of every
# article has its dates resolved for the prose check: a phrase is resolved once per anchor.
@functools.lru_cache(maxsize=16384)
def _resolved(phrase: str, anchor: datetime.date | None) -> ResolvedDate:
    best = None
    for m, kind in _scan(phrase or "", lenient=True):
        got = _resolve(m, kind, anchor)
        rank = _RANK[kind] - bool(kind in ("md", "dm") and m[f"{kind}_y"])
        if got is not None and (best is None or rank < best[0]):
            best = (rank, got)
    if best is None:
        return ResolvedDate(None, None, phrase)
    return ResolvedDate(best[1][0], best[1][1], phrase)


def find_date_phrases(text: str) -> list[tuple[int, int, str]]:
    """(start, end, phrase) spans of the date expressions in `text`, in order.

    Stricter than `resolve_date`: in running prose a bare month or year needs a
    modifier or a cue word ("in 2017", "early November"), "the 17th" must not be
    followed by a noun, and lower-case "may"/"march" are verbs.
    """
    return [(m.start(), m.end(), m.group()) for m, _ in _scan(text, lenient=False)]
