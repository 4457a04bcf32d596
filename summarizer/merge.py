"""Stage 4: merge the per-article summaries into consolidated items, without a model.

The merge is deterministic so that a small model cannot undo it: actors are
clustered by name variants (Bessent / Besent, Jamieson Greer / Jameson Grier,
Trump / President Trump), measures by fuzzy name, deadlines by date and event.
Each consolidated item keeps the articles that support it and their quotes.
Spelling variants and dates that disagree across articles become source
differences.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from rapidfuzz import fuzz

from .schemas import (
    ArticleSummary,
    Claim,
    ConsolidatedActor,
    ConsolidatedMeasure,
    Quote,
    SourceDifference,
    TimelineEntry,
)

# Words that title a person rather than name them.
_TITLES = {
    "president", "vice", "premier", "chairman", "secretary", "treasury", "trade", "representative",
    "minister", "prime", "mr", "mrs", "ms", "dr", "commissioner", "chief", "negotiator", "us",
    "chinese", "china's", "general", "director", "managing", "governor", "senator", "the", "@potus",
    "office", "state",
}


@functools.lru_cache(maxsize=65536)
def name_tokens(name: str) -> tuple[str, ...]:
    """Lower-case, accent-free tokens of a name, without titles (a tuple: the answer is cached and shared)."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    # Dots go entirely so that "U.S." and "US" are one token.
    tokens = [t.replace(".", "").strip(",'\"()") for t in plain.replace("-", " ").split()]
    core = tuple(t for t in tokens if t and t not in _TITLES)
    return core or tuple(t for t in tokens if t)


def _token_match(a: str, b: str) -> bool:
    if a == b:
        return True
    # Short tokens must match exactly: "Li" is not "Lai", "Xi" is not "Li".
    if min(len(a), len(b)) <= 3:
        return False
    return fuzz.ratio(a, b) >= 80


@functools.lru_cache(maxsize=65536)  # a story's names are compared with every other story's, again and again
def same_entity(a: str, b: str) -> bool:
    """Whether two names (as written) denote the same actor.

    Every token of the shorter name must match a distinct token of the longer
    one, exactly or by a close spelling: 'Trump' ~ 'Donald Trump',
    'Besent' ~ 'Scott Bessent', 'Jameson Grier' ~ 'Jamieson Greer'.
    """
    ta, tb = name_tokens(a), name_tokens(b)
    if not ta or not tb:
        return False
    short, long = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    free = list(long)
    for token in short:
        match = next((t for t in free if _token_match(token, t)), None)
        if match is None:
            return False
        free.remove(match)
    return True


@dataclass
class _Cluster:
    names: Counter = field(default_factory=Counter)
    name_articles: dict[str, set[str]] = field(default_factory=dict)
    roles: Counter = field(default_factory=Counter)
    affiliations: Counter = field(default_factory=Counter)
    articles: list[str] = field(default_factory=list)
    evidence: list[Quote] = field(default_factory=list)
    _seen: set[str] = field(default_factory=set)  # `articles` as a set: one actor named by 10,000 articles was quadratic

    def add(self, name: str, article_id: str, role: str, affiliation: str, evidence: list[Quote]) -> None:
        self.names[name] += 1
        self.name_articles.setdefault(name, set()).add(article_id)
        if role:
            self.roles[role] += 1
        if affiliation:
            self.affiliations[affiliation] += 1
        if article_id not in self._seen:
            self._seen.add(article_id)
            self.articles.append(article_id)
        self.evidence.extend(evidence)

    def canonical(self) -> str:
        # The fullest name, then the spelling most articles agree with: an
        # article writing "Greer" backs "Jamieson Greer", not "Jameson Grier".
        def backing(candidate: str) -> int:
            tokens = set(name_tokens(candidate))
            return len({a for n, ids in self.name_articles.items() if set(name_tokens(n)) <= tokens for a in ids})

        def titles(candidate: str) -> int:  # "The U.S. Trade Representative Jamieson Greer" is a name with a title
            return len(candidate.split()) - len(name_tokens(candidate))

        return max(self.names, key=lambda n: (len(name_tokens(n)), -titles(n), backing(n), self.names[n], n))


