"""Backends that reach a real model over the OpenAI chat completions API."""

from __future__ import annotations

import asyncio
import copy
import re
import sys
import time
from typing import Any

from .calls import (
    ChatReply,
    ChatRequest,
    EmptyReply,
    EndpointRefused,
    ModelCallError,
    NotAnOpenAIServer,
    ReplyTooLarge,
    SlowReply,
    TransientCallError,
    Unreachable,
)

_SECRET = re.compile(r"(sk-[A-Za-z0-9_\-]{6,}|Bearer\s+[A-Za-z0-9._\-]+)")


def redact(text: str, *secrets: str | None) -> str:
    """Remove API keys and bearer tokens from a message meant for a user or a log."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return _SECRET.sub("***", text)


#: What a stored reply may not hold: an API key, or a bearer token, echoed back by a gateway.
#: Stricter than `redact`'s pattern (16 characters or more), so that stored article text such as
#: "Bearer bonds" or "sk-hynix" is left as it is.
_STORED_SECRET = re.compile(r"sk-[A-Za-z0-9_\-]{16,}|(?<=Bearer )[A-Za-z0-9._\-]{16,}")


def redact_stored(text: str, *secrets: str | None) -> str:
    """Remove keys and bearer tokens from text about to be stored (cache entries, fixtures)."""
    for secret in secrets:
        if secret and len(secret) >= 8:
            text = text.replace(secret, "***")
    return _STORED_SECRET.sub("***", text)


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


def refusal(error: BaseException) -> str | None:
    """Why no retry can succeed, for the answers that say so; None for any other error.

    A 401/403 (the key), a 404 (the model or the URL) and a 429 that says
    `insufficient_quota` are the same for every article: asking again, or for
    the next article, only multiplies them.
    """
    openai = sys.modules.get("openai")  # not imported means no openai error can be in play
    if openai is None or not isinstance(error, openai.APIStatusError):
        return None
    code = str(getattr(error, "code", "") or "")
    if error.status_code == 429 and code == "insufficient_quota":
        return "429 insufficient_quota: the account behind the API key has no quota left"
    return {
        401: "401 Unauthorized: the API key was refused (OPENAI_API_KEY)",
        403: "403 Forbidden: the API key may not use this model or endpoint",
        404: "404 Not Found: no such model or endpoint (check --model and --base-url)",
    }.get(error.status_code)


#: The largest reply read from an endpoint. A chat completion is kilobytes; 300 MB took the
#: process to 2.5 GB before this bound existed.
MAX_REPLY_BYTES = 8 * 1024 * 1024


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
        max_reply_bytes: int = MAX_REPLY_BYTES,
    ) -> None:
        self.model = model
        self.dialect = dialect
        self._api_key = api_key
        self._base_url = base_url
        self._timeout = timeout
        self.max_reply_bytes = max_reply_bytes
        self._client = None  # made on the first call: a fully cached run never imports openai (0.7 s)
        self.startup_seconds = 0.0
        self.refused: EndpointRefused | None = None  # set by an answer no retry can change (see refusal)
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
        if self.refused is not None:
            raise self.refused  # the same answer for every request: none is sent again
        client = self._ensure_client()
        try:
            # The client's timeout bounds each read; this bounds the whole reply, which a
            # server can otherwise trickle in at two bytes a second for as long as it likes.
            raw, content_type = await asyncio.wait_for(self._fetch(client, body), self._timeout)
        except TimeoutError:
            raise SlowReply(f"no whole reply within the {self._timeout:g}s timeout") from None
        except Exception as error:
            openai = sys.modules["openai"]
            if isinstance(error, openai.APIConnectionError) and not isinstance(error, openai.APITimeoutError):
                cause = error.__cause__ or error.__context__
                detail = f"{type(cause).__name__}: {cause}" if cause else "connection error"
                raise Unreachable(f"could not reach {self.url} ({redact(detail, self._api_key)})") from None
            why = refusal(error)
            if why is None:
                raise
            self.refused = EndpointRefused(
                f"the model endpoint refused the request: {why}; stopped ({self.describe_error(error)})"
            )
            raise self.refused from None
        try:
            return ChatReply(self._completion(raw, content_type))
        except NotAnOpenAIServer as error:
            self.refused = error
            raise

    async def _fetch(self, client: Any, body: dict[str, Any]) -> tuple[bytes, str]:
        """The reply's bytes, read as they come and refused past `max_reply_bytes`."""
        import httpx2

        # Posted directly rather than through client.chat.completions: that
        # attribute imports every resource of the API (0.6 s) to send one kind.
        response = await client.post("/chat/completions", body=body, cast_to=httpx2.Response, stream=True)
        try:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_reply_bytes:
                raise ReplyTooLarge(self._too_large(int(declared)))
            parts, size = [], 0
            try:
                async for part in response.aiter_bytes():
                    size += len(part)
                    if size > self.max_reply_bytes:
                        raise ReplyTooLarge(self._too_large(size, more=True))
                    parts.append(part)
            except httpx2.TransportError as error:  # the body cut short, a read timing out: try again
                raise TransientCallError(f"the reply broke off ({type(error).__name__}: {error})") from None
            return b"".join(parts), response.headers.get("content-type", "")
        finally:
            await response.aclose()

    @property
    def url(self) -> str:
        return (self._base_url or "https://api.openai.com/v1").rstrip("/") + "/chat/completions"

    def _too_large(self, size: int, more: bool = False) -> str:
        return (f"the reply is {'over ' if more else ''}{size:,} bytes, more than the {self.max_reply_bytes:,} "
                "a chat completion needs; refused and not cached")

    def _completion(self, raw: bytes, content_type: str) -> dict[str, Any]:
        """The reply as a chat completion's JSON, or NotAnOpenAIServer saying what came instead."""
        import pydantic

        try:
            completion = self._completion_type.model_validate_json(raw)
        except (ValueError, pydantic.ValidationError):
            raise NotAnOpenAIServer(
                f"the endpoint at {self.url} did not answer as an OpenAI-compatible server "
                f"(a 200 with {content_type or 'no content type'}, {len(raw):,} bytes, not a chat completion)"
            ) from None
        data = completion.model_dump(mode="json", exclude_none=True)
        if not data.get("choices"):
            raise EmptyReply("the model endpoint returned no choices")
        return data

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
