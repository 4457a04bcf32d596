"""Stage 6: the briefing as Markdown, JSON, or a self-contained HTML report."""

from __future__ import annotations

import functools
import itertools
import json
from collections.abc import Mapping
from pathlib import Path

from .schemas import ArticleSummary, Briefing, FrontPage, Quote

FORMATS = ("md", "json", "html")


def _quote(q: Quote) -> str:
    text = " ".join(q.text.split())
    return f'> "{text}" [{q.article_id} @{q.start}-{q.end}]'


def _sources(ids: list[str]) -> str:
    return f"{len(ids)} source{'s' if len(ids) != 1 else ''}: {', '.join(ids)}"


class _References:
    """Numbered references to article sentences, in order of first citation: [1], [2]..."""

    def __init__(self) -> None:
        self.quotes: dict[tuple[str, int, int], tuple[int, Quote]] = {}

    def marks(self, quotes: list[Quote]) -> str:
        numbers = []
        for q in quotes:
            key = (q.article_id, q.start, q.end)
            if key not in self.quotes:
                self.quotes[key] = (len(self.quotes) + 1, q)
            numbers.append(self.quotes[key][0])
        return "".join(f"[{n}]" for n in numbers)

    def lines(self) -> list[str]:
        return [f"[{n}]: {_quote(q)[2:]}" for n, q in self.quotes.values()]


def to_markdown(b: Briefing) -> str:
    refs = _References()
    headline = f"{b.headline} {refs.marks(b.headline_citations)}".rstrip()
    summary = " ".join(f"{s.text} {refs.marks(s.citations)}" for s in b.summary) or b.executive_summary
    out = [f"# {headline}", "", f"*Daily briefing for {b.date.isoformat()}*", "", summary, ""]
    if b.summary_note:
        out += [f"*{b.summary_note}*", ""]
    if refs.quotes:
        # Every sentence above cites the article sentences it rests on.
        out += [*refs.lines(), ""]
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
        # A column with nothing in it is left out rather than shown empty.
        columns = [("Actor", lambda a: a.name), ("Role", lambda a: a.role), ("Affiliation", lambda a: a.affiliation),
                   ("Also written", lambda a: ", ".join(a.aliases)), ("Sources", lambda a: str(len(a.article_ids)))]
        columns = [(title, cell) for title, cell in columns if any(cell(a) for a in b.actors)]
        out += ["## Actors", "", "| " + " | ".join(t for t, _ in columns) + " |", "|" + "---|" * len(columns)]
        for a in b.actors:
            out.append("| " + " | ".join(cell(a).replace("|", "/") for _, cell in columns) + " |")
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
        published = f"published {s.published.isoformat()}" if s.published else "publication date unknown"
        extra = ", ".join(x for x in (s.source, published, s.url) if x)
        out.append(f"- `{s.article_id}` {label} ({extra})")
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
    if b.prose_dropped:
        # Why, not what: a sentence left out is not repeated here (the JSON keeps it, as `prose_dropped`).
        out.append(f"- sentences of the model's prose not shown: {len(b.prose_dropped)}")
        out += [f"  - {d.section.replace('_', ' ')}: {d.reason}" for d in b.prose_dropped]
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
    side = lambda a: a.affiliation or "Other"
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
            # A date the article does not carry (the run's --date stood in) is not shown as its own.
            "published": None if getattr(a, "published_assumed", False) else (str(getattr(a, "published", "") or "") or None),
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


# --- the front page of a day of many stories


def front_page_markdown(page: FrontPage) -> str:
    lines = [f"# The day's stories, {page.date.isoformat()}", ""]
    for number, story in enumerate(page.stories, 1):
        title = f"[{story.headline}]({story.briefing})" if story.briefing else story.headline
        lines.append(f"## {number}. {title}")
        lines.append("")
        lines.append(f"*{story.sources} source(s)*" + (f" · grouped by: {', '.join(story.grouped_by)}" if story.grouped_by else ""))
        lines.append("")
        if story.summary:
            lines += [story.summary, ""]
    meta = page.metadata
    lines.append(f"---\n{len(page.stories)} stories from {sum(s.sources for s in page.stories)} articles; "
                 f"{meta.model_calls} model call(s), {meta.cache_hits} cache hit(s); model {meta.model}, "
                 f"template {meta.template} ({meta.template_hash[:8]}).")
    return "\n".join(lines).rstrip() + "\n"


def front_page_html(page: FrontPage) -> str:
    """A self-contained page that links each story's own report."""
    from jinja2 import Environment

    template = Environment(autoescape=True).from_string(_FRONT_PAGE)
    return template.render(page=page)


_FRONT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>The day's stories, {{ page.date }}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#222}
article{border-top:1px solid #ddd;padding:.8rem 0} h2{font-size:1.15rem;margin:.2rem 0}
.meta{color:#666;font-size:.85rem} a{color:#0645ad}
</style></head><body>
<h1>The day's stories, {{ page.date }}</h1>
{% for s in page.stories %}<article id="{{ s.id }}">
<h2>{{ loop.index }}. {% if s.briefing %}<a href="{{ s.briefing }}">{{ s.headline }}</a>{% else %}{{ s.headline }}{% endif %}</h2>
<p class="meta">{{ s.sources }} source(s){% if s.grouped_by %} · grouped by: {{ s.grouped_by | join(", ") }}{% endif %}</p>
{% if s.summary %}<p>{{ s.summary }}</p>{% endif %}
</article>{% endfor %}
<p class="meta">{{ page.stories | length }} stories; {{ page.metadata.model_calls }} model call(s),
{{ page.metadata.cache_hits }} cache hit(s); model {{ page.metadata.model }}.</p>
</body></html>
"""


def render_front_page(page: FrontPage, fmt: str) -> str:
    if fmt == "json":
        return page.model_dump_json(indent=2) + "\n"
    if fmt == "md":
        return front_page_markdown(page)
    if fmt == "html":
        return front_page_html(page)
    raise ValueError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
