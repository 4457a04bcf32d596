"""Cache keys, cache hits, fixtures replay and templates: what makes reruns free and tests offline."""

import asyncio

import pytest

from summarizer.cache import Cached, open_cache
from summarizer.calls import ChatRequest
from summarizer.fakes import FunctionModel
from summarizer.fixtures import FixtureMissing, Recording, Replaying
from summarizer.templates import TemplateError, load_template


def request(text="article text", template_hash="t1", **params):
    return ChatRequest(
        body={"model": "m", "messages": [{"role": "user", "content": text}], "temperature": 0, **params},
        labels={"stage": "article", "article_id": "a1", "template_hash": template_hash},
    )


def test_key_changes_with_everything_that_changes_the_answer():
    base = request().key("e1")
    assert request().key("e1") == base
    assert request(text="other").key("e1") != base
    assert request(template_hash="t2").key("e1") != base
    assert request(max_tokens=10).key("e1") != base
    assert request().key("e2") != base


def test_cache_serves_the_second_call(tmp_path):
    fake = FunctionModel(lambda r: {"answer": 1})
    cached = Cached(fake, open_cache(tmp_path))
    first = asyncio.run(cached.complete(request()))
    second = asyncio.run(cached.complete(request()))
    assert (first.source, second.source) == ("fake", "cache")
    assert len(fake.requests) == 1 and second.data == first.data


def test_a_slow_disk_under_the_cache_does_not_hold_up_the_other_calls(tmp_path, monkeypatch):
    # Each cache write was a sqlite transaction on the event loop: replies of other calls waited on it.
    # With a disk taking 0.2 s a write, 8 replies stored at once must leave the loop free, and each
    # call return only once its reply is on disk.
    import time

    import diskcache

    writes = []
    slow_set = diskcache.Cache.set

    def slow(self, key, value, *args, **kwargs):
        time.sleep(0.2)
        writes.append(key)
        return slow_set(self, key, value, *args, **kwargs)

    monkeypatch.setattr(diskcache.Cache, "set", slow)
    cached = Cached(FunctionModel(lambda r: {"answer": 3}), open_cache(tmp_path))
    gaps = []

    async def main():
        async def ticker():
            last = time.monotonic()
            while True:
                await asyncio.sleep(0.01)
                gaps.append(time.monotonic() - last)
                last = time.monotonic()

        ticking = asyncio.ensure_future(ticker())
        replies = await asyncio.gather(*(cached.complete(request(text=f"article {i}")) for i in range(8)))
        ticking.cancel()
        return replies

    asyncio.run(main())
    assert len(writes) == 8 and max(gaps, default=9.9) < 0.15  # a 0.2 s write on the loop would show here
    # Every call returned after its reply was on disk: a run killed right after still has them.
    assert all(open_cache(tmp_path).get(request(text=f"article {i}").key(cached.identity)) for i in range(8))


def test_record_then_replay_without_the_model(tmp_path):
    fake = FunctionModel(lambda r: {"answer": 2})
    recorded = asyncio.run(Recording(fake, tmp_path).complete(request()))
    (path,) = tmp_path.glob("*.json")
    assert path.name.startswith("article-a1-")
    replay = Replaying(tmp_path, identity=fake.identity, model="m")
    assert asyncio.run(replay.complete(request())).data == recorded.data
    with pytest.raises(FixtureMissing, match="summarizer record"):
        asyncio.run(replay.complete(request(text="never recorded")))


def test_template_hash_tracks_content(tmp_path):
    default = load_template("default")
    copy = tmp_path / "mine"
    copy.mkdir()
    for name, text in default.sources.items():
        (copy / f"{name}.j2").write_text(text, encoding="utf-8")
    assert load_template(copy).hash == default.hash
    (copy / "article.system.j2").write_text("Be brief.", encoding="utf-8")
    assert load_template(copy).hash != default.hash


def test_unknown_template_is_a_clear_error():
    with pytest.raises(TemplateError, match="no template named 'nope'"):
        load_template("nope")


def test_article_text_is_never_evaluated_as_a_template():
    from summarizer.articles import Article

    article = Article(id="x", text="{{ 7 * 7 }} {% for x in y %} {# c #}")
    rendered = load_template().render("article.user", article=article)
    assert "{{ 7 * 7 }} {% for x in y %} {# c #}" in rendered


def test_schemas_on_disk_match_the_models():
    from pathlib import Path

    from summarizer.schemas import json_schemas

    folder = Path(__file__).resolve().parent.parent / "schemas"
    for name, text in json_schemas().items():
        assert (folder / name).read_text(encoding="utf-8") == text, f"{name} drifted: run `summarizer schema`"


def test_what_is_stored_is_redacted_and_nothing_else_is_changed():
    # Redacting skips the pattern where it cannot match (it was 54 us an entry, two entries an article).
    from summarizer.providers import redact_stored

    key, token = "sk-" + "a1B2" * 6, "eyJhbGciOi.J9-" + "x" * 20
    stored = redact_stored(f'{{"auth": "Bearer {token}", "echo": "{key}", "mine": "k-{key}"}}', "secret-value-1")
    assert key not in stored and token not in stored and stored.count("***") == 3
    for text in ("Bearer bonds rose; sk-hynix fell.", "a plain reply, “quoted” 🙂", "", "Bearer " + "y" * 15):
        assert redact_stored(text) == text
    assert redact_stored("said secret-value-1 twice", "secret-value-1") == "said *** twice"
