"""Filling a reply model through instructor, over whatever backend is in play.

instructor owns the loop "send, validate against the reply model, re-ask with
the errors". Our validators (summarizer.extract, summarizer.synthesize) ground
each item against the article text carried in instructor's validation
context, drop the items that fail, and reject the whole reply only when it is
malformed or when most of its items fail, which triggers a re-ask. When the
re-asks are spent, the last reply is parsed once more in lenient mode: what is
grounded is kept, the rest is dropped and counted, never shown.
"""

from __future__ import annotations

import contextvars
import functools
import copy
import json
import logging
from dataclasses import dataclass
from typing import Any, TypeVar

import instructor
import pydantic_core
from instructor.core.exceptions import IncompleteOutputException, InstructorRetryException
from openai.types.chat import ChatCompletion
from pydantic import BaseModel, ValidationError

from .calls import Backend, CallStats, ChatRequest, ModelCallError

T = TypeVar("T", bound=BaseModel)

# instructor logs every failed attempt at ERROR level; a re-ask is routine here,
# and the outcome is reported in the run metadata instead.
logging.getLogger("instructor").setLevel(logging.CRITICAL)

#: Our mode names -> instructor's mode, and whether the request needs the
#: llama-cpp-python rewrite (done by the backend that talks to such a server).
MODES = {
    "tools": instructor.Mode.TOOLS,
    "json_schema": instructor.Mode.JSON_SCHEMA,
    "json": instructor.Mode.JSON,
    "md_json": instructor.Mode.MD_JSON,
}

_calls_in_fill: contextvars.ContextVar[list[int]] = contextvars.ContextVar("calls_in_fill")


def protect_from_templating(text: str) -> str:
    """Make text survive instructor's templating unchanged.

    When a validation context is given, instructor renders every message as a
    Jinja template with that context. Article text is untrusted data: a "{{"
    in it must reach the model as written, not be evaluated. Each "{" becomes
    an expression that renders back to "{", so nothing else can be a tag.
    """
    return text.replace("{", "{{ '{' }}")


def constrain_choices(
    model: type[T],
    choices: dict[str, list[str]],
    min_items: dict[str, int] | None = None,
    max_items: dict[str, int] | None = None,
) -> type[T]:
    """A subclass of `model` with a tighter JSON Schema for grammar-constrained models.

    * `choices` limits the named string fields to a list of values: with a
      grammar-enforcing server (llama.cpp), `evidence` can then only hold one of
      the article's own sentences, grounded by construction.
    * `min_items` makes the named lists required and non-empty: left free, a
      135M model closes the object after the summary and extracts nothing.
    * `max_items` lowers list bounds: the same model, once in a list, repeats
      its last item until the bound or max_tokens.
    Validation is unchanged (grounding still checks every item), so a server
    that ignores the schema is caught the ordinary way.
    """
    min_items = min_items or {}
    max_items = max_items or {}

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


@dataclass
class Filled:
    """A validated reply and how it was obtained."""

    value: BaseModel
    calls: int


