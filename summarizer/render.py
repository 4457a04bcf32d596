"""Stage 6: the briefing as Markdown, JSON, or a self-contained HTML report."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import json
from collections.abc import Iterator, Mapping
from pathlib import Path

from .schemas import ArticleSummary, Briefing, FrontPage, FrontPageStory, Quote, StoryChanges
from .schemas import json_pieces as schema_json_pieces

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
    if b.changes is not None:
        out += changes_markdown(b.changes)
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
    # What is new since the earlier briefing is also marked where it stands in the lists.
    fresh = {c.name: c.kind.split("_")[-1] if c.kind.startswith("deadline") else "new" if c.kind.startswith("new") else "changed"
             for c in (b.changes.changes if b.changes else []) if c.kind != "question_answered"}
    return _html_template().render(b=b, articles_json=Markup(_script_json(data)), fresh=fresh)


def _earlier_quote(q: Quote) -> str:
    return f'> earlier: "{" ".join(q.text.split())}" [{q.article_id}]'


def changes_markdown(c: StoryChanges) -> list[str]:
    """'What changed since' a briefing of the story: first what a returning reader reads."""
    since = c.since.isoformat()
    if c.match is None:
        return [f"## New since {since}", "", f"*A story the briefing of {since} did not have.*", ""]
    out = [f"## What changed since {since}", "",
           f"*Continues \"{c.match.previous_headline}\" (match {c.match.confidence:.2f}"
           + (f"; both name {', '.join(c.match.shared)}" if c.match.shared else "") + ").*", ""]
    if not c.changes:
        return out + [f"No change since {since}: no new actor, measure or date, no status changed, no open question answered.", ""]
    for change in c.changes:
        out.append(f"- **{change.kind.replace('_', ' ')}**: {change.text}")
        out += [f"  {_earlier_quote(q)}" for q in change.previous_evidence[:1]]
        out += [f"  {_quote(q)}" for q in change.evidence[:1]]
    return out + [""]


def _unset(b: Briefing) -> set[str] | None:
    # Without --since a briefing reads exactly as it always has: no `changes: null`.
    return {"changes"} if b.changes is None else None


def briefing_data(b: Briefing) -> dict:
    """The briefing as JSON-ready data, as the JSON format writes it."""
    return b.model_dump(mode="json", exclude=_unset(b))


def _json(model, excluded: dict | None) -> str:
    return model.model_dump_json(indent=2, exclude=excluded) + "\n"


def render_for_file(b: Briefing, fmt: str, articles: Mapping[str, object] | None = None) -> str | Iterator[bytes]:
    """What `render` gives, as a file is written: the other formats as text, and the JSON as UTF-8
    bytes in pieces (`json_pieces`)."""
    if fmt == "json":
        return json_pieces(b)
    return render(b, fmt, articles)


def json_pieces(b: Briefing) -> Iterator[bytes]:
    """The JSON format, as UTF-8 in pieces (schemas.json_pieces: the 44 MB of 10,000 articles is
    never made whole; tests/test_retry_and_render.py holds the pieces, joined, equal to `render`)."""
    yield from schema_json_pieces(b, indent=2, exclude=_unset(b))
    yield b"\n"


def render(b: Briefing, fmt: str, articles: Mapping[str, object] | None = None) -> str:
    if fmt == "json":
        return _json(b, _unset(b))
    if fmt == "md":
        return to_markdown(b)
    if fmt == "html":
        return to_html(b, articles)
    raise ValueError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")


# --- the front page of a day of many stories


def _status_line(story: FrontPageStory, since: dt.date) -> str:
    if story.status == "new":
        return f"**New today** (not in the run of {since.isoformat()})"
    match = story.continues
    was = f" \"{match.previous_headline}\" (match {match.confidence:.2f})" if match else ""
    if story.status == "no change":
        return f"**No change** since {since.isoformat()}; continues{was}"
    return f"**{len(story.changes)} change(s)** since {since.isoformat()}; continues{was}"


def front_page_markdown(page: FrontPage) -> str:
    lines = [f"# The day's stories, {page.date.isoformat()}", ""]
    if page.since is not None:
        new = [s for s in page.stories if s.status == "new"]
        lines += [f"Since {page.since.isoformat()}: {len(new)} new stor{'y' if len(new) == 1 else 'ies'}"
                  + (f" ({'; '.join(s.headline for s in new)})" if new else "")
                  + f", {sum(s.status == 'changed' for s in page.stories)} changed, "
                  f"{sum(s.status == 'no change' for s in page.stories)} without change.", ""]
        if page.quiet_stories:
            lines += ["No article today on: " + "; ".join(page.quiet_stories), ""]
    for number, story in enumerate(page.stories, 1):
        title = f"[{story.headline}]({story.briefing})" if story.briefing else story.headline
        lines.append(f"## {number}. {title}")
        lines.append("")
        lines.append(f"*{story.sources} source(s)*" + (f" · grouped by: {', '.join(story.grouped_by)}" if story.grouped_by else ""))
        lines.append("")
        if page.since is not None:
            lines += [_status_line(story, page.since), ""]
            lines += [f"- {line}" for line in story.changes] + ([""] if story.changes else [])
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
.since{background:#f3f6fa;border-radius:6px;padding:.5rem .8rem} .changes{margin:.3rem 0;font-size:.95rem}
.status{font-size:.75rem;padding:1px 8px;border-radius:10px;background:#e8ebef;vertical-align:middle}
.status.new{background:#d7f0dd} .status.changed{background:#fde8c8}
</style></head><body>
<h1>The day's stories, {{ page.date }}</h1>
{% if page.since %}<p class="since">Since {{ page.since }}: {{ page.new_stories | length }} new,
{{ page.stories | selectattr("status", "equalto", "changed") | list | length }} changed,
{{ page.stories | selectattr("status", "equalto", "no change") | list | length }} without change.
{% if page.quiet_stories %}No article today on: {{ page.quiet_stories | join("; ") }}.{% endif %}</p>
{% endif %}{% for s in page.stories %}<article id="{{ s.id }}">
<h2>{{ loop.index }}. {% if s.status %}<span class="status {{ s.status | replace(" ", "-") }}">{{ s.status }}</span> {% endif %}{% if s.briefing %}<a href="{{ s.briefing }}">{{ s.headline }}</a>{% else %}{{ s.headline }}{% endif %}</h2>
<p class="meta">{{ s.sources }} source(s){% if s.grouped_by %} · grouped by: {{ s.grouped_by | join(", ") }}{% endif %}{% if s.continues %} · continues “{{ s.continues.previous_headline }}” (match {{ "%.2f" | format(s.continues.confidence) }}){% endif %}</p>
{% if s.changes %}<ul class="changes">{% for c in s.changes %}<li>{{ c }}</li>{% endfor %}</ul>
{% endif %}{% if s.summary %}<p>{{ s.summary }}</p>{% endif %}
</article>{% endfor %}
<p class="meta">{{ page.stories | length }} stories; {{ page.metadata.model_calls }} model call(s),
{{ page.metadata.cache_hits }} cache hit(s); model {{ page.metadata.model }}.</p>
</body></html>
"""


def render_front_page(page: FrontPage, fmt: str) -> str:
    if fmt == "json":
        plain = {"since": True, "new_stories": True, "quiet_stories": True, "stories": {"__all__": {"status", "changes", "continues"}}}
        return _json(page, plain if page.since is None else None)
    if fmt == "md":
        return front_page_markdown(page)
    if fmt == "html":
        return front_page_html(page)
    raise ValueError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
