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
from collections import defaultdict
from dataclasses import dataclass
from sys import intern

from .align import fold_text
from .candidates import CALENDAR_WORDS, GRAMMAR_WORDS, sentence_spans
from .dates import find_date_phrases, may_hold_date, resolve_date
from .injection import blank_instructions
from .schemas import CitedSentence, DroppedSentence, Quote

#: Share of a sentence's content words its citations must hold.
MIN_WORD_SUPPORT = 0.6
MAX_CITATIONS = 3
_WORD = re.compile(r"[A-Za-z\u00c0-\u024f][\w'\u2019-]*")
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_DANGLING = GRAMMAR_WORDS | {"between", "than", "via", "including", "like"}


class Source:
    """One sentence of an article, as a citation candidate.

    Its words, names and written figures are read at once, and indexed (`Sources`). Its days,
    about 100 µs a sentence, and what follows from them (which figures are days of the month)
    are read the first time a prose sentence could be cited to it: a day of 2,000 articles has
    16,000 sentences, and a briefing's prose needs the days of a few of them. Words and names are
    held as tuples, in slots: a day's sentences are all held at once (3 KB each as sets, in a dict).
    """

    __slots__ = ("article_id", "_text", "_within", "start", "end", "anchor", "_quote", "words", "tokens", "may_date",
                 "figures_written", "_dated", "_numbers", "_folded")

    def __init__(self, article_id: str, text: str, start: int, end: int, anchor: dt.date | None,
                 quote: Quote | None = None, within: str | None = None) -> None:
        """`within`: the article's text, of which `text` is [start:end]. The sentence is then read
        from it when asked for, not held twice (12 MB of a day of 10,000 articles)."""
        self.article_id, self.start, self.end, self.anchor = article_id, start, end, anchor
        self._text, self._within = (None, within) if within is not None else (text, None)
        self._quote = quote
        self.words = tuple(_content_words(text))
        self.tokens = tuple(_tokens(text))  # folded words, possessives stripped: names are looked up here, whole
        # No date word and no digit: no day and no figure either.
        self.may_date = may_hold_date(text)
        # Every figure as written, days of the month too: `numbers` once the dates are read.
        self.figures_written = tuple(_numbers(text, [])) if self.may_date else ()
        self._dated: tuple[set[dt.date], list[tuple[int, int, str]]] | None = None
        self._numbers: set[str] | None = None
        self._folded: str | None = None

    @property
    def text(self) -> str:
        return self._text if self._within is None else self._within[self.start:self.end]

    @property
    def quote(self) -> Quote:
        if self._quote is None:
            # A span of the article's own text: nothing to validate.
            self._quote = Quote.model_construct(article_id=self.article_id, text=self.text, start=self.start,
                                                end=self.end, score=100.0)
        return self._quote

    @property
    def folded(self) -> str:
        if self._folded is None:
            self._folded = fold_text(self.text)
        return self._folded

    def _dates(self) -> tuple[set[dt.date], list[tuple[int, int, str]]]:
        """(its days, the date phrases they were read from), read once."""
        if self._dated is None:
            self._dated = _days(self.text, self.anchor) if self.may_date else (set(), [])
        return self._dated

    @property
    def days(self) -> set[dt.date]:
        return self._dates()[0]

    @property
    def numbers(self) -> set[str]:
        if self._numbers is None:  # the digits of a date phrase are no figure
            self._numbers = _numbers(self.text, self._dates()[1]) if self.figures_written else set()
        return self._numbers


def carried(source: Source, names: set, numbers: set, days: set, words: set) -> tuple[int, int]:
    """(the names, figures and days still wanted that `source` carries, the words still wanted it shares)."""
    facts = len(names.intersection(source.tokens)) + len(numbers & source.numbers) + len(days & source.days)
    return facts, len(words.intersection(source.words))


