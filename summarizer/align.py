"""Alignment: find a quote, a name or a phrase in a source text, and its character span.

Models (small ones above all) paraphrase, swap typographic quotes for
straight ones, re-flow whitespace, or simply invent text. So alignment works
on a normalised copy of both sides (case, whitespace, quote and dash styles),
keeps a map back to the original offsets, and accepts a small fuzzy tolerance
(rapidfuzz) so that a dropped comma does not cost a fact. What to do with an
item whose quote is or is not found is grounding's business
(summarizer.grounding), not this module's.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from bisect import bisect_right
from functools import lru_cache

from rapidfuzz import fuzz

from .schemas import Quote

# Typographic variants a model is likely to flatten to ASCII.
_CHAR_FOLD = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        # Double quotes fold to the apostrophe too: choices offered to a
        # grammar-constrained model cannot contain '"' (see choices.quote_choices).
        '"': "'", "\u201c": "'", "\u201d": "'", "\u201e": "'", "\u201f": "'", "\u2033": "'",
        "\u00ab": "'", "\u00bb": "'",
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
        "\u00a0": " ", "\u2009": " ", "\u202f": " ",
    }
)
_NON_SPACE = re.compile(r"\S+")
_ELLIPSIS = re.compile(r"\s*(?:\.\.\.|\u2026)\s*")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)]*\s+|\n+")

#: Below this many normalised characters a quote proves nothing ("25%", "US").
MIN_QUOTE_CHARS = 8
#: Fuzzy score (0-100) a quote needs when it is not found exactly.
DEFAULT_THRESHOLD = 90.0


def fold_text(text: str) -> str:
    """The ASCII-ish, case-folded form used for comparison (not for display)."""
    return unicodedata.normalize("NFKC", text).translate(_CHAR_FOLD).casefold()


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    # Texts fold one character at a time (to keep offsets); the alphabet is small.
    return fold_text(ch)


class NormalisedText:
    """A folded copy of a text, and the way back from each of its characters to the offset it came from."""

    __slots__ = ("text", "_folded", "_offsets", "_words")

    def __init__(self, text: str, offsets: array | None = None, folded: str | None = None) -> None:
        self.text = text
        self._offsets = offsets  # per character (non-ASCII text), or
        self._folded = folded  # the folded source, whose words map back one to one (ASCII text)
        self._words: tuple[list[int], list[int]] | None = None

    @classmethod
    def of(cls, source: str) -> NormalisedText:
        if source.isascii():
            # Most news text: folding is lower-casing and '"' -> "'", and whitespace runs become one
            # space, all in C. The way back is worked out per word, and only when a span is asked
            # for: a quote being looked up never needs it.
            folded = source.replace('"', "'").lower()
            return cls(" ".join(folded.split()), folded=folded)
        chars: list[str] = []
        offsets = array("i")  # 4 bytes a character; a tuple of ints cost 36
        pending_space = False
        for i, ch in enumerate(source):
            folded = _fold_char(ch)
            if not folded or folded.isspace():
                pending_space = bool(chars)
                continue
            if pending_space:
                chars.append(" ")
                offsets.append(i - 1)
                pending_space = False
            for f in folded:  # casefold can expand one character into several
                chars.append(f)
                offsets.append(i)
        return cls("".join(chars), offsets=offsets)

    def offset(self, i: int) -> int:
        """The source offset of character i of the folded text (a joining space: the one before the next word)."""
        if self._offsets is not None:
            return self._offsets[i]
        if self._words is None:
            assert self._folded is not None
            self._words = ([m.start() for m in _NON_SPACE.finditer(self.text)],
                           [m.start() for m in _NON_SPACE.finditer(self._folded)])
        here, there = self._words
        word = bisect_right(here, i) - 1
        if word + 1 < len(here) and i == here[word + 1] - 1:
            return there[word + 1] - 1
        return there[word] + (i - here[word])

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        return self.offset(start), self.offset(end - 1) + 1


@lru_cache(maxsize=8192)  # 64 articles in flight, each with its sentences: 256 entries thrashed
def _normalised(source: str) -> NormalisedText:
    return NormalisedText.of(source)


def _clean_quote(quote: str) -> str:
    # Models wrap quotes in quote marks of their own; those are not part of the passage.
    return quote.strip().strip("\"'\u201c\u201d\u2018\u2019` ").strip()


def align_quote(
    quote: str, text: str, article_id: str, threshold: float = DEFAULT_THRESHOLD
) -> Quote | None:
    """Locate `quote` in `text`; return it as a Quote with its span, or None."""
    cleaned = _clean_quote(quote)
    # A quote with an ellipsis is aligned by its longest piece: the elided part
    # cannot be checked, the piece can.
    pieces = [p for p in _ELLIPSIS.split(cleaned) if p.strip()]
    if not pieces:
        return None
    needle = NormalisedText.of(max(pieces, key=len)).text
    if len(needle) < MIN_QUOTE_CHARS:
        return None
    hay = _normalised(text)
    pos = hay.text.find(needle)
    if pos >= 0:
        start, end, score = pos, pos + len(needle), 100.0
    else:
        found = fuzz.partial_ratio_alignment(needle, hay.text, score_cutoff=threshold)
        if found is None:
            return None
        start, end, score = found.dest_start, found.dest_end, found.score
        if end - start < MIN_QUOTE_CHARS:
            return None
    o_start, o_end = hay.original_span(start, end)
    if score < 100:
        # A fuzzy window may cut a word in two; a quote is shown as whole words.
        while o_start > 0 and text[o_start - 1].isalnum():
            o_start -= 1
        while o_end < len(text) and text[o_end].isalnum():
            o_end += 1
    return Quote(
        article_id=article_id,
        text=text[o_start:o_end],
        start=o_start,
        end=o_end,
        score=round(score, 1),
    )


def find_phrase(phrase: str, text: str, threshold: float = DEFAULT_THRESHOLD) -> tuple[int, int] | None:
    """Span of a short phrase (a name, a date as written) in the text, or None."""
    needle = NormalisedText.of(_clean_quote(phrase)).text
    if not needle:
        return None
    hay = _normalised(text)
    pos = hay.text.find(needle)
    if pos >= 0:
        start, end = hay.original_span(pos, pos + len(needle))
    elif len(needle) < 5:
        return None  # short phrases need an exact hit: fuzzy matching "Li" finds "Lai"
    else:
        found = fuzz.partial_ratio_alignment(needle, hay.text, score_cutoff=threshold)
        if found is None:
            return None
        start, end = hay.original_span(found.dest_start, found.dest_end)
    # Whole words only.
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    return start, end


def mentions(phrase: str, text: str, threshold: float = DEFAULT_THRESHOLD) -> bool:
    """Whether a short phrase occurs in the text (normalised, small fuzzy tolerance)."""
    return find_phrase(phrase, text, threshold) is not None


_NAME_TAIL = re.compile(r"(?:[ \t]+[A-Z][\w'\u2019-]*)*")


def name_as_written(name: str, text: str, threshold: float = DEFAULT_THRESHOLD) -> str | None:
    """The article's own spelling of a name, completed to the right.

    A model writes "Scott Bessent" where the article says "Scott Besent", or
    stops at "Vice Premier He" where it says "Vice Premier He Lifeng": the
    briefing shows names as the source wrote them.
    """
    span = find_phrase(name, text, threshold)
    if span is None:
        return None
    start, end = span
    tail = _NAME_TAIL.match(text, end)
    if tail:
        end = tail.end()
    return re.sub(r"['\u2019]s$", "", text[start:end].strip())


def sentences(text: str) -> list[str]:
    """The article's sentences, in order, without duplicates."""
    out = []
    for part in _SENTENCE_END.split(text):
        part = part.strip()
        if len(part) >= MIN_QUOTE_CHARS:
            out.append(part)
    return list(dict.fromkeys(out))


_WORD = re.compile(r"[\w'%$.-]+")


def word_support(phrase: str, text: str) -> float:
    """Share of a phrase's content words (longer than 3 letters) that occur in the text."""
    words = [w.strip(".") for w in _WORD.findall(fold_text(phrase)) if len(w.strip(".")) > 3]
    if not words:
        return 1.0
    hay = fold_text(text)
    return sum(w in hay for w in words) / len(words)


def supported_sentences(prose: str, texts: list[str], min_share: float = 0.6) -> str:
    """Keep the sentences of model prose whose content words mostly occur in the sources.

    Summaries are the model's own words, so they cannot be quoted; but a
    sentence about a person or a figure no source mentions is dropped.
    """
    sources = "\n".join(texts)
    return " ".join(s for s in sentences(prose) if word_support(s, sources) >= min_share)
