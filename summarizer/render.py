"""Stage 6: the briefing as Markdown, JSON, or a self-contained HTML report."""

from __future__ import annotations

import functools
import itertools
import json
from collections.abc import Mapping
from pathlib import Path

from .schemas import ArticleSummary, Briefing, Quote

FORMATS = ("md", "json", "html")


def _quote(q: Quote) -> str:
    text = " ".join(q.text.split())
    return f'> "{text}" [{q.article_id} @{q.start}-{q.end}]'


def _sources(ids: list[str]) -> str:
    return f"{len(ids)} source{'s' if len(ids) != 1 else ''}: {', '.join(ids)}"


def to_markdown(b: Briefing) -> str:
    out = [f"# {b.headline}", "", f"*Daily briefing for {b.date.isoformat()}*", "", b.executive_summary, ""]
    if b.key_developments:
        out += ["## Key developments", ""]
        for k in b.key_developments:
            out += [f"- {k.text} ({_sources(k.article_ids)})", *(f"  {_quote(q)}" for q in k.evidence[:2])]
        out.append("")
    if b.timeline:
        out += ["## Timeline", ""]
        for t in b.timeline:
            when = t.date.isoformat() if t.date else "date unknown"
            if t.precision and t.precision != "day":
                when += f" (that {t.precision})"
            written = "; ".join(t.date_texts)
            out += [f"- **{when}**: {t.event} ({t.kind}, written \"{written}\"; {_sources(t.article_ids)})"]
            out += [f"  {_quote(q)}" for q in t.evidence[:1]]
        out.append("")
    if b.actors:
        out += ["## Actors", "", "| Actor | Role | Affiliation | Also written | Sources |", "|---|---|---|---|---|"]
        for a in b.actors:
            cells = [a.name, a.role, a.affiliation, ", ".join(a.aliases), str(len(a.article_ids))]
            out.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
        out.append("")
    if b.measures:
        out += ["## Measures", ""]
        for m in b.measures:
            by = f" by {m.imposed_by}" if m.imposed_by else ""
            on = f" on {m.imposed_on}" if m.imposed_on else ""
            eff = f", effective {m.effective_date.isoformat()}" if m.effective_date else ""
            out += [f"- **{m.name}** ({m.kind}, {m.status}{by}{on}{eff}; {_sources(m.article_ids)})"]
            out += [f"  {_quote(q)}" for q in m.evidence[:1]]
        out.append("")
    if b.source_differences:
        out += ["## Where sources differ", ""]
        for d in b.source_differences:
            out.append(f"- **{d.topic}**")
            for c in d.claims:
                out.append(f"  - {c.article_id}: {c.claim}")
        out.append("")
    if b.open_questions:
        out += ["## Open questions", ""]
        out += [f"- {q.question} ({_sources(q.article_ids)})" if q.article_ids else f"- {q.question}" for q in b.open_questions]
        out.append("")
    out += ["## Sources", ""]
    for s in b.sources:
        label = s.title or s.article_id
        extra = ", ".join(x for x in (s.source, s.published.isoformat() if s.published else None, s.url) if x)
        out.append(f"- `{s.article_id}` {label}" + (f" ({extra})" if extra else ""))
    m = b.metadata
    out += [
        "",
        "## Run",
        "",
        f"- model: {m.model} via {m.provider}; template {m.template} ({m.template_hash})",
        f"- model calls: {m.model_calls}, cache hits: {m.cache_hits}, tokens: {m.prompt_tokens} prompt + {m.completion_tokens} completion",
        f"- re-asks after invalid replies: {m.reasks}; transport retries: {m.transport_retries}",
        f"- items dropped as ungrounded: {m.dropped_ungrounded}",
    ]
    if m.duplicates:
        out.append(f"- duplicates skipped: {', '.join(f'{d} (= {k})' for d, k in m.duplicates.items())}")
    for f in m.failures:
        out.append(f"- FAILED {f.stage}{' ' + f.article_id if f.article_id else ''}: {f.reason}")
    return "\n".join(out).rstrip() + "\n"


def summary_to_markdown(s: ArticleSummary) -> str:
    out = [f"# {s.title or s.article_id}", "", s.summary, ""]
    for label, items, text in (
        ("Actors", s.actors, lambda a: a.name + (f": {a.role}" if a.role else "") + (f" ({a.affiliation})" if a.affiliation else "")),
        ("Measures", s.measures, lambda m: f"{m.name} ({m.kind}, {m.status})"),
        ("Deadlines and events", s.deadlines, lambda d: f"{d.date or 'date unknown'} ({d.date_text}): {d.event}"),
        ("Open questions", s.open_questions, lambda q: q.question),
    ):
        if items:
            out += [f"## {label}", ""]
            for item in items:
                out += [f"- {text(item)}", *(f"  {_quote(q)}" for q in item.evidence[:1])]
            out.append("")
    out.append(f"*{s.dropped} item(s) dropped as ungrounded; {s.attempts} model call(s).*")
    return "\n".join(out) + "\n"


def _script_json(value: object) -> str:
    # JSON inside <script>: "<" escaped, so no text can close the element.
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _evidence_json(quotes: list[Quote]) -> str:
    return json.dumps([{"a": q.article_id, "s": q.start, "e": q.end} for q in quotes])


def _groupby_side(actors):
    side = lambda a: a.affiliation or "Other"  # noqa: E731
    ordered = sorted(actors, key=lambda a: (side(a) == "Other", side(a), -len(a.article_ids)))
    return [(key, list(group)) for key, group in itertools.groupby(ordered, key=side)]


@functools.lru_cache(maxsize=1)
def _html_template():
    from jinja2 import Environment, StrictUndefined

    # Autoescaped: every article-derived string is text in the page, never markup.
    env = Environment(autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["evidence_json"] = _evidence_json
    env.filters["groupby_side"] = _groupby_side
    source = (Path(__file__).parent / "html" / "report.html.j2").read_text(encoding="utf-8")
    return env.from_string(source)


def to_html(b: Briefing, articles: Mapping[str, object] | None = None) -> str:
    """One HTML file, no outside resources: each item opens its quote highlighted in its article.

    `articles` maps ids to Article objects (their text is what the quote
    offsets index); without it, the texts are read from the paths the
    briefing recorded.
    """
    from markupsafe import Markup

    if articles is None:
        from .articles import load_articles

        paths = [Path(s.path) for s in b.sources if s.path and Path(s.path).exists()]
        articles = {a.id: a for a in load_articles(paths).articles} if paths else {}
    data = {
        article_id: {
            "text": getattr(a, "text", ""),
            "title": getattr(a, "title", None),
            "source": getattr(a, "source", None),
            "published": str(getattr(a, "published", "") or "") or None,
        }
        for article_id, a in articles.items()
    }
    return _html_template().render(b=b, articles_json=Markup(_script_json(data)))


def render(b: Briefing, fmt: str, articles: Mapping[str, object] | None = None) -> str:
    if fmt == "json":
        return b.model_dump_json(indent=2) + "\n"
    if fmt == "md":
        return to_markdown(b)
    if fmt == "html":
        return to_html(b, articles)
    raise ValueError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
