"""Backends that reach a real model over the OpenAI chat completions API."""

from __future__ import annotations

import copy
import re
import time
from typing import Any

from .calls import ChatReply, ChatRequest, EmptyReply, ModelCallError

_SECRET = re.compile(r"(sk-[A-Za-z0-9_\-]{6,}|Bearer\s+[A-Za-z0-9._\-]+)")


def redact(text: str, *secrets: str | None) -> str:
    """Remove API keys and bearer tokens from a message meant for a user or a log."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return _SECRET.sub("***", text)


def to_llama_cpp_python(body: dict[str, Any]) -> dict[str, Any]:
    """Rewrite a JSON-schema request into the form llama-cpp-python's server accepts.

    That server answers `response_format: {type: json_schema, ...}` with a 500,
    but turns `{type: json_object, schema: ...}` into a grammar that forces the
    output to fit the schema. Without the schema, a small model's JSON is free
    to drift from it.
    """
    response_format = body.get("response_format") or {}
    if response_format.get("type") != "json_schema":
        return body
    body = copy.copy(body)
    schema = response_format.get("json_schema", {}).get("schema", {})
    body["response_format"] = {"type": "json_object", "schema": schema}
    return body


class OpenAICompatible:
    """Any server that speaks OpenAI's chat completions API."""

    max_concurrency = 1024  # no limit of its own: --concurrency (and --rpm) decide

    def __init__(
        self,
        model: str,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float = 120.0,
        dialect: str = "openai",
        identity: str | None = None,
    ) -> None:
        self.model = model
        self.dialect = dialect
        self._api_key = api_key
        self._base_url = base_url
        self._timeout = timeout
        self._client = None  # made on the first call: a fully cached run never imports openai (0.7 s)
        self.startup_seconds = 0.0
        self.identity = identity or f"openai-compatible:{(base_url or 'default').rstrip('/')}"

    def _ensure_client(self):
        if self._client is None:
            started = time.perf_counter()
            import openai
            from openai.types.chat import ChatCompletion

            # The client's own retries are off: tenacity (summarizer.retry) owns
            # retries, and two layers of them would multiply.
            self._client = openai.AsyncOpenAI(
                base_url=self._base_url,
                api_key=self._api_key or "not-needed",
                timeout=self._timeout,
                max_retries=0,
            )
            self._completion_type = ChatCompletion
            self.startup_seconds += time.perf_counter() - started
        return self._client

    async def complete(self, request: ChatRequest) -> ChatReply:
        body = dict(request.body)
        body.setdefault("model", self.model)
        if self.dialect == "llama-cpp-python":
            body = to_llama_cpp_python(body)
        client = self._ensure_client()
        # Posted directly rather than through client.chat.completions: that
        # attribute imports every resource of the API (0.6 s) to send one kind.
        completion = await client.post("/chat/completions", body=body, cast_to=self._completion_type)
        reply = ChatReply(completion.model_dump(mode="json", exclude_none=True))
        if not reply.data.get("choices"):
            raise EmptyReply("the model endpoint returned no choices")
        return reply

    def describe_error(self, error: BaseException) -> str:
        return redact(f"{type(error).__name__}: {error}", self._api_key)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()


def check_reply(reply: ChatReply) -> ChatReply:
    """Reject replies no parser can use, so that they are neither cached nor recorded."""
    choices = reply.data.get("choices") or []
    if not choices:
        raise ModelCallError("the model endpoint returned no choices")
    return reply