class Sources:
    """The sentences a day's prose can be cited to, indexed by their words, names and figures."""

    def __init__(self, sources: list[Source]) -> None:
        self.sources = sources
        # Looked up with .get() only. (setdefault made an empty list for each of millions of
        # words indexed, a quarter of the time.)
        self.by_word: defaultdict[str, list[int]] = defaultdict(list)
        self.by_token: defaultdict[str, list[int]] = defaultdict(list)
        self.by_figure: defaultdict[str, list[int]] = defaultdict(list)
        self.dated: list[int] = []
        by_word, by_token, by_figure = self.by_word, self.by_token, self.by_figure
        for index, s in enumerate(sources):
            for word in s.words:
                by_word[word].append(index)
            for token in s.tokens:
                by_token[token].append(index)
            for figure in s.figures_written:
                by_figure[figure].append(index)
            if s.may_date:
                self.dated.append(index)

    def most_telling(self, names: set, numbers: set, days: set, words: set, chosen: set[int]) -> int | None:
        """The sentence (its index) that carries most of what is still unsupported, a fact counting
        twice a word; of equals, the first in the articles' order. None: no sentence carries any.

        Exactly the best of every sentence, but the days, the costly part, are read only for
        sentences that could be it. Each sentence is first given an upper bound, from the indexes:
        every day still wanted counts as carried if it holds a date at all, every figure it writes
        as a figure (a day of the month is none, once its date is read). Exact scores are then read
        from the highest bound down, until no bound left can reach the best score found.
        """
        hits: dict[int, list[int]] = {}  # index: [facts bound, words]
        for found, index_of, slot in ((names, self.by_token, 0), (numbers, self.by_figure, 0), (words, self.by_word, 1)):
            for key in found:
                for index in index_of.get(key, ()):
                    hits.setdefault(index, [0, 0])[slot] += 1
        bounded = []
        for index, (facts, shared) in hits.items():
            if index in chosen:
                continue
            if self.sources[index].may_date:
                facts += len(days)
            bounded.append(((2 * facts + shared, facts), -index))
        bounded.sort(reverse=True)
        best: tuple[tuple[int, int], int] | None = None  # (score, -index)
        for bound, negative in bounded:
            if best is not None and (bound, negative) < best:
                break
            facts, shared = carried(self.sources[-negative], names, numbers, days, words)
            candidate = ((2 * facts + shared, facts), negative)
            if best is None or candidate > best:
                best = candidate
        if days and (best is None or ((2 * len(days), len(days)), 0) > best):
            # A sentence that shares nothing but could share a day: read in the articles' order.
            for index in self.dated:
                if index in hits or index in chosen:
                    continue
                if best is not None and ((2 * len(days), len(days)), -index) < best:
                    break
                on_day = len(days & self.sources[index].days)
                candidate = ((2 * on_day, on_day), -index)
                if best is None or candidate > best:
                    best = candidate
        if best is None or best[0] == (0, 0):
            return None
        return -best[1]


def _content_words(text: str) -> set[str]:
    # Interned: every sentence of every article is held as a source at once, and the same words
    # recur in thousands of them (95 MB of sources for 2,000 articles before).
    # ASCII text is lower-cased once (the same words: case changes no ASCII letter's class).
    found = _WORD.findall(text.lower()) if text.isascii() else [x.lower() for x in _WORD.findall(text)]
    return {intern(w) for w in {x.strip("'\u2019") for x in found} if len(w) > 3 and w not in GRAMMAR_WORDS}


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
    """A quoted passage as a citation candidate."""
    return Source(quote.article_id, quote.text, quote.start, quote.end, anchor, quote)


def article_sources(article_id: str, article: object) -> list[Source]:
    """Every sentence of one article (planted instructions left out), ready to be cited."""
    anchor = getattr(article, "published", None)
    text = article.text  # type: ignore[attr-defined]
    return [Source(article_id, text[s.start:s.end], s.start, s.end, anchor, within=text)
            for s in sentence_spans(blank_instructions(text))]


def sources_of(articles: dict[str, object], read: dict[str, list[Source]] | None = None) -> Sources:
    """Every sentence of every article, indexed; `read`: `article_sources` of some of them, if read already
    (summarizer.pipeline reads each article's as its summary arrives, while the other calls are out)."""
    read = read or {}
    out = []
    for article_id, article in articles.items():
        out.extend(read[article_id] if article_id in read else article_sources(article_id, article))
    return Sources(out)


_TOKEN = re.compile(r"[\w'.-]*\w")
_PIECE = re.compile(r"\w+")


def _tokens(text: str) -> set[str]:
    """Each word of the folded text, possessive stripped ("bessent's" -> "bessent"), and each run of
    letters and digits within it ("u.s." -> also "u" and "s"): every such run lies inside a word."""
    out = set()
    for word in _TOKEN.findall(fold_text(text)):
        out.add(word[:-2] if word.endswith("'s") else word)
        if not word.isalnum():
            out.update(_PIECE.findall(word))
    return {intern(w) for w in out}


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


def check_sentence(sentence: str, sources: Sources | list[Source], anchor: dt.date | None) -> Verdict:
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
    index = sources if isinstance(sources, Sources) else Sources(sources)

    def support(chosen: list[Source]) -> float:
        cited = " ".join(s.folded for s in chosen)
        return sum(w in cited for w in content) / len(content) if content else 1.0

    chosen: list[Source] = []
    taken: set[int] = set()
    names_left, numbers_left, days_left, words_left = set(names), set(numbers), set(days), set(content)
    while len(chosen) < MAX_CITATIONS:
        found = index.most_telling(names_left, numbers_left, days_left, words_left, taken)
        if found is None:
            break
        best = index.sources[found]
        facts, shared = carried(best, names_left, numbers_left, days_left, words_left)
        short_of_words = support(chosen) < MIN_WORD_SUPPORT
        if facts == 0 and not (shared >= 2 and (short_of_words or not chosen)):
            break  # a further citation must carry something the others do not
        if len(content.intersection(best.words)) < min(2, len(content)):
            break  # nor is a sentence cited for a stray number or name: it must be about the same thing
        chosen.append(best)
        taken.add(found)
        names_left.difference_update(best.tokens)
        numbers_left -= best.numbers
        days_left -= best.days
        words_left.difference_update(best.words)
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
    text: str, section: str, sources: Sources | list[Source], anchor: dt.date | None
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
