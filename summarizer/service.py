"""The HTTP service (`summarizer serve`): the same pipeline for other systems, over FastAPI.

    POST /v1/articles/summarize     one article in, its grounded summary out
    POST /v1/briefings              articles in, briefing out (?format=json|md|html)
    POST /v1/briefings?async=true   202 and a job id; GET /v1/jobs/{id} for progress and result
    GET  /v1/templates, /healthz, /openapi.json

Every route but /healthz needs `Authorization: Bearer <token>`, the token
being $SUMMARIZER_API_TOKEN (compared in constant time). Bodies over the size
limit get 413, invalid ones 422 with the field and the reason. The model,
cache and templates are the CLI's: one backend is built at start-up and
shared by all requests (the embedded model's server starts once).

Jobs live in the cache folder, so a restart keeps them: finished ones keep
their result, and jobs that were queued or running are started again at
start-up; the cache makes the articles already done free.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import hmac
import json
import os
import time
import uuid
from contextlib import asynccontextmanager
from typing import Any, Literal

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, Field

from . import __version__
from .articles import Article
from .calls import ModelCallError
from .pipeline import Run
from .settings import ModelSettings
from .templates import TemplateError, available, load_template

TOKEN_ENV = "SUMMARIZER_API_TOKEN"
DEFAULT_MAX_BODY = 5 * 1024 * 1024
MAX_SYNC_ARTICLES = 100  # more than this in one request: ask for a job (?async=true)


class ArticleIn(BaseModel):
    """An article as a caller sends it."""

    id: str = Field(min_length=1, max_length=200, pattern=r"^[^/\\\x00]+$")
    text: str = Field(min_length=1)
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: dt.date | None = None

    def article(self, default: dt.date | None) -> Article:
        # Without its own date an article is anchored on the request's date, and says so
        # (relative days such as "Saturday" are then not resolved against it).
        assumed = self.published is None and default is not None
        return Article(**{
            **self.model_dump(), "published": self.published or default, "published_assumed": assumed,
            "text": self.text.strip(),
        })


class BriefingIn(BaseModel):
    articles: list[ArticleIn] = Field(min_length=1, max_length=5000)
    date: dt.date | None = Field(None, description="Briefing date; the anchor of articles without one.")
    template: str = "default"


class SummarizeIn(BaseModel):
    article: ArticleIn
    template: str = "default"


class JobOut(BaseModel):
    id: str
    status: Literal["queued", "running", "done", "failed"]
    done: int = 0
    total: int = 0
    error: str | None = None
    result: dict[str, Any] | None = None


class Jobs:
    """Job records in the cache (JSON text under 'job:<id>'): they outlive the process."""

    def __init__(self, cache: Any) -> None:
        self.cache = cache

    def save(self, job: dict[str, Any]) -> None:
        self.cache.set(f"job:{job['id']}", json.dumps(job, default=str))

    def get(self, job_id: str) -> dict[str, Any] | None:
        raw = self.cache.get(f"job:{job_id}")
        return json.loads(raw) if raw else None

    def unfinished(self) -> list[dict[str, Any]]:
        found = []
        for key in self.cache.iterkeys():
            if isinstance(key, str) and key.startswith("job:"):
                job = self.get(key[4:])
                if job and job["status"] in ("queued", "running"):
                    found.append(job)
        return found


def create_app(settings: ModelSettings | None = None, token: str | None = None, max_body: int = DEFAULT_MAX_BODY) -> FastAPI:
    settings = settings or ModelSettings.from_env()
    token = token if token is not None else os.environ.get(TOKEN_ENV, "")
    state: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        from .cache import open_cache

        # One backend for every request (in batch mode, each job builds its own).
        shared = Run(settings=dataclasses.replace(settings, batch=False))
        state["run"] = shared
        state["jobs"] = Jobs(open_cache(settings.cache_dir))
        state["tasks"] = set()
        for job in state["jobs"].unfinished():  # interrupted by a restart: start again
            _start(job)
        try:
            yield
        finally:
            for task in state["tasks"]:
                task.cancel()
            await shared.aclose()

    app = FastAPI(title="summarizer", version=__version__, lifespan=lifespan,
                  description="Grounded daily briefings from news articles.")

    def authorised(request: Request) -> None:
        given = request.headers.get("authorization", "")
        expected = f"Bearer {token}"
        if not token or not hmac.compare_digest(given.encode(), expected.encode()):
            raise HTTPException(401, "missing or wrong bearer token", headers={"WWW-Authenticate": "Bearer"})

    @app.middleware("http")
    async def limit_body(request: Request, call_next):
        declared = request.headers.get("content-length")
        if request.method in ("POST", "PUT", "PATCH") and not (declared or "").isdigit():
            # A streamed body of unknown length could not be held to the limit before it is read.
            return JSONResponse({"error": "a request body needs a Content-Length"}, status_code=411)
        if declared and int(declared) > max_body:
            return JSONResponse({"error": f"request body over {max_body} bytes"}, status_code=413)
        return await call_next(request)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError):
        problems = [
            {"where": ".".join(str(p) for p in e.get("loc", ())), "problem": e.get("msg", "")} for e in error.errors()
        ]
        first = problems[0] if problems else {"where": "body", "problem": "invalid"}
        return JSONResponse({"error": f"{first['where']}: {first['problem']}", "problems": problems}, status_code=422)

    def template_named(name: str):
        try:
            return load_template(name)
        except TemplateError as error:
            raise HTTPException(422, str(error)) from None

    def batch_only(run_async: bool) -> None:
        if settings.batch and not run_async:
            # A Batch API answer takes minutes to hours: no request is held open that long.
            raise HTTPException(422, "this service sends model calls through the Batch API; "
                                     "ask for a job with ?async=true")

    async def brief(body: BriefingIn, progress=None):
        template = template_named(body.template)
        articles = [a.article(body.date) for a in body.articles]
        if settings.batch:
            # Each job has its own batches (the cache is shared): one job's rounds never wait on another's.
            async with Run(settings=settings, template=template) as run:
                briefing = await run.brief(articles, body.date, progress)
        else:
            briefing = await state["run"].for_template(template).brief(articles, body.date, progress)
        if not briefing.articles:
            reasons = "; ".join(f"{f.article_id}: {f.reason}" for f in briefing.metadata.failures[:3])
            raise HTTPException(502, f"no article could be summarised ({reasons})")
        return briefing, {a.id: a for a in articles}

    def _start(job: dict[str, Any]) -> None:
        async def work() -> None:
            jobs: Jobs = state["jobs"]
            job["status"] = "running"
            jobs.save(job)

            def progress(event: str, article_id: str) -> None:
                if event in ("done", "failed"):
                    job["done"] += 1
                    jobs.save(job)

            try:
                briefing, _ = await brief(BriefingIn.model_validate(job["request"]), progress)
                job.update(status="done", result=briefing.model_dump(mode="json"))
            except HTTPException as error:
                job.update(status="failed", error=str(error.detail))
            except Exception as error:  # a job's failure is its record's, not the service's
                job.update(status="failed", error=f"{type(error).__name__}: {error}")
            job["finished_at"] = time.time()
            jobs.save(job)

        task = asyncio.get_running_loop().create_task(work())
        state["tasks"].add(task)
        task.add_done_callback(state["tasks"].discard)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    @app.get("/v1/templates", dependencies=[Depends(authorised)])
    async def templates() -> list[dict[str, str]]:
        return [{"name": name, "hash": load_template(name).hash} for name in available()]

    @app.post("/v1/articles/summarize", dependencies=[Depends(authorised)])
    async def summarize_article(body: SummarizeIn) -> dict[str, Any]:
        batch_only(False)
        run = state["run"].for_template(template_named(body.template))
        try:
            summary = await run.summarize(body.article.article(None))
        except ModelCallError as error:
            raise HTTPException(502, str(error)) from None
        return summary.model_dump(mode="json")

    @app.post("/v1/briefings", dependencies=[Depends(authorised)], responses={202: {"model": JobOut}})
    async def briefings(
        body: BriefingIn,
        format: Literal["json", "md", "html"] = Query("json", description="json, md or html"),
        run_async: bool = Query(False, alias="async", description="Return a job id at once; poll /v1/jobs/{id}."),
    ) -> Response:
        from .render import render

        batch_only(run_async)
        if not run_async and len(body.articles) > MAX_SYNC_ARTICLES:
            # A request held open for minutes times out somewhere between caller and service.
            raise HTTPException(422, f"{len(body.articles)} articles: more than {MAX_SYNC_ARTICLES} "
                                     "in one request need ?async=true")
        if run_async:
            job = {"id": uuid.uuid4().hex, "status": "queued", "done": 0, "total": len(body.articles),
                   "request": body.model_dump(mode="json"), "created_at": time.time()}
            state["jobs"].save(job)
            _start(job)
            return JSONResponse({"id": job["id"], "status": "queued", "url": f"/v1/jobs/{job['id']}"}, status_code=202)
        briefing, articles = await brief(body)
        if format == "md":
            return PlainTextResponse(render(briefing, "md"), media_type="text/markdown")
        if format == "html":
            return HTMLResponse(render(briefing, "html", articles))
        return JSONResponse(briefing.model_dump(mode="json"))

    @app.get("/v1/jobs/{job_id}", dependencies=[Depends(authorised)], response_model=JobOut)
    async def job_status(job_id: str) -> dict[str, Any]:
        job = state["jobs"].get(job_id)
        if job is None:
            raise HTTPException(404, f"no job {job_id}")
        return {k: job.get(k) for k in JobOut.model_fields}

    return app