class StructuredClient:
    """Fills reply models; every call goes through `backend.complete`."""

    def __init__(
        self,
        backend: Backend,
        mode: str = "json_schema",
        max_retries: int = 2,
        params: dict[str, Any] | None = None,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
        self.backend = backend
        self.mode = mode
        self.max_retries = max_retries
        self.params = {"temperature": 0.0, **(params or {})}
        self.stats = CallStats()
        self._create = instructor.patch(create=self._complete, mode=MODES[mode])

    async def _complete(self, **kwargs: Any) -> ChatCompletion:
        labels = kwargs.pop("summarizer_labels", {})
        body = {key: value for key, value in kwargs.items() if value is not None}
        request = ChatRequest(body=body, labels=labels)
        counter = _calls_in_fill.get(None)
        if counter is not None:
            counter[0] += 1
        reply = await self.backend.complete(request)
        self.stats.add(request, reply)
        return ChatCompletion.model_validate(reply.data)

    async def fill(
        self,
        reply_model: type[T],
        messages: list[dict[str, str]],
        context: dict[str, Any],
        labels: dict[str, str],
        max_tokens: int,
    ) -> Filled:
        """Send, validate, re-ask; a reply cut off at max_tokens is asked again more briefly.

        instructor does not re-ask a reply that hit the token limit, and
        asking the same thing again would get the same cut. So the request
        is repeated with a note asking for fewer, shorter items; if every try
        is cut, the complete items of the last reply are kept (grounded as
        usual) rather than losing the article.
        """
        counter = [0]
        _calls_in_fill.set(counter)
        safe_messages = [{**m, "content": protect_from_templating(m["content"])} for m in messages]
        cut: IncompleteOutputException | None = None
        for _ in range(self.max_retries + 1):
            try:
                return await self._fill_once(reply_model, safe_messages, context, labels, max_tokens, counter)
            except IncompleteOutputException as error:
                cut = error
                safe_messages = [*safe_messages[:len(messages)], {"role": "user", "content": CUT_OFF_NOTE}]
        value = salvage(reply_model, _reply_text(cut.last_completion) if cut else None, context)
        if value is None:
            raise ModelCallError(
                f"reply cut off at max_tokens={max_tokens} on all {counter[0]} attempts, with no complete item"
            )
        return Filled(value, counter[0])

    async def _fill_once(self, reply_model, safe_messages, context, labels, max_tokens, counter) -> Filled:
        try:
            value = await self._create(
                response_model=_prepared(reply_model),
                messages=safe_messages,
                context={**context, "lenient": False},
                max_retries=self.max_retries,
                summarizer_labels=labels,
                max_tokens=max_tokens,
                **self.params,
            )
            return Filled(value, counter[0])
        except InstructorRetryException as error:
            # instructor wraps every failure; a failed call (not a bad reply) is ours to report as is.
            cause = error.__cause__ or error.__context__
            if isinstance(cause, ModelCallError):
                raise cause from None
            content = _reply_text(error.last_completion)
            if content is None:
                raise ModelCallError(f"no usable reply after {counter[0]} attempts") from None
            try:
                value = reply_model.model_validate_json(content, context={**context, "lenient": True})
            except ValidationError as invalid:
                # Small models put raw newlines inside JSON strings, which strict
                # JSON forbids; read that way, the reply is often fine.
                value = _loosely(reply_model, content, context)
                if value is not None:
                    return Filled(value, counter[0])
                first = invalid.errors()[0]
                where = ".".join(str(p) for p in first.get("loc", ())) or "reply"
                raise ModelCallError(
                    f"reply still invalid after {counter[0]} attempts ({where}: {first.get('msg')})"
                ) from None
            return Filled(value, counter[0])


@functools.lru_cache(maxsize=16)
def _prepared_once(reply_model: type[T]) -> type[T]:
    try:
        from instructor.v2.core.function_calls import response_schema
    except ImportError:  # another instructor layout: let it wrap on each call
        return reply_model
    return response_schema(reply_model)


def _prepared(reply_model: type[T]) -> type[T]:
    """The reply model as instructor wants it, built once per model class.

    instructor derives a new pydantic class from the reply model on every
    call (3 ms, a fifth of our per-article cost). For the fixed reply models
    that class is made once here; a model narrowed for one article (see
    constrain_choices) is used once anyway and is left to instructor.
    """
    if getattr(reply_model, "__summarizer_one_off__", False):
        return reply_model
    return _prepared_once(reply_model)


CUT_OFF_NOTE = (
    "Your previous reply was cut off at the length limit. "
    "Reply again with the same JSON fields, but fewer and shorter items, and no repeated items."
)


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
    return _validate_dropping_broken_items(reply_model, data, context)


def _loosely(reply_model: type[T], content: str, context: dict[str, Any]) -> T | None:
    """The last reply, read as kindly as it can be: raw control characters allowed
    inside strings, and list items that break the schema (an unknown status, a
    missing field) removed one by one. What is left is still grounded."""
    try:
        data = json.loads(content, strict=False)
    except ValueError:
        return None
    return _validate_dropping_broken_items(reply_model, data, context)


def _validate_dropping_broken_items(reply_model: type[T], data: Any, context: dict[str, Any]) -> T | None:
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


def _reply_text(completion: Any) -> str | None:
    """The JSON text of a completion, whether it came as content or as a tool call."""
    try:
        message = completion.choices[0].message
    except (AttributeError, IndexError):
        return None
    if getattr(message, "tool_calls", None):
        return message.tool_calls[0].function.arguments
    return message.content