def merge_actors(summaries: list[ArticleSummary]) -> tuple[list[ConsolidatedActor], list[SourceDifference]]:
    clusters: list[_Cluster] = []
    # Longer names first, so that "Trump" joins "Donald Trump" rather than founding its own cluster.
    mentions = [(s.article_id, a) for s in summaries for a in s.actors]
    mentions.sort(key=lambda m: -len(name_tokens(m[1].name)))
    # A name's matching clusters, kept while no cluster is founded and none gains a name: a day's
    # articles name the same few people thousands of times (30,000 mentions by 10,000 articles
    # were 860,000 comparisons of names).
    matching: dict[str, list[_Cluster]] = {}
    for article_id, actor in mentions:
        matches = matching.get(actor.name)
        if matches is None:
            matches = matching[actor.name] = [c for c in clusters if any(same_entity(actor.name, n) for n in c.names)]
        if len(matches) == 1:
            target = matches[0]
            if actor.name not in target.names:
                matching.clear()
        else:
            # No match founds a cluster; an ambiguous short name ("Li" with two Lis) does too.
            target = _Cluster()
            clusters.append(target)
            matching.clear()
        target.add(actor.name, article_id, actor.role, actor.affiliation, actor.evidence)

    actors, differences = [], []
    for cluster in clusters:
        name = cluster.canonical()
        actors.append(
            ConsolidatedActor(
                name=name,
                aliases=sorted(n for n in cluster.names if n != name),
                role=cluster.roles.most_common(1)[0][0] if cluster.roles else "",
                affiliation=cluster.affiliations.most_common(1)[0][0] if cluster.affiliations else "",
                article_ids=sorted(cluster.articles),
                evidence=_unique_quotes(cluster.evidence),
            )
        )
        differences.extend(_spelling_differences(cluster, name))
    actors.sort(key=lambda a: (-len(a.article_ids), a.name))
    return actors, differences


def _spelling_differences(cluster: _Cluster, canonical: str) -> list[SourceDifference]:
    """Names that are variants, not abbreviations, of the canonical one (Besent for Bessent)."""
    canon_tokens = set(name_tokens(canonical))
    variants = [n for n in cluster.names if not set(name_tokens(n)) <= canon_tokens]
    if not variants:
        return []
    claims = []
    for name in [canonical, *sorted(variants)]:
        for article_id in sorted(cluster.name_articles[name]):
            quotes = [q for q in cluster.evidence if q.article_id == article_id][:1]
            claims.append(Claim(article_id=article_id, claim=f"spells the name {name!r}", evidence=quotes))
    if len({c.article_id for c in claims}) < 2:
        return []
    return [SourceDifference(topic=f"spelling of {canonical}", claims=claims, origin="merge")]


def _similar(a: str, b: str, cutoff: float = 70) -> bool:
    return fuzz.token_set_ratio(a.lower(), b.lower()) >= cutoff


_STOPWORDS = {"about", "after", "before", "which", "their", "there", "would", "could", "should", "will", "with", "from", "that", "this", "those", "these", "under", "between", "while", "other", "being", "countries", "sides"}


def _shares_a_keyword(a: str, b: str) -> bool:
    """Two descriptions of one day's event share a telling word ("truce", "summit")."""

    def words(text: str) -> set[str]:
        return {w for w in re.findall(r"[a-z]+", text.lower()) if len(w) > 4 and w not in _STOPWORDS}

    return bool(words(a) & words(b))


#: Kinds a story rarely has two of: every "truce" its sources mention is the same truce.
_ONE_PER_STORY = {"truce", "port_fee", "purchase"}
#: Measures shown: past this, single-source mentions crowd out what matters.
MAX_MEASURES = 12


def merge_measures(summaries: list[ArticleSummary]) -> list[ConsolidatedMeasure]:
    groups: list[list[tuple[str, object]]] = []
    for summary in summaries:
        for measure in summary.measures:
            group = next(
                (
                    g for g in groups
                    if g[0][1].kind == measure.kind
                    and (
                        measure.kind in _ONE_PER_STORY
                        or _similar(g[0][1].name, measure.name)
                        or bool(_rates(g[0][1].name) & _rates(measure.name))  # one story's "100%" tariff is one
                    )
                ),
                None,
            )
            if group is None:
                groups.append([(summary.article_id, measure)])
            else:
                group.append((summary.article_id, measure))
    merged = []
    for group in groups:
        first = group[0][1]
        statuses = {article_id: m.status for article_id, m in group}
        status = Counter(s for s in statuses.values() if s != "unknown").most_common(1)
        dates = Counter(m.effective_date for _, m in group if m.effective_date).most_common(1)
        merged.append(
            ConsolidatedMeasure(
                name=max((m.name for _, m in group), key=lambda n: (_telling(n), sum(_similar(n, o.name) for _, o in group), -len(n))),
                kind=first.kind,
                imposed_by=next((m.imposed_by for _, m in group if m.imposed_by), ""),
                imposed_on=next((m.imposed_on for _, m in group if m.imposed_on), ""),
                status=status[0][0] if status else "unknown",
                statuses=statuses,
                effective_date=dates[0][0] if dates else None,
                article_ids=sorted({a for a, _ in group}),
                evidence=_unique_quotes([q for _, m in group for q in m.evidence]),
            )
        )
    # Most widely reported first, then the names that say most (a figure, an object).
    merged.sort(key=lambda m: (-len(m.article_ids), -_telling(m.name), m.name))
    return merged[:MAX_MEASURES]


