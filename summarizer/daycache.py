"""A finished day, remembered: the same articles briefed the same way give the briefing back at once.

Each model call is cached (summarizer.cache) and each fill (summarizer.fillcache), but a
rerun of a large day still re-grounded every reply and re-merged every article: 6.4 s for
2,000 cached articles, every morning a feed is briefed again. The finished result is
stored too, under a key of everything that decides it:

* the articles as loaded (ids, texts, titles, sources, dates, paths, warnings), the files
  skipped and the duplicates set aside;
* the day, the template's hash, who answers (endpoint identity and model), the settings
  that shape the output, and the story threshold (`--since` is applied to the result
  afterwards, so a day compared with another earlier run is found too);
* this code itself (a hash of the package's sources), so that a new version never serves
  an old version's briefing.

A run with a failure other than a file that could not be read is not stored: its next
run should try again. The result's metadata says what the rerun cost: no model call,
every call a cache hit.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from .articles import Article
from .schemas import Briefing, Failure, FrontPage, RunMetadata, json_pieces
from .stories import Story

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Settings that change what a briefing says (not how fast or how often it is retried).
OUTPUT_SETTINGS = ("mode", "max_retries", "constrain_quotes", "context_tokens", "max_calls_per_article")


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of this package's source files and report template."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted([*package.glob("*.py"), *package.glob("html/*")]):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def key(kind: str, articles: Sequence[Article], load_failures: Sequence[Failure], duplicates: dict[str, str] | None,
        **decided_by: Any) -> str:
    """The cache key of a day's result: `kind` ("briefing" or "front page") and all it depends on."""
    material = {
        "kind": kind, "code": code_fingerprint(),
        "articles": [a.model_dump(mode="json") for a in articles],
        "load_failures": [f.model_dump(mode="json") for f in load_failures],
        "duplicates": duplicates or {}, **decided_by,
    }
    blob = json.dumps(material, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return "day:" + hashlib.sha256(blob.encode("utf-8")).hexdigest()


def storable(failures: Sequence[Failure]) -> bool:
    return all(f.stage == "load" for f in failures)


def put(cache: Any, day_key: str, value: Iterable[bytes]) -> None:
    """Store the day's result, compressed as its pieces come (briefing_value, stories_value)."""
    try:
        packer = zlib.compressobj(6)
        packed = [packer.compress(piece) for piece in value]
        packed.append(packer.flush())
        cache.set(day_key, b"".join(packed))
    except Exception as error:  # a full disk costs the next rerun its shortcut, not this run
        log.warning("could not cache the day's result (%s)", error)


def get(cache: Any, day_key: str, read: Callable[[bytes], T]) -> T | None:
    """The stored result as `read` makes it (briefing_from, stories_from); None if absent or unreadable."""
    try:
        raw = cache.get(day_key)
        return read(zlib.decompress(raw)) if raw is not None else None
    except Exception as error:  # unreadable: rebuild
        log.warning("could not read the day's result from the cache (%s)", error)
        return None


def as_rerun(metadata: RunMetadata, elapsed: float) -> RunMetadata:
    """The stored run's metadata as this rerun's: every call answered by the cache, none made."""
    calls = sum(stage.get("calls", 0) for stage in metadata.tokens_by_stage.values())
    return metadata.model_copy(update={
        "model_calls": 0, "cache_hits": calls, "prompt_tokens": 0, "completion_tokens": 0, "reasks": 0,
        "transport_retries": 0, "elapsed_seconds": round(elapsed, 3), "batches": [],
        "tokens_by_stage": {stage: {**counts, "prompt_tokens": 0, "completion_tokens": 0}
                            for stage, counts in metadata.tokens_by_stage.items()},
        "timings": {"model_startup": 0.0, "from_cache": round(elapsed, 3)},
    })


# Stored as JSON written and read by pydantic itself, never as a tree of Python objects (at
# 10,000 articles, model_dump() built millions of objects at the end of the run, and the rerun
# spent 1.2 s validating them back from json.loads), and written in pieces (schemas.json_pieces):
# made whole, then encoded, then compressed, 10,000 articles' 37 MB of JSON was held three times
# over at the end of the run, its peak.


def briefing_value(briefing: Briefing) -> Iterator[bytes]:
    return json_pieces(briefing)


def briefing_from(value: bytes, elapsed: float) -> Briefing:
    briefing = Briefing.model_validate_json(value)
    briefing.metadata = as_rerun(briefing.metadata, elapsed)
    return briefing


def stories_value(page: FrontPage, briefed: list[tuple[Story, Briefing]]) -> Iterator[bytes]:
    """The front page and each story's briefing as JSON, one after another, then a line of JSON
    saying what came before (the stories, and each piece's length in bytes)."""
    lengths = []
    for model in (page, *(b for _, b in briefed)):
        length = 0
        for piece in json_pieces(model):
            length += len(piece)
            yield piece
        lengths.append(length)
    head = {"lengths": lengths,
            "stories": [{"id": s.id, "article_ids": s.article_ids, "shared_terms": s.shared_terms} for s, _ in briefed]}
    yield b"\n" + json.dumps(head, ensure_ascii=False).encode("utf-8")


def stories_from(value: bytes, elapsed: float) -> tuple[FrontPage, list[tuple[Story, Briefing]]]:
    rest, last = value.rsplit(b"\n", 1)  # JSON written by pydantic holds no raw line break
    head = json.loads(last)
    pieces, at = [], 0
    for length in head["lengths"]:
        pieces.append(rest[at:at + length])
        at += length
    page = FrontPage.model_validate_json(pieces[0])
    page.metadata = as_rerun(page.metadata, elapsed)
    briefed = [(Story(s["id"], s["article_ids"], s["shared_terms"]), briefing_from(piece, elapsed))
               for s, piece in zip(head["stories"], pieces[1:])]
    return page, briefed
