"""Open questions built from what the briefing holds, not asked of a model in the void.

A tiny model asked for "open questions" writes the same vacuous one three
times ("What is the purpose of the talks?"). Yet a briefing already knows
what is open: a threatened measure may or may not be imposed, a truce that
expires on a date may or may not be extended, a meeting planned for a day
may or may not take place. Each question here is made from one grounded
item, names it (its measure, its date), and cites the item's quotes.
"""

from __future__ import annotations

import datetime as dt
import re

from rapidfuzz import fuzz

from .align import fold_text
from .schemas import BriefingQuestion, ConsolidatedMeasure, Quote, TimelineEntry

#: Two questions this close (rapidfuzz token-set ratio) ask the same thing.
DUPLICATE_RATIO = 80
MAX_QUESTIONS = 6

_BY_STATUS = {
    "threatened": "Will {name} go ahead{when}?",
    "proposed": "Will {name} be adopted{when}?",
    "announced": "Will {name} be delayed or lifted{when}?",
    "under_negotiation": "Will an agreement be reached on {name}{when}?",
    "suspended": "Will {name} be reinstated{when}?",
}


def day_text(day: dt.date) -> str:
    return f"{day:%B} {day.day}"


def _name(measure_name: str) -> str:
    """The measure with its article: 'the 100% tariffs ...', but "China's latest export controls" as is."""
    name = re.sub(r"^(?:the|a|an)\s+", "", measure_name.strip(), flags=re.IGNORECASE)
    if re.match(r"^[\w.-]+['\u2019]s\s", name):
        return name
    return "the " + name


def _quotes_overlap(a: list[Quote], b: list[Quote]) -> bool:
    return any(x.article_id == y.article_id and x.start < y.end and y.start < x.end for x in a for y in b)


def _linked_entry(measure: ConsolidatedMeasure, timeline: list[TimelineEntry], day: dt.date) -> TimelineEntry | None:
    """A coming date stated in the same sentence as the measure ("truce ... set to expire on November 10")."""
    coming = [t for t in timeline if t.date and t.date >= day and _quotes_overlap(t.evidence, measure.evidence)]
    return min(coming, key=lambda t: t.date, default=None)  # type: ignore[arg-type,return-value]


_PLANNED = re.compile(
    r"^(.+?)\s+(?:will|would|is set to|are set to|is due to|are due to|plans to|plan to|is expected to|are expected to)\s+(.+)$"
)


def _event_phrase(entry: TimelineEntry) -> str | None:
    """'his planned meeting with Xi in South Korea on October 30' out of the entry's sentence."""
    sentence = " ".join(entry.event.split())
    for written in sorted(entry.date_texts, key=len, reverse=True):
        at = sentence.find(written)
        if at < 0:
            continue
        before = re.split(r"[,;:\u2014\u201c\u201d\"()]", sentence[:at])[-1].split()
        window = before[-10:]
        start = max((i for i, w in enumerate(window) if w.lower() in {"the", "a", "an", "his", "her", "their", "its"}), default=0)
        if start == 0 and _PLANNED.match(" ".join(window)) is None:
            # No determiner: start at the clause's subject, a capitalised word ("Ministers will meet ...").
            start = next((i for i, w in enumerate(window) if w[:1].isupper()), 0)
        words = window[start:]
        if len(words) < 3:
            return None
        if words[0].lower() in {"his", "her", "their", "its", "a", "an"}:
            words[0] = "the"
        return " ".join([*words, written]).rstrip(".")
    return None


def repeats(question: str, asked: list[str]) -> bool:
    """Whether a question asks what one of `asked` already does (all folded with align.fold_text)."""
    folded = fold_text(question)
    return any(fuzz.token_set_ratio(folded, other) > DUPLICATE_RATIO for other in asked)


def distinct(questions: list[BriefingQuestion]) -> list[BriefingQuestion]:
    """Questions without near-repeats ("the purpose of the talks" / "... of the negotiations")."""
    kept: list[BriefingQuestion] = []
    for question in questions:
        if not repeats(question.question, [fold_text(k.question) for k in kept]):
            kept.append(question)
    return kept


def build_questions(
    measures: list[ConsolidatedMeasure], timeline: list[TimelineEntry], day: dt.date, asked: list[str] = ()
) -> list[BriefingQuestion]:
    """Questions about what is still open, most widely reported first; none repeats another (or `asked`)."""
    about_measures: list[BriefingQuestion] = []
    about_events: list[BriefingQuestion] = []
    seen = [fold_text(q) for q in asked]

    def add(question: str, quotes: list[Quote], article_ids: list[str], out: list[BriefingQuestion]) -> None:
        if repeats(question, seen):
            return
        seen.append(fold_text(question))
        # One quote from each source, so that every article the question cites is quoted.
        per_article = list({q.article_id: q for q in reversed(quotes)}.values())[::-1]
        out.append(BriefingQuestion(question=question, article_ids=sorted({q.article_id for q in per_article}), evidence=per_article))

    used_entries: set[int] = set()
    for measure in measures:
        entry = _linked_entry(measure, timeline, day)
        when = f" on {day_text(entry.date)}" if entry and entry.date else ""
        if entry is not None and (entry.kind == "expiry" or measure.status in {"in_effect", "expired"}):
            used_entries.add(id(entry))
            question = f"Will {_name(measure.name)} be extended beyond {day_text(entry.date)}?"  # type: ignore[arg-type]
        elif re.search(r"(?i)\b(?:suspension|freeze|halt|moratorium|pause|ban|embargo)\b", measure.name) and measure.status != "expired":
            # The measure is itself a stop: what is open is whether it ends.
            question = f"Will {_name(measure.name)} be lifted{when}?"
        elif measure.status in _BY_STATUS:
            if entry is not None:
                used_entries.add(id(entry))
                when = f" from {day_text(entry.date)}" if measure.status == "threatened" else when  # type: ignore[arg-type]
            question = _BY_STATUS[measure.status].format(name=_name(measure.name), when=when)
        else:
            continue
        add(question, measure.evidence, measure.article_ids, about_measures)
    for entry in timeline:
        if id(entry) in used_entries or entry.date is None or entry.date < day:
            continue
        phrase = _event_phrase(entry)
        if phrase is None:
            continue
        planned = _PLANNED.match(phrase)
        if planned:  # "Ministers will meet in Lyon on April 2" -> "Will Ministers meet in Lyon on April 2 ..."
            subject, rest = planned.group(1), planned.group(2)
            question = f"Will {subject} {rest} as planned?"
        elif phrase.split()[0].lower() != "the":
            continue  # no clean way to ask it: better no question than a garbled one
        elif entry.kind == "expiry":
            question = f"Will {phrase} be extended?"
        elif re.search(r"\b(?:planned|scheduled|expected)\b", phrase):
            question = f"Will {phrase} take place?"
        else:
            question = f"Will {phrase} go ahead as planned?"
        add(question, entry.evidence, entry.article_ids, about_events)
    # The most reported measures first, then what is planned, so that neither crowds out the other.
    first = about_measures[: MAX_QUESTIONS - min(2, len(about_events))]
    return (first + about_events + about_measures[len(first):])[:MAX_QUESTIONS]
