"""Shared test helpers. Tests are offline: models answer from recorded fixtures or named fakes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
FIXTURES = ROOT / "fixtures"
SEED_FIXTURES = FIXTURES / "seeds"
SEED_DATE = "2025-10-26"


@pytest.fixture
def gold() -> dict:
    return json.loads((FIXTURES / "seeds.gold.json").read_text(encoding="utf-8"))


@pytest.fixture
def seed_articles(gold):
    """The seeds, each anchored on the publication date the reference annotation estimates."""
    import datetime as dt

    from summarizer.articles import load_articles

    articles = load_articles([SEEDS]).articles
    for article in articles:
        article.published = dt.date.fromisoformat(gold["articles"][article.id]["published_estimate"])
    return articles


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path):
    # No test may reach a real endpoint or the user's cache.
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "SUMMARIZER_MODEL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("SUMMARIZER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("SUMMARIZER_LOGS_DB", str(tmp_path / "logs.db"))
    monkeypatch.setenv("SUMMARIZER_CONFIG", str(tmp_path / "no-config.toml"))  # never the user's own


# The reliability counts (tests/reliability.py): its fixture and hooks are registered from here.
from .reliability import (  # noqa: E402,F401
    pytest_addoption,
    pytest_runtest_logreport,
    pytest_terminal_summary,
    reliability,
)
