"""Backends that reach a real model over the OpenAI chat completions API."""

from __future__ import annotations

import copy
import re
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
from .errors import SummarizerError
from .offload import within

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
    if "sk-" not in text and "Bearer " not in text:
        return text  # the pattern cannot match; tried at each character, it was 3% of a call's CPU
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


class StatusError(SummarizerError):
    """A non-2xx answer from the endpoint: its status, the error code and message the body gave,
    and its headers (Retry-After is read from them by summarizer.retry).

    Not a ModelCallError: summarizer.retry decides whether it is worth another
    try, and words the failure that reaches the user (a ModelCallError).
    """

    def __init__(self, status: int, reason: str, message: str, code: str = "", headers: Any = None) -> None:
        self.status_code, self.code = status, code
        self.headers = {name.lower(): value for name, value in (headers or {}).items()}  # names in lower case
        detail = f": {message}" if message else ""
        super().__init__(f"HTTP {status} {reason}".rstrip() + detail)


def refusal(error: BaseException) -> str | None:
    """Why no retry can succeed, for the answers that say so; None for any other error.

    A 401/403 (the key), a 404 (the model or the URL) and a 429 that says
    `insufficient_quota` are the same for every article: asking again, or for
    the next article, only multiplies them.
    """
    if not isinstance(error, StatusError):
        return None
    status, code = error.status_code, error.code
    if status == 429 and code == "insufficient_quota":
        return "429 insufficient_quota: the account behind the API key has no quota left"
    return {
        401: "401 Unauthorized: the API key was refused (OPENAI_API_KEY)",
        403: "403 Forbidden: the API key may not use this model or endpoint",
        404: "404 Not Found: no such model or endpoint (check --model and --base-url)",
    }.get(status)


#: The largest reply read from an endpoint. A chat completion is kilobytes; 300 MB took the
#: process to 2.5 GB before this bound existed.
MAX_REPLY_BYTES = 8 * 1024 * 1024

#: The most of an error body read to say what went wrong.
MAX_ERROR_BYTES = 64 * 1024


def proxy_for(url: str) -> str | None:
    """The proxy the environment names for `url` (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY), as the
    openai client honoured them; None to connect directly."""
    import urllib.request
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    proxies = urllib.request.getproxies_environment()
    proxy = proxies.get(parts.scheme) or proxies.get("all")
    if not proxy or urllib.request.proxy_bypass_environment(parts.hostname or "", proxies):
        return None
    return proxy


