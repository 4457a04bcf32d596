"""Two briefings of the same articles side by side: what each has that the other lacks, and at what cost.

Items are matched the way the evaluation matches them (summarizer.evaluate):
actors as the same entity, timeline entries by date, everything else by
fuzzy token overlap, so that a reworded sentence is not counted as new.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .evaluate import _ratio, evaluate, headline_figures, load_gold
from .merge import same_entity
from .pipeline import Run, load
from .schemas import Briefing
from .settings import ModelSettings
from .templates import Template, load_template

SAME_TEXT = 70  # token-set ratio above which two sentences say the same thing


def _sections(briefing: Briefing) -> dict[str, list[str]]:
    return {
        "actors": [a.name for a in briefing.actors],
        "timeline": [f"{t.date or 'undated'}: {t.event}" for t in briefing.timeline],
        "measures": [m.name for m in briefing.measures],
        "key developments": [k.text for k in briefing.key_developments],
        "source differences": [d.topic for d in briefing.source_differences],
        "open questions": [q.question for q in briefing.open_questions],
    }


def _same_item(section: str, a: str, b: str) -> bool:
    if section == "actors":
        return same_entity(a, b)
    if section == "timeline":
        return a.split(":", 1)[0] == b.split(":", 1)[0]
    return _ratio(a, b) >= SAME_TEXT


@dataclass
class Side:
    label: str
    briefing: Briefing
    only: dict[str, list[str]] = field(default_factory=dict)
    scores: dict[str, Any] | None = None

    @property
    def cost(self) -> dict[str, Any]:
        meta = self.briefing.metadata
        return {
            "template": f"{meta.template} {meta.template_hash[:8]}",
            "model calls": meta.model_calls,
            "cache hits": meta.cache_hits,
            "re-asks": meta.reasks,
            "prompt tokens": meta.prompt_tokens,
            "completion tokens": meta.completion_tokens,
            "dropped as ungrounded": meta.dropped_ungrounded,
            "failures": len(meta.failures),
            "seconds": meta.elapsed_seconds,
        }


def compare(left: Side, right: Side) -> tuple[Side, Side]:
    """Fill each side's `only`: per section, the items the other side lacks."""
    a, b = _sections(left.briefing), _sections(right.briefing)
    for section in a:
        left.only[section] = [x for x in a[section] if not any(_same_item(section, x, y) for y in b[section])]
        right.only[section] = [y for y in b[section] if not any(_same_item(section, y, x) for x in a[section])]
    return left, right


async def compare_templates(
    paths: Sequence[str | Path],
    templates: Sequence[str | Path],
    settings: ModelSettings,
    day: dt.date | None = None,
    published: dt.date | None = None,
    gold: Path | None = None,
    started: Callable[[Template], None] | None = None,
) -> tuple[Side, Side]:
    """Brief the same articles with two templates, one after the other (the cache serves what they
    share), and set the two side by side, scored against `gold` when given."""
    chosen = [load_template(t) for t in templates]
    loaded = load(paths, published or day).require()
    reference = load_gold(gold) if gold else None
    briefings = []
    for template in chosen:
        if started:
            started(template)
        async with Run(settings=settings, template=template) as run:
            briefings.append(await run.brief(loaded.articles, day, None, loaded.failures, loaded.duplicates))
    # Two folders of the same name are told apart by their order.
    labels = [t.name if t.name != chosen[1 - i].name else f"{t.name}#{i + 1}" for i, t in enumerate(chosen)]
    left, right = Side(labels[0], briefings[0]), Side(labels[1], briefings[1])
    if reference is not None:
        texts = {a.id: a.text for a in loaded.articles}
        left.scores, right.scores = evaluate(briefings[0], reference, texts), evaluate(briefings[1], reference, texts)
    return compare(left, right)


def to_markdown(left: Side, right: Side, counts: dict[str, tuple[int, int]] | None = None) -> str:
    lines = [f"# {left.label} vs {right.label}", ""]
    lines += ["## Cost", "", f"| | {left.label} | {right.label} |", "|---|---:|---:|"]
    for key in left.cost:
        lines.append(f"| {key} | {left.cost[key]} | {right.cost[key]} |")
    if left.scores and right.scores:
        lines += ["", "## Scores against the reference", "", f"| | {left.label} | {right.label} |", "|---|---:|---:|"]
        for (label, a), (_, b) in zip(headline_figures(left.scores), headline_figures(right.scores)):
            lines.append(f"| {label} | {_fmt(a)} | {_fmt(b)} |")
    lines += ["", "## What one has and the other lacks", ""]
    for section in left.only:
        total_a, total_b = len(_sections(left.briefing)[section]), len(_sections(right.briefing)[section])
        lines.append(f"### {section} ({left.label}: {total_a}, {right.label}: {total_b})")
        lines.append("")
        for side in (left, right):
            items = side.only[section]
            lines.append(f"- only in {side.label}: " + ("; ".join(items) if items else "nothing"))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    return "n/a" if value is None else str(value)
