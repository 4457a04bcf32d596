"""Reading a model's reply kindly, once the re-asks are spent.

A small model's last reply is often almost right: a raw newline inside a
JSON string, one item with an unknown status, an object cut off at
max_tokens. Rather than lose the article, the reply is read as far as it
can be, list items that break the schema are removed one by one, and what
is left is validated in lenient mode: grounding still checks every item,
and drops (and counts) what it cannot trace to a quote.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

import pydantic_core
from pydantic import BaseModel, ValidationError

T = TypeVar("T", bound=BaseModel)


def salvage(reply_model: type[T], content: str | None, context: dict[str, Any]) -> T | None:
    """The complete items of a JSON reply cut off mid-way, validated leniently; None if nothing is left.

    The cut JSON is parsed as far as it goes; list items the cut left
    incomplete fail validation and are removed, one pass per error.
    """
    if not content:
        return None
    try:
        data = pydantic_core.from_json(content, allow_partial="trailing-strings")
    except ValueError:
        return None
    return validate_dropping_broken_items(reply_model, data, context)


def loosely(reply_model: type[T], content: str, context: dict[str, Any]) -> T | None:
    """The last reply, read as kindly as it can be: raw control characters allowed
    inside strings, and list items that break the schema (an unknown status, a
    missing field) removed one by one. What is left is still grounded."""
    try:
        data = json.loads(content, strict=False)
    except ValueError:
        return None
    return validate_dropping_broken_items(reply_model, data, context)


def validate_dropping_broken_items(reply_model: type[T], data: Any, context: dict[str, Any]) -> T | None:
    if not isinstance(data, dict):
        return None
    for _ in range(20):
        try:
            return reply_model.model_validate(data, context={**context, "lenient": True})
        except ValidationError as invalid:
            if not _drop_broken_items(data, invalid):
                return None
    return None


def _drop_broken_items(data: dict[str, Any], invalid: ValidationError) -> bool:
    dropped = False
    for error in invalid.errors():
        loc = error.get("loc", ())
        if len(loc) >= 2 and isinstance(loc[1], int) and isinstance(data.get(loc[0]), list):
            items = data[loc[0]]
            if loc[1] < len(items):
                items[loc[1]] = None
                dropped = True
    for key, value in data.items():
        if isinstance(value, list):
            data[key] = [item for item in value if item is not None]
    return dropped
