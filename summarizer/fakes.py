"""Fake backends for tests and for users who test code built on summarizer.

They answer a ChatRequest without any network, from a Python function. They
are fakes, named as such: their replies were written by a person or a script,
not by a model, and everything they produce is labelled `source="fake"`.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from .calls import ChatReply, ChatRequest

ReplyFunction = Callable[[ChatRequest], "dict[str, Any] | str | Awaitable[dict[str, Any] | str]"]


def completion(content: str, prompt_tokens: int = 0, completion_tokens: int = 0) -> dict[str, Any]:
    """A chat completion in OpenAI's shape whose message is `content`."""
    return {
        "id": "fake",
        "object": "chat.completion",
        "created": 0,
        "model": "fake",
        "choices": [
            {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


class FunctionModel:
    """A backend whose replies come from `function(request)`.

    The function returns a dict (parsed into JSON content), a string (the raw
    message content) or a full completion (a dict with "choices").
    """

    max_concurrency = 8

    def __init__(self, function: ReplyFunction, identity: str = "fake:function", model: str = "fake") -> None:
        self.function = function
        self.identity = identity
        self.model = model
        self.requests: list[ChatRequest] = []

    async def complete(self, request: ChatRequest) -> ChatReply:
        self.requests.append(request)
        answer = self.function(request)
        if hasattr(answer, "__await__"):
            answer = await answer  # type: ignore[misc]
        if isinstance(answer, dict) and "choices" in answer:
            return ChatReply(answer, source="fake")
        content = answer if isinstance(answer, str) else json.dumps(answer)
        return ChatReply(completion(content, 100, len(content) // 4), source="fake")

    async def aclose(self) -> None:
        return None


class ScriptedModel(FunctionModel):
    """Replies with the given answers in order, one per call."""

    def __init__(self, answers: list[dict[str, Any] | str], identity: str = "fake:scripted") -> None:
        self._answers = list(answers)
        super().__init__(self._next, identity=identity)

    def _next(self, request: ChatRequest) -> dict[str, Any] | str:
        if not self._answers:
            raise AssertionError("ScriptedModel ran out of scripted answers")
        return self._answers.pop(0)
