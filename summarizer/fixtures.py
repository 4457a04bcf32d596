"""Record and replay of model exchanges, at the single model call.

`Recording` passes each request to the real backend and writes the exchange to
a readable JSON file; `Replaying` answers only from those files, so tests run
offline and deterministically against replies a real model once gave. The
files hold the request (messages, schema, parameters) and the reply, keyed the
same way as the cache; never an API key or a header.

Record the seed fixtures with:  summarizer record seeds/ --fixtures fixtures/seeds
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path

from .calls import Backend, ChatReply, ChatRequest, ModelCallError, subject
from .providers import check_reply, redact_stored

RECORD_HINT = "summarizer record {paths} --fixtures {folder}"


class FixtureMissing(ModelCallError):
    pass


def _file_name(request: ChatRequest, key: str) -> str:
    stage = request.labels.get("stage", "call")
    subject = request.labels.get("article_id", "")
    part = request.labels.get("chunk", "").replace("/", "of")  # "2/5" -> "2of5"
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", "-".join(p for p in (stage, subject, part) if p))[:80]
    return f"{slug}-{key[:12]}.json"


class Replaying:
    """Answers from recorded exchanges only; a request never recorded is an error."""

    max_concurrency = 8

    def __init__(self, folder: Path | str, identity: str, model: str) -> None:
        self.folder = Path(folder)
        self.identity = identity
        self.model = model
        self._index: dict[str, Path] | None = None

    def _load_index(self) -> dict[str, Path]:
        if self._index is None:
            self._index = {}
            # Folders below count too: `--fixtures fixtures` replays every recorded set at once.
            for path in sorted(self.folder.rglob("*.json")):
                try:
                    key = json.loads(path.read_text(encoding="utf-8")).get("key")
                except (OSError, ValueError):
                    continue
                if key:
                    self._index[key] = path
        return self._index

    async def complete(self, request: ChatRequest) -> ChatReply:
        key = request.key(self.identity)
        path = self._load_index().get(key)
        if path is None:
            raise FixtureMissing(
                f"no recorded reply for the {subject(request.labels)} request (key {key[:12]}) in {self.folder}; "
                f"record it with: {RECORD_HINT.format(paths='<articles>', folder=self.folder)}"
            )
        exchange = json.loads(path.read_text(encoding="utf-8"))
        return ChatReply(exchange["reply"], source="fixture")

    async def aclose(self) -> None:
        return None


class Recording:
    """Calls the real backend and writes every exchange next to the others."""

    def __init__(self, inner: Backend, folder: Path | str, secrets: tuple[str | None, ...] = ()) -> None:
        self.inner = inner
        self.folder = Path(folder)
        self.secrets = secrets  # never written, even when an endpoint echoes them
        self.identity = inner.identity
        self.model = inner.model
        self.max_concurrency = inner.max_concurrency

    async def complete(self, request: ChatRequest) -> ChatReply:
        reply = check_reply(await self.inner.complete(request))
        key = request.key(self.identity)
        exchange = {
            "key": key,
            "recorded_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "endpoint": self.identity,
            "labels": request.labels,
            "request": request.body,
            "reply": reply.data,
        }
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / _file_name(request, key)
        text = redact_stored(json.dumps(exchange, indent=2, ensure_ascii=False), *self.secrets)
        path.write_text(text + "\n", encoding="utf-8")
        return reply

    async def aclose(self) -> None:
        await self.inner.aclose()
