"""What a grammar-constrained model may choose from, read off the article itself.

A 135M model cannot be trusted to copy a name, a date or a sentence: it
invents people ("Jay Z") and truncates dates ("November 9" of "November 9,
2017"). With llama.cpp's grammar, a schema enum restricts a field to values
that occur in the article, so those fields are grounded by construction. The
grounding step still checks everything, since other servers may ignore enums.
`constrain_choices` writes those choices, and the list bounds a small model
needs, into the reply model's JSON Schema.
"""

from __future__ import annotations

import copy
import re
from typing import Any, TypeVar

from pydantic import BaseModel

from .align import sentences
from .dates import find_date_phrases
from .injection import blank_instructions

T = TypeVar("T", bound=BaseModel)

__all__ = ["article_choices", "date_choices", "name_choices", "quote_choices"]

def grammar_safe(value: str) -> str:
    """A string that can stand in a JSON-Schema enum sent to llama.cpp.

    llama.cpp's schema-to-grammar converter emits a broken grammar for an enum
    value holding a double quote, and the server process dies on it (measured
    with llama-cpp-python 0.3.36); a backslash or a tab comes back as invalid
    JSON. So those characters are replaced; alignment folds them back.
    """
    return re.sub(r"\s+", " ", value.replace('"', "'").replace("\\", "/"))


def quote_choices(text: str, max_chars: int = 400) -> list[str]:
    """The article's sentences, offered as an enum to a grammar-constrained model."""
    return list(dict.fromkeys(grammar_safe(sentence)[:max_chars] for sentence in sentences(text)))


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


def constrain_choices(
    model: type[T],
    choices: dict[str, list[str]],
    min_items: dict[str, int] | None = None,
    max_items: dict[str, int] | None = None,
    min_length: dict[str, int] | None = None,
) -> type[T]:
    """A subclass of `model` with a tighter JSON Schema for grammar-constrained models.

    * `choices` limits the named string fields to a list of values: with a
      grammar-enforcing server (llama.cpp), `evidence` can then only hold one of
      the article's own sentences, grounded by construction.
    * `min_items` makes the named lists required and non-empty: left free, a
      135M model closes the object after the summary and extracts nothing.
    * `max_items` lowers list bounds: the same model, once in a list, repeats
      its last item until the bound or max_tokens.
    * `min_length` sets a string's shortest length: left free, SmolLM2 closed
      the executive summary after one character ("{").
    Validation is unchanged (grounding still checks every item), so a server
    that ignores the schema is caught the ordinary way.
    """
    min_items = min_items or {}
    max_items = max_items or {}
    min_length = min_length or {}

    def rule(table: dict[str, Any], owner: str, name: str) -> Any:
        # "Model.field" targets one model's field; a bare "field" targets it everywhere.
        return table.get(f"{owner}.{name}", table.get(name))

    def narrow(node: dict[str, Any], owner: str) -> None:
        required = set(node.get("required", []))
        for name, prop in (node.get("properties") or {}).items():
            values = rule(choices, owner, name)
            if values:
                if prop.get("type") == "array":
                    prop["items"] = {"type": "string", "enum": values}
                else:
                    prop.clear()
                    prop.update({"type": "string", "enum": values})
            shortest = rule(min_length, owner, name)
            if shortest and prop.get("type") == "string":
                prop["minLength"] = shortest
            if prop.get("type") == "array":
                low, high = rule(min_items, owner, name), rule(max_items, owner, name)
                if low is not None:
                    prop["minItems"] = low
                    prop.pop("default", None)
                    required.add(name)
                if high is not None:
                    prop["maxItems"] = high
        if required:
            node["required"] = sorted(required)

    class Constrained(model):  # type: ignore[valid-type,misc]
        @classmethod
        def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
            schema = copy.deepcopy(model.model_json_schema(*args, **kwargs))
            narrow(schema, model.__name__)
            for owner, definition in (schema.get("$defs") or {}).items():
                narrow(definition, owner)
            return schema

    Constrained.__summarizer_one_off__ = True  # type: ignore[attr-defined]
    Constrained.__name__ = model.__name__
    Constrained.__qualname__ = model.__qualname__
    Constrained.__doc__ = model.__doc__
    return Constrained  # type: ignore[return-value]