def _rates(name: str) -> set[str]:
    """The rates and sums a measure's name gives: "100% tariffs" -> {"100%"}."""
    return {re.sub(r"\s+|per ?cent|percent", "%", m).replace("%%", "%") for m in re.findall(r"\d[\d.,]*\s*(?:%|percent|per cent)|[$\u20ac\u00a3]\s*\d[\d.,]*", name)}


def _telling(name: str) -> int:
    """How much a measure's name says: a rate or a sum ("100%", "$4 billion") and an object ("on Chinese imports") each count."""
    return bool(re.search(r"\d\s*(?:%|percent|per cent)|[$\u20ac\u00a3]\s*\d", name)) + bool(re.search(r" (?:on|of|against|for|to) ", name))


def merge_deadlines(summaries: list[ArticleSummary]) -> tuple[list[TimelineEntry], list[SourceDifference]]:
    groups: list[list[tuple[str, object]]] = []
    for summary in summaries:
        for deadline in summary.deadlines:
            group = next(
                (
                    g
                    for g in groups
                    if (g[0][1].date == deadline.date and _shares_a_keyword(g[0][1].event, deadline.event))
                    or _similar(g[0][1].event, deadline.event, 85)
                ),
                None,
            )
            if group is None:
                groups.append([(summary.article_id, deadline)])
            else:
                group.append((summary.article_id, deadline))
    timeline, differences = [], []
    for group in groups:
        dates = Counter(d.date for _, d in group if d.date)
        best = group[0][1]
        day = dates.most_common(1)[0][0] if dates else None
        precise = next((d for _, d in group if d.date == day), best)
        timeline.append(
            TimelineEntry(
                date=day,
                precision=precise.precision,
                date_texts=sorted({d.date_text for _, d in group}),
                event=max((d.event for _, d in group), key=len) if len(group) > 1 else best.event,
                kind=best.kind,
                certainty=best.certainty,
                article_ids=sorted({a for a, _ in group}),
                evidence=_unique_quotes([q for _, d in group for q in d.evidence]),
            )
        )
        if len(dates) > 1:
            claims = [
                Claim(article_id=a, claim=f"{d.date_text} ({d.date})", evidence=d.evidence[:1]) for a, d in group
            ]
            if len({c.article_id for c in claims}) >= 2:
                differences.append(SourceDifference(topic=f"date of: {best.event}", claims=claims, origin="merge"))
    timeline.sort(key=lambda t: (t.date is None, t.date or 0, t.event))
    return timeline, differences


def _unique_quotes(quotes: list[Quote]) -> list[Quote]:
    seen, out = set(), []
    for quote in quotes:
        key = (quote.article_id, quote.start, quote.end)
        if key not in seen:
            seen.add(key)
            out.append(quote)
    return out


#: Words that tell nothing about which event a sentence reports.
_EVENT_STOPWORDS = _STOPWORDS | {
    "said", "says", "told", "also", "have", "were", "been", "they", "them", "than", "then", "when", "what",
    "where", "into", "over", "more", "most", "some", "such", "only", "very", "just", "after", "next", "last",
}


def _event_words(quotes: list[Quote]) -> set[str]:
    text = " ".join(q.text for q in quotes).lower()
    return {w for w in re.findall(r"[a-z][a-z'-]{3,}", text) if w not in _EVENT_STOPWORDS}


def day_differences(timeline: list[TimelineEntry], min_shared: int = 4) -> list[SourceDifference]:
    """One event that sources place on neighbouring days: 'Friday evening Eastern Time' against 'Saturday morning'.

    Entries a day apart, from different articles, whose sentences share enough
    telling words (the people, the kind of event) are taken to be one event
    told differently: by time zone, by a wrong weekday, or by a mistake. The
    reader is shown both, with each source's words for the day.
    """
    differences = []
    dated = [t for t in timeline if t.date is not None]
    for i, a in enumerate(dated):
        for b in dated[i + 1:]:
            if abs((a.date - b.date).days) != 1 or set(a.article_ids) == set(b.article_ids):  # type: ignore[operator]
                continue
            shared = _event_words(a.evidence) & _event_words(b.evidence)
            if len(shared) < min_shared:
                continue
            claims = []
            for entry in (a, b):
                for article_id in entry.article_ids:
                    quotes = [q for q in entry.evidence if q.article_id == article_id][:1]
                    claims.append(Claim(article_id=article_id, claim=f"{', '.join(entry.date_texts)} ({entry.date})", evidence=quotes))
            if len({c.article_id for c in claims}) < 2:
                continue
            about = min((a.event, b.event), key=len)
            about = about if len(about) <= 110 else about[:109].rsplit(" ", 1)[0] + "\u2026"
            differences.append(SourceDifference(topic=f"day of the event: {about}", claims=claims, origin="merge"))
    return differences


