"""Scoring a briefing against a reference annotation (a "gold" file written by hand).

The gold format is the one of fixtures/seeds.gold.json, documented in
fixtures/README.md. Matching is deliberately forgiving about wording and
strict about facts:

* names match when a briefing name and any gold name or alias denote the same
  entity (case, accents and titles ignored; close spellings accepted, see
  merge.same_entity);
* deadlines match by ISO date, and their description must share words with
  the gold event (rapidfuzz token-set ratio >= 40); a date alone is also
  counted, separately;
* measures, source differences and open questions match by fuzzy token
  overlap (rapidfuzz token-set ratio), not by embeddings: cheap,
  deterministic, and good enough to tell "the truce expiry" from "a
  port fee";
* grounding is checked against the articles themselves: a quote is
  grounded when its span in its article holds its text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from .align import fold_text
from .errors import UsageError
from .merge import same_entity
from .schemas import Briefing, Quote

DESCRIPTION_MATCH = 40  # token-set ratio between a timeline event and a gold event
MEASURE_MATCH = 60
TOPIC_MATCH = 55
QUESTION_MATCH = 60
DUPLICATE_QUESTION = 80  # two questions above this token-set ratio ask the same thing


class GoldError(UsageError):
    """A gold file that cannot be read; the message names it and the reason."""


def load_gold(path: Path) -> dict[str, Any]:
    try:
        gold = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise GoldError(f"{path}: cannot read the reference annotation ({error})") from None
    missing = [k for k in ("actors", "deadlines") if k not in gold]
    if not isinstance(gold, dict) or missing:
        raise GoldError(f"{path}: not a reference annotation (missing {', '.join(missing) or 'an object'})")
    return gold


def _names(actor: dict[str, Any]) -> list[str]:
    return [actor["name"], *[a for a in actor.get("aliases", []) if not a.startswith("@")]]


def _same(name: str, names: list[str]) -> bool:
    return any(fold_text(name) == fold_text(n) or same_entity(name, n) for n in names)


def _ratio(a: str, b: str) -> float:
    return fuzz.token_set_ratio(fold_text(a), fold_text(b))


@dataclass
class Score:
    found: int
    total: int

    @property
    def share(self) -> float | None:
        return round(self.found / self.total, 3) if self.total else None

    def __str__(self) -> str:
        return f"{self.found}/{self.total}"


def score_actors(briefing: Briefing, gold: dict[str, Any]) -> dict[str, Any]:
    gold_actors = gold.get("actors", [])
    # Anything the reference names is a fair actor: people, organisations, and the countries its measures name.
    fair = [n for a in gold_actors for n in _names(a)] + list(gold.get("organizations", []))
    fair += [m.get(k, "") for m in gold.get("measures", []) for k in ("actor", "target") if m.get(k)]
    entries = [[b.name, *b.aliases] for b in briefing.actors]
    matches = {a["name"]: [i for i, e in enumerate(entries) if any(_same(n, _names(a)) for n in e)] for a in gold_actors}
    found = [name for name, hits in matches.items() if hits]
    correct = [e[0] for e in entries if any(_same(n, fair) for n in e)]
    split = {name: [entries[i][0] for i in hits] for name, hits in matches.items() if len(hits) > 1}
    merged = [
        e[0] for i, e in enumerate(entries)
        if sum(1 for hits in matches.values() if i in hits) > 1
    ]
    return {
        "recall": Score(len(found), len(gold_actors)).share,
        "found": found,
        "missed": [name for name in matches if name not in found],
        "precision": Score(len(correct), len(entries)).share,
        "unknown": [e[0] for e in entries if e[0] not in correct],
        "split": split,  # one gold actor shown as several entries
        "wrongly_merged": merged,  # one entry standing for several gold actors
    }


def score_deadlines(briefing: Briefing, gold: dict[str, Any]) -> dict[str, Any]:
    entries = [(str(t.date), t.event) for t in briefing.timeline if t.date]
    by_date, matched = [], []
    for deadline in gold.get("deadlines", []):
        same_day = [event for day, event in entries if day == deadline["date"]]
        if same_day:
            by_date.append(deadline["date"])
            if any(_ratio(event, deadline["event"]) >= DESCRIPTION_MATCH for event in same_day):
                matched.append(deadline["date"])
    gold_days = {d["date"] for d in gold.get("deadlines", [])}
    wrong_days = {d["date"]: d.get("why", "") for d in gold.get("not_deadlines", [])}
    total = len(gold.get("deadlines", []))
    return {
        "recall": Score(len(matched), total).share,
        "recall_by_date_only": Score(len(by_date), total).share,
        "found": matched,
        "missed": sorted(gold_days - set(by_date)),
        "false_deadlines": [f"{day}: {wrong_days[day]}" for day, _ in entries if day in wrong_days],
        "not_in_reference": sorted({day for day, _ in entries if day not in gold_days and day not in wrong_days}),
    }


def score_measures(briefing: Briefing, gold: dict[str, Any]) -> dict[str, Any]:
    rows, found = [], 0
    for measure in gold.get("measures", []):
        # Figures must agree too: "20% tariff on steel" is not "100% additional US tariff".
        candidates = [m for m in briefing.measures if _numbers(m.name) <= _numbers(measure["name"])]
        best = max(candidates, key=lambda m: _ratio(m.name, measure["name"]), default=None)
        if best is None or _ratio(best.name, measure["name"]) < MEASURE_MATCH:
            rows.append({"gold": measure["name"], "found": None})
            continue
        found += 1
        rows.append({
            "gold": measure["name"], "found": best.name,
            "status_matches": best.status == measure.get("status"),
            "actor_matches": bool(best.imposed_by) and _same(best.imposed_by, [measure.get("actor", "")]),
        })
    return {"recall": Score(found, len(gold.get("measures", []))).share, "measures": rows}


def _numbers(text: str) -> set[str]:
    return set(re.findall(r"\d+(?:\.\d+)?", text))


def score_differences(briefing: Briefing, gold: dict[str, Any]) -> dict[str, Any]:
    reported = []
    for difference in gold.get("source_differences", []):
        gold_ids = set(difference.get("claims", {}))
        for shown in briefing.source_differences:
            shared = gold_ids & {c.article_id for c in shown.claims}
            if len(shared) >= 2 and _ratio(shown.topic, difference["topic"]) >= TOPIC_MATCH:
                reported.append(difference["topic"])
                break
    total = len(gold.get("source_differences", []))
    return {"recall": Score(len(reported), total).share, "reported": reported,
            "missed": [d["topic"] for d in gold.get("source_differences", []) if d["topic"] not in reported]}


def score_questions(briefing: Briefing, gold: dict[str, Any]) -> dict[str, Any]:
    asked = [q.question for q in briefing.open_questions]
    found = [g for g in gold.get("open_questions", []) if any(_ratio(q, g) >= QUESTION_MATCH for q in asked)]
    repeats = [(a, b) for i, a in enumerate(asked) for b in asked[i + 1:] if _ratio(a, b) > DUPLICATE_QUESTION]
    # A pointed question names something the briefing holds: an actor, a measure or a date of its timeline.
    anchors = [n for a in briefing.actors for n in (a.name, *a.aliases)] + [m.name for m in briefing.measures]
    anchors += [t for e in briefing.timeline for t in e.date_texts] + [
        f"{e.date:%B} {e.date.day}" for e in briefing.timeline if e.date
    ]
    pointed = [q for q in asked if any(fold_text(anchor) in fold_text(q) for anchor in anchors if len(anchor) > 2)]
    return {
        "recall": Score(len(found), len(gold.get("open_questions", []))).share,
        "found": found,
        "near_duplicate_pairs": len(repeats),
        "naming_an_item": Score(len(pointed), len(asked)).share,
        "method": f"rapidfuzz token-set ratio >= {QUESTION_MATCH} after folding case and accents; "
        f"near-duplicates above {DUPLICATE_QUESTION}",
    }


def score_roles(briefing: Briefing, gold: dict[str, Any], texts: dict[str, str]) -> dict[str, Any]:
    """Of the shown actors that are people of the reference, how many have a role written in an article."""
    people = [a for a in briefing.actors if any(_same(n, _names(g)) for g in gold.get("actors", []) for n in (a.name, *a.aliases))]
    corpus = fold_text(" ".join(texts.values())) if texts else ""
    with_role = [a for a in people if a.role and (not corpus or fold_text(a.role) in corpus)]
    return {"share": Score(len(with_role), len(people)).share, "without": [a.name for a in people if a not in with_role]}


def _shown_items(briefing: Briefing) -> list[tuple[str, str, list[str], list[Quote]]]:
    """(section, label, cited article ids, quotes) for every item a reader sees."""
    items = [("actor", a.name, a.article_ids, a.evidence) for a in briefing.actors]
    items += [("measure", m.name, m.article_ids, m.evidence) for m in briefing.measures]
    items += [("timeline", f"{t.date} {t.event}", t.article_ids, t.evidence) for t in briefing.timeline]
    items += [("key development", k.text, k.article_ids, k.evidence) for k in briefing.key_developments]
    items += [("question", q.question, q.article_ids, q.evidence) for q in briefing.open_questions]
    return items


def score_grounding(briefing: Briefing, texts: dict[str, str]) -> dict[str, Any]:
    items = _shown_items(briefing)
    aligned, checked, unsupported = 0, 0, []
    for section, label, article_ids, quotes in items:
        if not quotes or not all(q.article_id in texts for q in quotes):
            continue
        checked += 1
        if all(texts[q.article_id][q.start : q.end] == q.text for q in quotes):
            aligned += 1
        # Every article an item cites must be one its quotes come from, and hold the quote.
        quoted = {q.article_id for q in quotes if texts[q.article_id][q.start : q.end] == q.text}
        missing = [a for a in article_ids if a not in quoted]
        if missing:
            unsupported.append(f"{section} {label[:50]!r}: cites {', '.join(missing)} without a quote from it")
    return {
        "aligned_share": Score(aligned, checked).share,
        "items_checked": checked,
        "dropped_ungrounded": briefing.metadata.dropped_ungrounded,
        "per_article_support": Score(checked - len(unsupported), checked).share,
        "unsupported_citations": unsupported,
    }


def article_texts(briefing: Briefing, folder: Path | None = None) -> dict[str, str]:
    """The articles' texts, from `folder` or from the paths the briefing recorded."""
    from .articles import load_articles

    paths = [folder] if folder else [Path(s.path) for s in briefing.sources if s.path and Path(s.path).exists()]
    if not paths:
        return {}
    return {a.id: a.text for a in load_articles(paths).articles}


