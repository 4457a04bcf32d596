"""What a grammar-constrained model may choose from, read off the article itself.

A 135M model cannot be trusted to copy a name, a date or a sentence: it
invents people ("Jay Z") and truncates dates ("November 9" of "November 9,
2017"). With llama.cpp's grammar, a schema enum restricts a field to values
that occur in the article, so those fields are grounded by construction. The
grounding step still checks everything, since other servers may ignore enums.
"""

from __future__ import annotations

import re

from .dates import find_date_phrases
from .grounding import grammar_safe, quote_choices
from .injection import blank_instructions

__all__ = ["article_choices", "date_choices", "name_choices", "quote_choices"]

_WORD = r"[A-Z][\w'\u2019.-]*[\w]|[A-Z]"
_NAME_RUN = re.compile(rf"(?:{_WORD})(?:[ \t]+(?:{_WORD}))*")
_NOT_NAMES = {
    "The", "This", "That", "These", "Those", "However", "After", "Before", "Prior", "Meanwhile", "According",
    "In", "On", "At", "As", "If", "It", "He", "She", "They", "We", "I", "A", "An", "But", "And", "Both", "While",
    "Accordingly", "Tonight", "Earlier", "Later", "Since", "When", "Key", "Highlights", "Photo", "Reuters",
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
}


def name_choices(text: str, limit: int = 80) -> list[str]:
    """Runs of capitalised words as the article writes them, with titles peeled off.

    "US Treasury Secretary Scott Bessent" offers itself and "Scott Bessent";
    "Bessent" is offered only because the article also writes it alone.
    """
    found: dict[str, None] = {}
    for match in _NAME_RUN.finditer(text):
        tokens = [re.sub(r"['’]s$", "", t) for t in match.group(0).split()]
        while tokens and tokens[0] in _NOT_NAMES:
            tokens = tokens[1:]
        while tokens and tokens[-1] in _NOT_NAMES:
            tokens = tokens[:-1]
        if not tokens or len(" ".join(tokens)) < 2:
            continue
        if any(re.search(r"\w-[A-Z]", t) for t in tokens):
            continue  # "US-China", "Trump-Xi": adjectives, not actors
        found.setdefault(grammar_safe(" ".join(tokens)), None)
        if len(tokens) >= 3:
            found.setdefault(grammar_safe(" ".join(tokens[-2:])), None)
    return list(found)[:limit]


def date_choices(text: str) -> list[str]:
    return list(dict.fromkeys(grammar_safe(p) for _, _, p in find_date_phrases(text)))


def article_choices(text: str) -> dict[str, list[str]]:
    """Enum choices for ArticleReply's fields, keyed as `constrain_choices` expects.

    Sentences that address the model are not offered: it cannot pick them.
    """
    text = blank_instructions(text)
    dates = date_choices(text)
    return {
        "evidence": quote_choices(text),
        "ActorReply.name": name_choices(text),
        "DeadlineReply.date_text": dates,
        "MeasureReply.effective_date_text": ["", *dates],
    }