_FIGURE_BODY = r"(?<![\w.])(\$|€|£)?(\d[\d,]*(?:\.\d+)?)\s*(%|percent|per cent|billion|million|trillion|bn|m\b)?"
#: A figure begins with a digit or a currency sign: the look-ahead skips every other place at once
#: (tried at each of a sentence's characters, the whole pattern was a third of the figures' reading).
_FIGURE = re.compile(r"(?=[$€£\d])" + _FIGURE_BODY, re.IGNORECASE)


def _figures(sentence: str) -> list[tuple[str, str, str, tuple[str, ...]]]:
    """(unit, value, as written, what it counts) for each figure of a sentence: "$4.6 billion in the
    contingency fund" -> ("$billion", "4.6", "$4.6 billion", ("contingency", "fund")). Years and days
    of the month are left out."""
    found = []
    for match in _FIGURE.finditer(sentence):
        currency, value, unit = match.groups()
        number = value.replace(",", "")
        if not unit and not currency and (len(number) == 4 or len(number) <= 2):
            continue  # a year, a day of the month, a count too small to tell
        unit_key = ((currency or "") + (unit or "").lower().replace("per cent", "%").replace("percent", "%")) or "#"
        # What the figure counts: the telling words right after it ("in the contingency fund").
        after = [w for w in re.findall(r"[a-z][a-z'-]{3,}", sentence[match.end():match.end() + 40].lower())
                 if w not in _EVENT_STOPWORDS][:3]
        if after:
            # In the order written, not as a set: the order of the mentions decides which
            # sentence and figure a source difference shows first, in every process alike.
            found.append((unit_key, number, match.group(0).strip(), tuple(dict.fromkeys(after))))
    return found


class QuotedSentence(Protocol):
    """A sentence of an article (prose.Source): its text, and the quote of it, made when asked for."""

    article_id: str
    text: str
    start: int

    @property
    def quote(self) -> Quote: ...


def figure_differences(sentences: Iterable[QuotedSentence]) -> list[SourceDifference]:
    """One quantity that sources give as different figures ("$5.25 billion" / "$6 billion" for one fund).

    `sentences`: every sentence of the day's articles (prose.sources_of, which leaves out planted
    sentences: a planted sentence is never a source's figure); a sentence's quote is made only
    if it is shown.
    Figures in the same unit counting the same thing (a telling word right
    after them in common) are gathered across every sentence of the articles,
    and sentences gathered together under several words are one quantity.
    Where two articles give no value in common, the sources differ, and each
    one's figures are shown with its sentence. Meaning is not checked: figures
    of two different things followed by the same words can pass, so the topic
    names those words and the claims show each sentence.
    """
    # (unit, word) -> [(article id, value, as written, sentence)], in the order of the sentences.
    mentions: dict[tuple[str, str], list[tuple[str, str, str, QuotedSentence]]] = {}
    for sentence in sentences:
        for unit, value, written, words in _figures(sentence.text):
            for word in words:
                mentions.setdefault((unit, word), []).append((sentence.article_id, value, written, sentence))
    # Figures under one (unit, word) in two or more articles are candidates; groups that share a
    # sentence are joined, so "$6 billion in contingency funds" and "... the fund" are one quantity.
    groups: list[tuple[set, list]] = []  # (quote keys, mentions)
    for (unit, word), found in mentions.items():
        if len({m[0] for m in found}) < 2:
            continue
        members = [(unit, word, *m) for m in found]
        spots = {(m[2], m[5].start, m[3]) for m in members}
        joined = [g for g in groups if g[0] & spots]
        for g in joined:
            groups.remove(g)
            spots |= g[0]
            members = g[1] + members
        groups.append((spots, members))
    differences = []
    for _, members in groups:
        by_article: dict[str, tuple[dict[str, str], QuotedSentence]] = {}
        for unit, word, article_id, value, written, sentence in members:
            values, _s = by_article.setdefault(article_id, ({}, sentence))
            values.setdefault(value, written)
        ids = sorted(by_article)
        if not any(not (by_article[a][0].keys() & by_article[b][0].keys()) for i, a in enumerate(ids) for b in ids[i + 1:]):
            continue  # every two sources share a figure: no disagreement
        # The words most sources put after their figure say what is counted.
        reach = Counter(w for w, _ in {(m[1], m[2]) for m in members})
        # Ties in alphabetical order: a set's order changes from one process to the next.
        words = sorted(reach.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
        claims = [Claim(article_id=a, claim=", ".join(by_article[a][0].values()), evidence=[by_article[a][1].quote])
                  for a in ids]
        differences.append(
            SourceDifference(topic=f"figures given for: {', '.join(w for w, _ in words)}", claims=claims, origin="merge")
        )
    return differences