def evaluate(briefing: Briefing, gold: dict[str, Any], texts: dict[str, str]) -> dict[str, Any]:
    return {
        "briefing_date": str(briefing.date),
        "template": f"{briefing.metadata.template} {briefing.metadata.template_hash}",
        "model": briefing.metadata.model,
        "actors": score_actors(briefing, gold),
        "deadlines": score_deadlines(briefing, gold),
        "measures": score_measures(briefing, gold),
        "source_differences": score_differences(briefing, gold),
        "open_questions": score_questions(briefing, gold),
        "roles": score_roles(briefing, gold, texts),
        "grounding": score_grounding(briefing, texts) if texts else {"note": "article texts not found; pass --articles"},
    }


HEADLINE_FIGURES = [
    ("actors recall", ("actors", "recall")),
    ("actors precision", ("actors", "precision")),
    ("deadlines recall", ("deadlines", "recall")),
    ("deadline dates recall", ("deadlines", "recall_by_date_only")),
    ("measures recall", ("measures", "recall")),
    ("source differences recall", ("source_differences", "recall")),
    ("open questions recall", ("open_questions", "recall")),
    ("question near-duplicate pairs", ("open_questions", "near_duplicate_pairs")),
    ("questions naming an item", ("open_questions", "naming_an_item")),
    ("people with a role in the article's words", ("roles", "share")),
    ("quotes aligned", ("grounding", "aligned_share")),
    ("per-article support", ("grounding", "per_article_support")),
    ("dropped as ungrounded", ("grounding", "dropped_ungrounded")),
]


