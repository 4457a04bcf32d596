"""A FAKE model for tests of input handling: it answers any article from the article's own text.

Its replies are built by this code, not by a model: the summary is the first
sentence, the actors are the first capitalised names with the sentence that
holds them, the deadline is the first date phrase with its sentence. Enough to
show what reached the model and that the pipeline carries it through.
"""

from __future__ import annotations

import json
import re
from typing import Any

from summarizer.align import sentences
from summarizer.choices import name_choices
from summarizer.dates import find_date_phrases

from .fake_openai_server import article_of

_BLOCK = re.compile(r"<article id=[^>\n]*>\n(.*)\n</article>", re.DOTALL)


def article_text(body: dict[str, Any]) -> str:
    """The article text as the prompt carried it (the real block: from its opening tag to the last closing one)."""
    user = next(m["content"] for m in body["messages"] if m.get("role") == "user")
    match = _BLOCK.search(user)
    return match.group(1) if match else ""


BRIEFING_REPLY = json.dumps({"headline": "", "executive_summary": "", "key_developments": []})


def echo_reply(body: dict[str, Any]) -> str:
    if article_of(body) == "briefing":
        return BRIEFING_REPLY
    return echo_for_text(article_text(body))


def echo_for_text(text: str) -> str:
    """The echo reply for an article text as the prompt carries it."""
    found = sentences(text)
    actors = []
    for name in name_choices(text)[:3]:
        where = next((s for s in found if name in s), None)
        if where:
            actors.append({"name": name, "role": "", "evidence": [where]})
    deadlines = []
    for _, _, phrase in find_date_phrases(text)[:1]:
        where = next((s for s in found if phrase in s), None)
        if where:
            deadlines.append({"date_text": phrase, "event": where[:120], "evidence": [where]})
    return json.dumps({"summary": found[0] if found else "", "actors": actors, "deadlines": deadlines})
