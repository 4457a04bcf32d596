"""A log of runs, in SQLite, that users can query (`summarizer logs`, or sqlite3 itself).

One row per run of a command that calls a model (`brief`, `article`,
`compare` (one per side), `record`, and each request to the HTTP service): when, which template and model, what it
cost and what it dropped. No article text, prompt or secret is stored.
"""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import platformdirs

from .schemas import RunMetadata

COLUMNS = (
    "started_at", "command", "articles", "failures", "template", "template_hash", "provider", "model",
    "model_calls", "cache_hits", "reasks", "dropped", "prompt_tokens", "completion_tokens",
    "elapsed_seconds", "outputs", "headline",
)


_TYPES = {
    "started_at": "TEXT", "command": "TEXT", "template": "TEXT", "template_hash": "TEXT", "provider": "TEXT",
    "model": "TEXT", "elapsed_seconds": "REAL", "outputs": "TEXT", "headline": "TEXT",
}


def default_log_path() -> Path:
    configured = os.environ.get("SUMMARIZER_LOGS_DB")
    return Path(configured) if configured else Path(platformdirs.user_data_dir("summarizer", appauthor=False)) / "logs.db"


def _connect(path: Path | None) -> sqlite3.Connection:
    path = path or default_log_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TABLE IF NOT EXISTS runs (id INTEGER PRIMARY KEY, "
        + ", ".join(f"{c} {_TYPES.get(c, 'INTEGER')}" for c in COLUMNS)
        + ")"
    )
    return db


def log_run(
    command: str, metadata: RunMetadata, articles: int, outputs: list[str], headline: str = "", path: Path | None = None
) -> None:
    row = {
        "started_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": command,
        "articles": articles,
        "failures": len(metadata.failures),
        "template": metadata.template,
        "template_hash": metadata.template_hash,
        "provider": metadata.provider,
        "model": metadata.model,
        "model_calls": metadata.model_calls,
        "cache_hits": metadata.cache_hits,
        "reasks": metadata.reasks,
        "dropped": metadata.dropped_ungrounded,
        "prompt_tokens": metadata.prompt_tokens,
        "completion_tokens": metadata.completion_tokens,
        "elapsed_seconds": metadata.elapsed_seconds,
        "outputs": json.dumps(outputs),
        "headline": headline,
    }
    with _connect(path) as db:
        db.execute(f"INSERT INTO runs ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})", [row[c] for c in COLUMNS])


def recent_runs(limit: int = 10, path: Path | None = None) -> list[dict[str, Any]]:
    with _connect(path) as db:
        db.row_factory = sqlite3.Row
        rows = db.execute("SELECT * FROM runs ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
    runs = [dict(r) for r in rows]
    for run in runs:  # stored as JSON text; given back as the list it is
        try:
            run["outputs"] = json.loads(run["outputs"] or "[]")
        except ValueError:
            run["outputs"] = []
    return runs