def score(briefing: Briefing, gold_path: Path, articles: Path | None = None) -> dict[str, Any]:
    """A briefing scored against the reference annotation in `gold_path` (quotes checked against
    the articles in `articles`, or where the briefing says they were read)."""
    return evaluate(briefing, load_gold(gold_path), article_texts(briefing, articles))


def misses(report: dict[str, Any]) -> dict[str, list[str]]:
    """What a report says the briefing got wrong, by kind, for a reader to act on."""
    found = {
        "actors missed": report["actors"]["missed"], "deadlines missed": report["deadlines"]["missed"],
        "false deadlines": report["deadlines"]["false_deadlines"],
        "actors split": [f"{k}: {', '.join(v)}" for k, v in report["actors"]["split"].items()],
        "wrongly merged": report["actors"]["wrongly_merged"],
    }
    return {label: items for label, items in found.items() if items}


def headline_figures(report: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(label, report.get(section, {}).get(key)) for label, (section, key) in HEADLINE_FIGURES]


# ---------------------------------------------------------------------------
# Day-to-day changes (`brief --since`) against hand labels (fixtures/multi-story.gold.json)

#: Token-set ratio between a detected change's subject and a labelled one's name.
CHANGE_NAME_MATCH = 70


def _gold_story(article_ids: list[str], gold: dict[str, Any], day: str) -> str | None:
    """The labelled story most of these articles belong to."""
    votes = {name: len(set(article_ids) & set(story["articles"].get(day, []))) for name, story in gold["stories"].items()}
    best = max(votes, key=lambda n: votes[n], default=None)
    return best if best is not None and votes[best] > 0 else None