def _without_none(value: Any) -> Any:
    """JSON with its null fields left out: what is stored of a reply (cache, fixtures) has no nulls."""
    if isinstance(value, dict):
        return {key: _without_none(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_without_none(item) for item in value]
    return value


def _error_detail(raw: bytes) -> tuple[str, str]:
    """The message and code of an error body (OpenAI's `{"error": {...}}` or a bare string)."""
    import json

    text = raw.decode("utf-8", errors="replace").strip()
    try:
        body = json.loads(text)
    except ValueError:
        return " ".join(text.split())[:300], ""
    error = body.get("error", body) if isinstance(body, dict) else body
    if isinstance(error, dict):
        return str(error.get("message") or error.get("detail") or "")[:300], str(error.get("code") or "")
    return str(error)[:300], ""


class OpenAICompatible:
    """Any server that speaks OpenAI's chat completions API, over one aiohttp session.

    The openai package is not used on this path: importing it costs 0.6-0.9 s
    before the first request, and its transport (httpx over httpcore) checked
    every pooled connection on every request, about 3 ms a call at 64 in
    flight. A chat completion is one POST of JSON; aiohttp keeps the
    connections, and the statuses are read the way the openai client reads them.
    """

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
        self._session = None  # made on the first call, inside the running event loop
        self._proxy: str | None = None
        self.startup_seconds = 0.0
        self.refused: EndpointRefused | None = None  # set by an answer no retry can change (see refusal)
        self.identity = identity or f"openai-compatible:{(base_url or 'default').rstrip('/')}"

    def _ensure_session(self):
        if self._session is None:
            started = time.perf_counter()
            import aiohttp

            # No bound on connections here: Throttled (--concurrency) bounds the requests in flight.
            # The proxy the environment names is read once, here: aiohttp's trust_env reads it, and
            # ~/.netrc, on every request, in a thread (a fifth of our time per call at 64 in flight).
            self._proxy = proxy_for(self.url)
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=0),
                timeout=aiohttp.ClientTimeout(total=None, sock_connect=self._timeout, sock_read=self._timeout),
                headers={"Authorization": f"Bearer {self._api_key or 'not-needed'}",
                         "Content-Type": "application/json", "Accept": "application/json"},
            )
            self.startup_seconds += time.perf_counter() - started
        return self._session

    async def complete(self, request: ChatRequest) -> ChatReply:
        body = dict(request.body)
        body.setdefault("model", self.model)
        if self.dialect == "llama-cpp-python":
            body = to_llama_cpp_python(body)
        if self.refused is not None:
            raise self.refused  # the same answer for every request: none is sent again
        session = self._ensure_session()
        try:
            # The session's timeouts bound each read; this bounds the whole reply, which a
            # server can otherwise trickle in at two bytes a second for as long as it likes.
            raw, content_type = await within(self._fetch(session, body), self._timeout)
        except TimeoutError:
            raise SlowReply(f"no whole reply within the {self._timeout:g}s timeout") from None
        except StatusError as error:
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

    async def _fetch(self, session: Any, body: dict[str, Any]) -> tuple[bytes, str]:
        """The reply's bytes, read as they come and refused past `max_reply_bytes`."""
        import json

        import aiohttp

        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        try:
            response = await session.post(self.url, data=data, allow_redirects=False, proxy=self._proxy)
        except aiohttp.ServerTimeoutError:
            raise SlowReply(f"no answer within the {self._timeout:g}s timeout") from None
        except (aiohttp.ClientConnectionError, aiohttp.InvalidURL, OSError) as error:
            detail = redact(f"{type(error).__name__}: {error}", self._api_key)
            raise Unreachable(f"could not reach {self.url} ({detail})") from None
        try:
            if response.status >= 300:
                raw = await self._read(response, MAX_ERROR_BYTES, bounded=False)
                message, code = _error_detail(raw)
                raise StatusError(response.status, response.reason or "", redact(message, self._api_key), code,
                                  dict(response.headers))
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_reply_bytes:
                raise ReplyTooLarge(self._too_large(int(declared)))
            return await self._read(response, self.max_reply_bytes), response.headers.get("content-type", "")
        finally:
            response.release()

    async def _read(self, response: Any, limit: int, bounded: bool = True) -> bytes:
        import aiohttp

        parts, size = [], 0
        try:
            async for part in response.content.iter_any():
                size += len(part)
                if size > limit:
                    if not bounded:  # an error body: what came is enough to say what went wrong
                        break
                    raise ReplyTooLarge(self._too_large(size, more=True))
                parts.append(part)
        except aiohttp.ServerTimeoutError:
            raise SlowReply(f"the reply stalled past the {self._timeout:g}s timeout") from None
        except (aiohttp.ClientPayloadError, aiohttp.ClientConnectionError, OSError) as error:
            # The body cut short, the connection dropped mid-reply: try again.
            raise TransientCallError(f"the reply broke off ({type(error).__name__}: {error})") from None
        return b"".join(parts)

    @property
    def url(self) -> str:
        return (self._base_url or "https://api.openai.com/v1").rstrip("/") + "/chat/completions"

    def _too_large(self, size: int, more: bool = False) -> str:
        return (f"the reply is {'over ' if more else ''}{size:,} bytes, more than the {self.max_reply_bytes:,} "
                "a chat completion needs; refused and not cached")

    def _completion(self, raw: bytes, content_type: str) -> dict[str, Any]:
        """The reply as a chat completion's JSON, or NotAnOpenAIServer saying what came instead."""
        import json

        try:
            data = json.loads(raw)
        except ValueError:
            data = None
        choices = data.get("choices") if isinstance(data, dict) else None
        if not isinstance(choices, list) or not all(
            isinstance(choice, dict) and isinstance(choice.get("message"), dict) for choice in choices
        ):
            raise NotAnOpenAIServer(
                f"the endpoint at {self.url} did not answer as an OpenAI-compatible server "
                f"(a 200 with {content_type or 'no content type'}, {len(raw):,} bytes, not a chat completion)"
            )
        if not choices:
            raise EmptyReply("the model endpoint returned no choices")
        return _without_none(data)

    def describe_error(self, error: BaseException) -> str:
        if isinstance(error, StatusError):
            return redact(str(error), self._api_key)
        return redact(f"{type(error).__name__}: {error}", self._api_key)

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def check_reply(reply: ChatReply) -> ChatReply:
    """Reject replies no parser can use, so that they are neither cached nor recorded."""
    choices = reply.data.get("choices") or []
    if not choices:
        raise ModelCallError("the model endpoint returned no choices")
    return reply
