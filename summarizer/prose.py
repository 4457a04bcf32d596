"""Stage 5b: the briefing's prose, sentence by sentence, cited and checked against the sources.

Items carry quotes; prose (headline, executive summary, key developments) is
the model's own words, and a model's own words can state what no article
says: a date copied out of a 2017 photo caption, a place no source names, a
figure from nowhere, a sentence cut off by the token limit. So every prose
sentence is shown only with the source sentences it rests on, and only if:

* it is a complete sentence;
* every name it writes (a capitalised word past its first), every figure, and
  every date occurs in those sentences; dates are compared as resolved days,
  so "November 9" backed only by "November 9, 2017" fails;
* most of its content words are theirs, and so are most of each clause's.

The citations are found, not asked for: for each sentence, the one to three
sentences of the articles that carry most of its names, figures, dates and
words. So any model's prose is checked the same way, and no prompt needs to
teach a tiny model to cite. What is not checked is meaning: a sentence that
recombines true parts ("Bessent met Xi on October 17", from one sentence
about Bessent and another about Xi) can pass.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from sys import intern

from .align import fold_text
from .candidates import CALENDAR_WORDS, GRAMMAR_WORDS, sentence_quotes, sentence_spans
from .dates import find_date_phrases, resolve_date
from .schemas import CitedSentence, DroppedSentence, Quote

#: Share of a sentence's content words its citations must hold.
MIN_WORD_SUPPORT = 0.6
MAX_CITATIONS = 3
_WORD = re.compile(r"[A-Za-z\u00c0-\u024f][\w'\u2019-]*")
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_DANGLING = GRAMMAR_WORDS | {"between", "than", "via", "including", "like"}


@dataclass
class Source:
    """One sentence of an article, as a citation candidate."""

    quote: Quote
    folded: str
    tokens: set[str]  # folded words, possessives stripped: names are looked up here, whole
    words: set[str]
    numbers: set[str]
    days: set[dt.date]


def _content_words(text: str) -> set[str]:
    # Interned: every sentence of every article is held as a source at once, and the same words
    # recur in thousands of them (95 MB of sources for 2,000 articles before).
    return {intern(w) for w in (x.lower().strip("'\u2019") for x in _WORD.findall(text))
            if len(w) > 3 and w not in GRAMMAR_WORDS}


def _numbers(text: str, dates: list[tuple[int, int, str]]) -> set[str]:
    out = set()
    for m in _NUMBER.finditer(text):
        if any(s <= m.start() < e for s, e, _ in dates):
            continue  # the 10 of "November 10" is checked as a date
        out.add(m.group().replace(",", "").rstrip("."))
    return out


_ISO_DAY = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def _days(text: str, anchor: dt.date | None) -> tuple[set[dt.date], list[tuple[int, int, str]]]:
    phrases = find_date_phrases(text)
    days = {d for d in (resolve_date(p, anchor).date for _, _, p in phrases) if d}
    for m in _ISO_DAY.finditer(text):  # "2025-11-30", as a model may copy a date from its input
        try:
            days.add(dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))))
            phrases.append((m.start(), m.end(), m.group()))
        except ValueError:
            pass
    return days, phrases


def source(quote: Quote, anchor: dt.date | None) -> Source:
    """A quoted sentence as a citation candidate: its names, words, figures and days, read once."""
    days, phrases = _days(quote.text, anchor)
    return Source(quote, fold_text(quote.text), _tokens(quote.text), _content_words(quote.text),
                  _numbers(quote.text, phrases), days)


def sources_of(articles: dict[str, object]) -> list[Source]:
    """Every sentence of every article (planted instructions left out), ready to be cited."""
    out = []
    for article_id, article in articles.items():
        anchor = getattr(article, "published", None)
        out.extend(source(quote, anchor) for quote in sentence_quotes(article_id, article.text))  # type: ignore[attr-defined]
    return out


def _tokens(text: str) -> set[str]:
    folded = fold_text(text)
    return {intern(re.sub(r"'s$", "", w)) for w in re.findall(r"[\w'.-]*\w", folded)} | {
        intern(w) for w in re.findall(r"\w+", folded)
    }


def _names(sentence: str) -> list[str]:
    """Capitalised words a reader takes for names: all past the first word, and the first when it is no
    ordinary sentence opener ("China agreed ..." yes, "The talks ..." no). Months and weekdays are dates."""
    names = []
    for i, m in enumerate(_WORD.finditer(sentence)):
        word = m.group().strip("'\u2019")
        word = re.sub(r"['\u2019]s$", "", word)
        if not word[:1].isupper() or word.lower() in CALENDAR_WORDS:
            continue
        if i == 0 and (word.lower() in GRAMMAR_WORDS or word.lower() in _OPENERS):
            continue
        names.append(word)
    return names


#: Capitalised only because they open a sentence.
_OPENERS = {"officials", "talks", "both", "after", "before", "during", "while", "despite", "amid", "meanwhile",
            "however", "today", "recent", "new", "further", "trade", "tensions", "negotiations", "leaders", "there"}


@dataclass
class Verdict:
    citations: list[Quote]
    problem: str | None  # None: the sentence stands


def check_sentence(sentence: str, sources: list[Source], anchor: dt.date | None) -> Verdict:
    """Cite the sentence and say what, if anything, its citations do not carry."""
    flat = " ".join(sentence.split())
    words = flat.split()
    if len(words) < 4 or not re.search(r"[.!?][\"'\u201d\u2019)]*$", flat) or flat.endswith("...") or "\u2026" in flat[-3:]:
        return Verdict([], "not a complete sentence")
    if words[-1].rstrip(".!?\"'\u201d\u2019").lower() in _DANGLING or flat.count("(") != flat.count(")"):
        return Verdict([], "not a complete sentence")
    if re.search(r"[,;:\u2014-]\s*[.!?]$", flat):
        return Verdict([], "not a complete sentence")  # cut off after a comma
    days, phrases = _days(flat, anchor)
    names = {fold_text(n) for n in _names(flat)}
    numbers = _numbers(flat, phrases)
    content = _content_words(flat)

    def gain(source: Source, names_left: set, numbers_left: set, days_left: set, words_left: set) -> tuple[int, int]:
        facts = len(names_left & source.tokens) + len(numbers_left & source.numbers) + len(days_left & source.days)
        return facts, len(words_left & source.words)

    def support(chosen: list[Source]) -> float:
        cited = " ".join(s.folded for s in chosen)
        return sum(w in cited for w in content) / len(content) if content else 1.0

    chosen: list[Source] = []
    names_left, numbers_left, days_left, words_left = set(names), set(numbers), set(days), set(content)
    while len(chosen) < MAX_CITATIONS:
        # The sentence that carries most of what is still unsupported: a fact counts twice a word.
        best = max(
            (s for s in sources if s not in chosen),
            key=lambda s: (lambda f, w: (2 * f + w, f))(*gain(s, names_left, numbers_left, days_left, words_left)),
            default=None,
        )
        if best is None:
            break
        facts, shared = gain(best, names_left, numbers_left, days_left, words_left)
        short_of_words = support(chosen) < MIN_WORD_SUPPORT
        if facts == 0 and not (shared >= 2 and (short_of_words or not chosen)):
            break  # a further citation must carry something the others do not
        if len(best.words & content) < min(2, len(content)):
            break  # nor is a sentence cited for a stray number or name: it must be about the same thing
        chosen.append(best)
        names_left -= best.tokens
        numbers_left -= best.numbers
        days_left -= best.days
        words_left -= best.words
        if not (names_left or numbers_left or days_left) and support(chosen) >= MIN_WORD_SUPPORT:
            break
    citations = [s.quote for s in chosen]
    if not chosen:
        return Verdict([], "no source sentence says it")
    cited = " ".join(s.folded for s in chosen)
    missing = list(dict.fromkeys(n for n in _names(flat) if fold_text(n) in names_left))
    if missing:
        return Verdict(citations, f"{', '.join(repr(n) for n in missing)} is not in the sentences it rests on")
    if numbers_left:
        return Verdict(citations, f"the figure {', '.join(sorted(numbers_left))} is not in the sentences it rests on")
    if days_left:
        written = ", ".join(repr(p) for _, _, p in phrases)
        said = sorted({str(d) for s in chosen for d in s.days})
        return Verdict(citations, f"the date {written} ({', '.join(str(d) for d in sorted(days_left))}) is not in its sources"
                       + (f" (they give {', '.join(said)})" if said else ""))
    support = sum(w in cited for w in content) / len(content) if content else 1.0
    if support < MIN_WORD_SUPPORT:
        return Verdict(citations, f"mostly words its sources do not use ({support:.0%} of them are theirs)")
    # A figure stands with the names around it: "the House voted 60-40" cited to "the Senate voted
    # 60-40" and to another sentence that names the House joins two true sentences into a false one.
    for number in sorted(numbers):  # in one order in every process: the reason shown must not vary
        carriers = [s for s in chosen if number in s.numbers]
        apart = [n for n in _names(flat) if carriers and not any(fold_text(n) in s.folded for s in carriers)]
        if apart:
            return Verdict(citations, f"{', '.join(repr(n) for n in apart)} and the figure {number} are not in one "
                                      "source sentence")
    # Clause by clause too: a sentence that is mostly its sources' words can still tack on a clause
    # of its own ("..., including restrictions on Chinese electronics exports, which will be extended").
    for clause in re.split(r"[,;:\u2014]\s*|\s+(?:which|while|but|including)\s+", flat):
        words = _content_words(clause)
        if len(words) >= 2 and sum(w in cited for w in words) / len(words) < MIN_WORD_SUPPORT:
            return Verdict(citations, f"the clause {clause.strip(' .')!r} is mostly words its sources do not use")
    return Verdict(citations, None)


def checked_prose(
    text: str, section: str, sources: list[Source], anchor: dt.date | None
) -> tuple[list[CitedSentence], list[DroppedSentence]]:
    """The sentences of `text` that stand, each with its citations; the others, with their reasons."""
    shown, dropped = [], []
    for s in sentence_spans(text):
        sentence = " ".join(s.text.split())
        verdict = check_sentence(sentence, sources, anchor)
        if verdict.problem is None:
            shown.append(CitedSentence(text=sentence, citations=verdict.citations))
        else:
            dropped.append(DroppedSentence(section=section, text=sentence, reason=verdict.problem))  # type: ignore[arg-type]
    return shown, dropped