def _change_matches(change: dict[str, Any], label: dict[str, Any]) -> bool:
    if change["kind"] != label["kind"]:
        return False
    subject = fold_text(change["name"] + " " + change["text"])
    if fuzz.token_set_ratio(fold_text(label["name"]), fold_text(change["name"])) >= CHANGE_NAME_MATCH:
        return True
    if fuzz.partial_ratio(fold_text(label["name"]), subject) >= 90:
        return True
    # The same sentence of the same article carries it, said in other words.
    return any(q["article_id"] == label.get("article") and fuzz.partial_ratio(fold_text(label.get("quote", "")), fold_text(q["text"])) >= 90
               for q in change["evidence"])


def score_changes(stories: list[tuple[list[str], Any]], gold: dict[str, Any], day: str) -> dict[str, Any]:
    """Recall and precision of the changes listed against the labels of `day`.

    `stories` are today's (article ids, StoryChanges or None) pairs. A story the
    front page calls new counts as one change, of kind new_story. A detected
    change matches at most one label of the same story and kind.
    """
    labels = {name: list(items) for name, items in gold.get("changes", {}).items()}
    found: list[dict[str, Any]] = []
    wrong: list[dict[str, Any]] = []
    matched_ids: set[tuple[str, int]] = set()
    story_matches = {"right": 0, "total": 0}
    earlier_day = next((k for k in gold.get("days", {}) if k < day), None)
    for article_ids, tracked in stories:
        name = _gold_story(article_ids, gold, day)
        detected = []
        if tracked is not None:
            if tracked.match is None:
                detected.append({"kind": "new_story", "name": "", "text": "new story", "evidence": []})
            else:
                detected += [c.model_dump(mode="json") for c in tracked.changes]
            # Whether the story was matched to the right earlier story (or rightly called new).
            if name is not None:
                story_matches["total"] += 1
                was_there = bool(earlier_day and gold["stories"][name]["articles"].get(earlier_day))
                story_matches["right"] += (tracked.match is None) != was_there
        for change in detected:
            hit = next((i for i, label in enumerate(labels.get(name or "", []))
                        if (name, i) not in matched_ids and (change["kind"] == "new_story" == label["kind"] or _change_matches(change, label))), None)
            if hit is None:
                wrong.append({"story": name, "kind": change["kind"], "text": change["text"]})
            else:
                matched_ids.add((name, hit))
                found.append({"story": name, "kind": change["kind"], "text": change["text"]})
    missed = [{"story": n, "kind": label["kind"], "name": label["name"]}
              for n, items in labels.items() for i, label in enumerate(items) if (n, i) not in matched_ids]
    total = sum(len(items) for items in labels.values())
    listed = len(found) + len(wrong)
    return {
        "recall": Score(len(found), total).share,
        "precision": Score(len(found), listed).share,
        "found": len(found), "labelled": total, "listed": listed,
        "stories_matched_right": Score(story_matches["right"], story_matches["total"]).share,
        "missed": missed, "wrong": wrong,
    }
