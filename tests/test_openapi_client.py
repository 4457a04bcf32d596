"""A client generated from the OpenAPI document (openapi-python-client) works against the real server."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from .conftest import ROOT
from .test_service import TOKEN, recorded, same_briefing, seed_request
from .test_service_limits import Service

GENERATED = Path(__file__).parent / "generated_client"


@pytest.fixture(scope="module")
def client_package():
    sys.path.insert(0, str(GENERATED))
    try:
        import summarizer_client

        yield summarizer_client
    finally:
        sys.path.remove(str(GENERATED))


def test_the_generated_client_is_from_the_current_document():
    from summarizer.service import openapi_document

    current = openapi_document()
    assert (ROOT / "schemas" / "openapi.json").read_text(encoding="utf-8") == current, "run: summarizer schema"
    assert (GENERATED / "openapi.json").read_text(encoding="utf-8") == current, "regenerate: tests/generated_client/README.md"


def test_the_document_declares_its_security_and_one_error_shape():
    import json

    document = json.loads((ROOT / "schemas" / "openapi.json").read_text(encoding="utf-8"))
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    for path, operations in document["paths"].items():
        for operation in operations.values():
            if path != "/healthz":
                assert operation["security"] == [{"HTTPBearer": []}]
            for status, answer in operation["responses"].items():
                if status.startswith(("4", "5")):
                    assert answer["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut"), (path, status)


def test_a_generated_client_round_trips_a_briefing(tmp_path, client_package):
    from summarizer_client import AuthenticatedClient
    from summarizer_client.api.default import create_briefing, get_job, list_templates, summarize_article
    from summarizer_client.models import Briefing, BriefingIn, ErrorOut, JobAccepted, SummarizeIn

    running = Service(tmp_path)
    try:
        client = AuthenticatedClient(base_url=running.url, token=TOKEN, raise_on_unexpected_status=True)
        briefing = create_briefing.sync(client=client, body=BriefingIn.from_dict(seed_request()))
        assert isinstance(briefing, Briefing)
        assert same_briefing(briefing.to_dict(), recorded())
        names = [t.name for t in list_templates.sync(client=client)]
        assert "default" in names
        article = seed_request()["articles"][0]
        summary = summarize_article.sync(client=client, body=SummarizeIn.from_dict({"article": article}))
        assert summary.article_id == article["id"] and summary.actors
        job = create_briefing.sync(client=client, body=BriefingIn.from_dict(seed_request()), async_=True)
        assert isinstance(job, JobAccepted)
        for _ in range(200):
            state = get_job.sync(job.id, client=client)
            if state.status.value in ("done", "failed"):
                break
            time.sleep(0.05)
        assert state.status.value == "done" and same_briefing(state.result.to_dict(), recorded())
        wrong = AuthenticatedClient(base_url=running.url, token="not-the-token")
        refused = list_templates.sync(client=wrong)
        assert isinstance(refused, ErrorOut) and "bearer token" in refused.error
        missing = get_job.sync("no-such-job", client=client)
        assert isinstance(missing, ErrorOut) and "no job" in missing.error
    finally:
        running.stop()
