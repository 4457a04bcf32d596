"""What changed since an earlier briefing: today's stories matched to an earlier run's, item by item.

A reader of yesterday's briefing wants first what is new today. This stage
runs after the briefings are built and needs no model:

1. **Which story continues which** (`match_stories`). A headline changes from
   one day to the next; the people, measures and words of a story do not.
   Every pair (today's story, earlier story) is scored on the actors both
   list (merge.same_entity, so "Johnson" is "Mike Johnson"), the measures both
   list, and the TF-IDF cosine of their text (headline, checked summary,
   quotes, names). The combination is the match's confidence; pairs are
   assigned one to one, best first, and a story under `MATCH_MIN` is new.

2. **What differs** (`story_changes`), per matched pair, from the briefings'
   consolidated items, each change carrying the earlier quote and today's:
   an actor or a measure no earlier item or quote names; a measure whose
   status changed; a dated event that is new, moved to another day, passed
   since the earlier briefing, or went from expected to confirmed; an earlier
   open question that today's articles answer. A matched story with none of
   these says "no change".

Questions are answered conservatively: only by a change to the measure or
event the question was asked about. A sentence that merely repeats a
question's words is no answer ("a vote in December on extending the tax
credits" does not say whether they will be extended), so a question answered
in other words ("the nature of the blast" answered by "described in the FIR
as a bomb blast") is missed rather than guessed.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz, process

from .align import fold_text
from .errors import UsageError
from .merge import name_tokens, same_entity
from .schemas import (
    Briefing,
    Change,
    ConsolidatedMeasure,
    FrontPage,
    Quote,
    StoryChanges,
    StoryMatch,
    TimelineEntry,
)

#: Confidence under which a story is not taken to continue an earlier one. Measured on the mixed
#: corpus (tests/corpus/multi-story): true pairs scored 0.45-0.8, the best wrong pair under 0.15.
MATCH_MIN = 0.3
#: Cosine similarity of two briefings' text at which their wording alone makes the match certain; two days
#: of one story scored 0.23-0.33 on the mixed corpus, two different stories under 0.07.
COSINE_SURE = 0.4
#: Kinds of event that are announced ahead: on its own day, one of these is still to come.
_UPCOMING = {"deadline", "scheduled_event", "expiry"}
#: A sentence that says a matter is still open does not answer a question about it.
_CALENDAR = {"monda", "tuesd", "wedne", "thurs", "frida", "satur", "sunda", "janua", "febru", "march", "april", "june",
             "july", "augus", "septe", "octob", "novem", "decem", "today", "tomor", "yeste", "week", "month", "year", "morni",
             "eveni", "night", "later", "early", "said", "says", "told", "would"}
_QUESTION_STOPWORDS = {
    "what", "which", "when", "where", "whom", "whose", "will", "would", "could", "should", "does", "have", "been",
    "with", "from", "that", "this", "these", "those", "there", "their", "into", "about", "after", "before", "other",
    "take", "place", "planned", "still", "more", "than", "than", "over", "they", "them", "such", "being",
}


class SinceError(UsageError):
    """The earlier run given to --since cannot be read."""


@dataclass(frozen=True)
class EarlierRun:
    """An earlier run's stories: (id, briefing) in its front page's order."""

    date: dt.date
    stories: list[tuple[str, Briefing]]


def read_earlier(path: str | Path) -> EarlierRun:
    """The run `brief` wrote as JSON: a front page (its stories' briefings read from the links) or one briefing."""
    path = Path(path)
    if path.suffix in {".md", ".html"} and path.with_suffix(".json").is_file():
        path = path.with_suffix(".json")  # `-f both` wrote the JSON beside the Markdown
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SinceError(f"--since {path}: no such file") from None
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as error:
        raise SinceError(f"--since {path}: not the JSON of an earlier run ({type(error).__name__})") from None
    if not isinstance(data, dict) or "metadata" not in data:
        raise SinceError(f"--since {path}: not the JSON of an earlier run (write one with -f json or -f all)")
    try:
        if "stories" in data and "headline" not in data:
            page = FrontPage.model_validate(data)
            stories = []
            for story in page.stories:
                target = (path.parent / story.briefing).with_suffix(".json") if story.briefing else None
                if target is None or not target.is_file():
                    raise SinceError(f"--since {path}: the briefing of story {story.id} ({target or 'no link'}) is missing")
                stories.append((story.id, Briefing.model_validate_json(target.read_text(encoding="utf-8"))))
            return EarlierRun(page.date, stories)
        briefing = Briefing.model_validate(data)
    except SinceError:
        raise
    except (ValueError, OSError) as error:
        raise SinceError(f"--since {path}: not the JSON of an earlier run ({str(error).splitlines()[0]})") from None
    return EarlierRun(briefing.date, [("", briefing)])


def earlier_run(stories: Mapping[str, Briefing] | Sequence[Briefing]) -> EarlierRun:
    """An earlier run held in memory: `build_front_page`'s {id: briefing}, or briefings."""
    pairs = list(stories.items()) if isinstance(stories, Mapping) else [("", b) for b in stories]
    if not pairs:
        raise SinceError("the earlier run has no stories")
    return EarlierRun(max(b.date for _, b in pairs), pairs)


# ---------------------------------------------------------------------------
# 1. Which story continues which


def _text(briefing: Briefing) -> str:
    quotes = [q.text for item in (*briefing.actors, *briefing.measures, *briefing.timeline) for q in item.evidence[:2]]
    names = " ".join(n.replace(" ", "_") for a in briefing.actors for n in (a.name, *a.aliases))
    return " ".join([briefing.headline, *(s.text for s in briefing.summary), *(a.summary for a in briefing.articles),
                     *quotes, names, names, *(m.name for m in briefing.measures)])


class _NameIndex:
    """A briefing's actor names by token: whether an actor is among them without comparing every pair.

    merge.same_entity needs every token of the shorter name to match one of the longer
    (exactly, or by a close spelling), so a name none of whose tokens is close to any token
    here cannot match: only the names that share a close token are compared in full.
    """

    def __init__(self, briefing: Briefing) -> None:
        self.by_token: dict[str, set[str]] = {}
        for actor in briefing.actors:
            for name in (actor.name, *actor.aliases):
                for token in name_tokens(name):
                    self.by_token.setdefault(token, set()).add(name)
        self.tokens = list(self.by_token)

    def has(self, actor) -> bool:
        for name in (actor.name, *actor.aliases):
            near: set[str] = set()
            for token in name_tokens(name):
                for match, _, _ in process.extract(token, self.tokens, scorer=fuzz.ratio, score_cutoff=80, limit=None):
                    near |= self.by_token[match]
            if any(same_entity(name, other) for other in sorted(near)):
                return True
        return False


#: id -> (the briefing, its index). The briefing is held with its index so that its id cannot be
#: reused by another object while the entry stands; track() empties it when it is done.
_INDEXES: dict[int, tuple[Briefing, _NameIndex]] = {}


def _index(briefing: Briefing) -> _NameIndex:
    # Built once per briefing: a story is compared with every story of the other day.
    entry = _INDEXES.get(id(briefing))
    if entry is None or entry[0] is not briefing:
        if len(_INDEXES) > 1024:  # callers of match_stories and story_changes that are not track()
            _INDEXES.clear()
        entry = _INDEXES[id(briefing)] = (briefing, _NameIndex(briefing))
    return entry[1]


def _named_in(actor, earlier: Briefing) -> bool:
    return _index(earlier).has(actor)


def _shared_actors(today: Briefing, earlier: Briefing) -> list[str]:
    return [a.name for a in today.actors if _named_in(a, earlier)]


#: Head nouns that name one kind of measure: within one story, "the House-passed measure", "compromise
#: legislation" and "the stopgap funding bill" are one bill, "a thorough investigation" and "preliminary
#: investigations" one inquiry. Plain English, not any story's wording.
_FAMILIES = [
    {"bill", "measure", "legislation", "law", "act", "package", "resolution"},
    {"lawsuit", "suit", "action", "case", "fir", "charge", "complaint"},
    {"investigation", "probe", "inquiry", "review"},
    {"subsidy", "subsidie", "credit", "benefit", "aid", "grant"},
    {"tariff", "duty", "duties", "levy"},
    {"truce", "ceasefire", "cease-fire", "armistice"},
    {"ban", "embargo", "moratorium", "suspension", "freeze"},
]
#: Each family's words stand for one token, so that "the measure" and "the bill" are one word to compare.
_FAMILY_OF = {word: f"fam{number}x" for number, family in enumerate(_FAMILIES) for word in family}
_HEAD_END = re.compile(r"\s+(?:to|of|on|for|against|under|in|from|by|with|aimed|over|that|which)\s", re.IGNORECASE)


def _head(name: str) -> str:
    """The noun a measure's name is about: its last word before a preposition ("bill" of "the funding bill for...")."""
    words = re.findall(r"[a-z][a-z-]*", fold_text(_HEAD_END.split(" " + name + " ", maxsplit=1)[0]))
    return re.sub(r"s$", "", words[-1]) if words else ""


def _same_measure(a: ConsolidatedMeasure | str, b: ConsolidatedMeasure | str) -> bool:
    name_a, name_b = (m if isinstance(m, str) else m.name for m in (a, b))
    if fuzz.token_set_ratio(fold_text(name_a), fold_text(name_b)) >= 70:
        return True
    head_a, head_b = _head(name_a), _head(name_b)
    if any(head_a in family and head_b in family for family in _FAMILIES):
        return True
    # "the stopgap funding bill" and "government funding": one story's measures that share what they
    # are about (a word of five letters or more, not a family's head) are one measure.
    telling = {w for w in _content_words(name_a) & _content_words(name_b) if len(w) == 5 and not w.startswith("fam")}
    return bool(telling)


def _shared_measures(today: Briefing, earlier: Briefing) -> list[str]:
    return [m.name for m in today.measures if any(_same_measure(m, e) for e in earlier.measures)]


def _overlap(shared: float, a: int, b: int) -> float:
    return min(1.0, shared / min(a, b)) if min(a, b) else 0.0


def match_stories(today: Sequence[tuple[str, Briefing]], earlier: EarlierRun) -> dict[str, StoryMatch]:
    """Today's story id -> the earlier story it continues, for those above MATCH_MIN; one to one, best first."""
    matches: dict[str, StoryMatch] = {}
    taken: set[int] = set()
    for confidence, i, j, shared in sorted(pair_confidences(today, earlier), key=lambda s: (-s[0], s[1], s[2])):
        story_id = today[i][0]
        if confidence < MATCH_MIN or story_id in matches or j in taken:
            continue
        taken.add(j)
        earlier_id, then = earlier.stories[j]
        matches[story_id] = StoryMatch(previous_id=earlier_id, previous_headline=then.headline,
                                       confidence=min(1.0, confidence), shared=list(dict.fromkeys(shared))[:8])
    return matches


def similarities(texts: Sequence[str], first: int):
    """Cosine similarity of each of the first `first` texts with each of the others: what
    TfidfVectorizer(stop_words="english", sublinear_tf=True, token_pattern=stories.TERM) and
    cosine_similarity give, computed as scikit-learn does (stories.tfidf) without importing it
    (0.55 s). ValueError when no text holds a word."""
    from .stories import TERM, TermCounts, english_stop_words, tfidf, unit_rows

    counts, stop_words = TermCounts(), english_stop_words()
    for number, text in enumerate(texts):
        counts.add_features(str(number), [t for t in TERM.findall(text.lower()) if t not in stop_words])
    matrix, _ = tfidf(counts, [str(number) for number in range(len(texts))])
    return (unit_rows(matrix[:first]) @ unit_rows(matrix[first:]).T).toarray()


def pair_confidences(today: Sequence[tuple[str, Briefing]], earlier: EarlierRun) -> list[tuple[float, int, int, list[str]]]:
    """(confidence, today's index, earlier index, what both name) for every pair of stories."""
    if not today or not earlier.stories:
        return []
    texts = [_text(b) for _, b in today] + [_text(b) for _, b in earlier.stories]
    try:
        cosine = similarities(texts, len(today))
    except ValueError:  # no word in any of them: only the actors and measures can tell
        cosine = [[0.0] * len(earlier.stories) for _ in today]
    # An actor of many earlier stories (a head of state) says less about which one continues.
    spread = {a.name: sum(_named_in(a, then) for _, then in earlier.stories) for _, b in today for a in b.actors}
    scored = []
    for i, (story_id, now) in enumerate(today):
        for j, (earlier_id, then) in enumerate(earlier.stories):
            actors = _shared_actors(now, then)
            measures = _shared_measures(now, then)
            weight = sum(1 / max(1, spread[a]) for a in actors)
            confidence = 0.6 * min(1.0, float(cosine[i][j]) / COSINE_SURE) + 0.4 * _overlap(weight, len(now.actors), len(then.actors))
            if measures:  # measures are named too loosely to count against a match, only for one
                confidence = 0.85 * confidence + 0.15 * _overlap(len(measures), len(now.measures), len(then.measures))
            scored.append((round(confidence, 2), i, j, actors + measures))
    return scored


# ---------------------------------------------------------------------------
# 2. What differs


def _said(text: str, earlier_texts: list[str]) -> bool:
    folded = fold_text(text)
    return any(folded in t for t in earlier_texts)


def _named_before(name: str, seen: list[str]) -> bool:
    """The name, titles aside ("US Senate" -> "senate"), stands as words in what the earlier briefing showed."""
    core = " ".join(name_tokens(name))
    if len(core) < 4:
        return False
    pattern = re.compile(rf"(?<!\w){re.escape(core)}(?!\w)")
    return any(pattern.search(t) for t in seen)


def _earlier_texts(briefing: Briefing) -> list[str]:
    """Everything the earlier briefing showed its reader, folded: a name in any of it is not new."""
    quotes = [q.text for item in (*briefing.actors, *briefing.measures, *briefing.timeline, *briefing.key_developments,
                                  *briefing.open_questions) for q in item.evidence]
    quotes += [q.text for s in briefing.summary for q in s.citations]
    return [fold_text(t) for t in (briefing.headline, *(s.text for s in briefing.summary), *quotes)]


def _quote_of(quotes: list[Quote], article_ids: Iterable[str] = ()) -> list[Quote]:
    wanted = set(article_ids)
    return [next((q for q in quotes if q.article_id in wanted), quotes[0])] if quotes else []


def _day(entry: TimelineEntry) -> str:
    return entry.date.isoformat() if entry.date else ""


def _same_event(a: TimelineEntry, b: TimelineEntry, cutoff: float = 70) -> bool:
    """One event: told alike, or, on the same day of one story, sharing a telling word."""
    if fuzz.token_set_ratio(fold_text(a.event), fold_text(b.event)) >= cutoff:
        return True
    return a.date == b.date and bool(_content_words(a.event) & _content_words(b.event))


def _same_day(a: TimelineEntry, b: TimelineEntry) -> bool:
    # An expiry "on January 1" and one "at the end of the year" are one date written two ways.
    if a.date is None or b.date is None:
        return False
    return a.date == b.date or ("expiry" in (a.kind, b.kind) and abs((a.date - b.date).days) <= 1)


def _upcoming(entry: TimelineEntry, on: dt.date) -> bool:
    """Still to come on that day: dated later, or that day and announced rather than reported."""
    assert entry.date is not None
    return entry.date > on or (entry.date == on and entry.kind in _UPCOMING and entry.certainty != "confirmed")


def _content_words(text: str) -> set[str]:
    # The first five letters stand for the word: "vote" / "voted", "extend" / "extension".
    words = {_FAMILY_OF.get(re.sub(r"s$", "", w), w) for w in re.findall(r"[a-z][a-z'-]{2,}", fold_text(text))}
    return {w[:5] for w in words if len(w) > 3 and w not in _QUESTION_STOPWORDS} - _CALENDAR


def story_changes(today: Briefing, earlier: Briefing) -> list[Change]:
    """What today's briefing of a story has that the earlier one did not."""
    day, since = today.date, earlier.date
    seen = _earlier_texts(earlier)
    changes: list[Change] = []

    for actor in today.actors:
        names = (actor.name, *actor.aliases)
        if _named_in(actor, earlier):
            continue
        if any(_named_before(n, seen) for n in names):
            continue
        role = f" ({actor.role})" if actor.role else ""
        changes.append(Change(kind="new_actor", name=actor.name, text=f"{actor.name}{role}",
                              evidence=actor.evidence[:1], article_ids=actor.article_ids))

    for measure in today.measures:
        before = next((m for m in earlier.measures if _same_measure(m, measure)), None)
        if before is None:
            if _said(measure.name, seen):
                continue
            status = f" ({measure.status.replace('_', ' ')})" if measure.status != "unknown" else ""
            changes.append(Change(kind="new_measure", name=measure.name, text=f"{measure.name}{status}",
                                  after=measure.status, evidence=measure.evidence[:1], article_ids=measure.article_ids))
        elif "unknown" not in (before.status, measure.status) and before.status != measure.status:
            backing = [a for a, s in measure.statuses.items() if s == measure.status]
            changes.append(Change(
                kind="status_change", name=measure.name,
                text=f"{measure.name}: {before.status.replace('_', ' ')} -> {measure.status.replace('_', ' ')}",
                before=before.status, after=measure.status,
                previous_evidence=_quote_of(before.evidence, [a for a, s in before.statuses.items() if s == before.status]),
                evidence=_quote_of(measure.evidence, backing), article_ids=backing or measure.article_ids,
            ))

    matched_earlier: set[int] = set()
    for entry in today.timeline:
        if entry.date is None:
            continue
        same_day = [i for i, e in enumerate(earlier.timeline) if _same_day(e, entry) and _same_event(e, entry)]
        if same_day:
            matched_earlier.update(same_day)
            before = earlier.timeline[same_day[0]]
            if before.certainty in {"expected", "tentative", "speculative"} and entry.certainty == "confirmed" and entry.date <= day:
                changes.append(Change(
                    kind="status_change", name=entry.event, text=f"{entry.event} ({_day(entry)}): {before.certainty} -> confirmed",
                    before=before.certainty, after=entry.certainty, previous_evidence=before.evidence[:1],
                    evidence=entry.evidence[:1], article_ids=entry.article_ids,
                ))
            continue
        moved = [i for i, e in enumerate(earlier.timeline) if e.date and _upcoming(e, since) and _same_event(e, entry, 85)]
        if moved and _upcoming(entry, day) and not any(e.date == earlier.timeline[moved[0]].date and _same_event(e, entry, 85)
                                                         for e in today.timeline if e is not entry):
            matched_earlier.update(moved)
            before = earlier.timeline[moved[0]]
            changes.append(Change(
                kind="deadline_moved", name=entry.event, text=f"{entry.event}: from {_day(before)} to {_day(entry)}",
                before=_day(before), after=_day(entry), previous_evidence=before.evidence[:1],
                evidence=entry.evidence[:1], article_ids=entry.article_ids,
            ))
        elif entry.date > day and not any(_said(q.text, seen) for q in entry.evidence):
            changes.append(Change(kind="deadline_added", name=entry.event, text=f"{_day(entry)}: {entry.event}",
                                  after=_day(entry), evidence=entry.evidence[:1], article_ids=entry.article_ids))

    for index, entry in enumerate(earlier.timeline):
        # Only what was still to come when the earlier briefing was written: an article of that day
        # reporting that day's events is not announcing a deadline.
        if entry.date is None or entry.certainty == "confirmed" or not since < entry.date < day:
            continue
        if any(c.kind == "deadline_moved" and c.before == _day(entry) for c in changes):
            continue
        reported = [e for e in today.timeline if _same_day(e, entry) and _same_event(e, entry)]
        changes.append(Change(
            kind="deadline_passed", name=entry.event,
            text=f"{_day(entry)}: {entry.event}" + ("" if reported else " (no article today reports on it)"),
            before=_day(entry), after="reported" if reported else "",
            previous_evidence=entry.evidence[:1], evidence=reported[0].evidence[:1] if reported else [],
            article_ids=reported[0].article_ids if reported else [],
        ))

    changes += _answered(earlier, changes)
    return changes


def _answered(earlier: Briefing, changes: list[Change]) -> list[Change]:
    """Earlier open questions that a change of today's answers: a status that changed, a date set, moved or passed.

    A question asked about the very item that changed ("Will the meeting go ahead?" and the
    meeting held) is closed by that change's own line, not listed twice; one change answers
    one question, the first the earlier briefing asked.
    """
    answered: list[Change] = []
    used: set[int] = set()
    answering = [c for c in changes if c.kind in {"status_change", "deadline_moved", "deadline_passed", "deadline_added"} and c.evidence]
    for question in earlier.open_questions:
        asked = {fold_text(q.text) for q in question.evidence}
        if any(asked & {fold_text(q.text) for q in c.previous_evidence} for c in answering):
            continue  # a change closes its own item's question
        words = _content_words(question.question)
        for index, change in enumerate(answering):
            # A date newly set answers "when", not "whether".
            if index in used or (change.kind == "deadline_added" and not question.question.lower().startswith("when")):
                continue
            about = _content_words(" ".join([change.name, *(q.text for q in change.previous_evidence)]))
            if len(words & about) >= 2:
                used.add(index)
                answered.append(Change(kind="question_answered", name=question.question,
                                       text=f"{question.question} ({change.kind.replace('_', ' ')}: {change.text})",
                                       previous_evidence=question.evidence[:1], evidence=change.evidence[:1],
                                       article_ids=change.article_ids))
                break
    return answered


def track(today: Sequence[tuple[str, Briefing]], earlier: EarlierRun) -> tuple[dict[str, StoryChanges], list[str]]:
    """Each of today's stories' changes since the earlier run (by story id), and the headlines of the
    earlier stories nothing today continues."""
    try:
        return _track(today, earlier)
    finally:
        _INDEXES.clear()


def _track(today, earlier):
    matches = match_stories(today, earlier)
    earlier_by_id = {i: b for i, b in earlier.stories}
    out = {}
    for story_id, briefing in today:
        match = matches.get(story_id)
        if match is None:
            out[story_id] = StoryChanges(since=earlier.date, match=None)
            continue
        out[story_id] = StoryChanges(since=earlier.date, match=match,
                                     changes=story_changes(briefing, earlier_by_id[match.previous_id]))
    continued = {m.previous_id for m in matches.values()}
    quiet = [b.headline for i, b in earlier.stories if i not in continued]
    return out, quiet

