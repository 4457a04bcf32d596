"""The HTTP service (`summarizer serve`): the same pipeline for other systems, over FastAPI.

    POST /v1/articles/summarize     one article in, its grounded summary out
    POST /v1/briefings              articles in, briefing out (?format=json|md|html)
    POST /v1/briefings?async=true   202 and a job id; GET /v1/jobs/{id} for progress and result
    GET  /v1/templates, /healthz, /openapi.json, /docs

Every route but /healthz needs `Authorization: Bearer <token>`, the token
being $SUMMARIZER_API_TOKEN (compared in constant time), checked before the
body or the route is looked at. Bodies over the size limit get 413, invalid
ones 422 with the field and the reason. Templates are chosen by name among
the built-in ones and those the operator listed (--templates-dir). Jobs are
bounded in number and bytes (429 beyond), and connections in number and in
the time a request may take to arrive (summarizer.connections). The model,
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
import logging
import os
import time
import uuid
import zlib
from collections.abc import Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from fastapi.security import HTTPBearer
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from . import __version__
from .articles import Article
from .calls import ModelCallError
from .errors import SummarizerError, UsageError
from .pipeline import Run
from .render import briefing_data
from .schemas import ArticleSummary, Briefing, FrontPage
from .settings import ModelSettings
from .stories import STORY_THRESHOLD
from .templates import TemplateError, available, load_named, load_template

TOKEN_ENV = "SUMMARIZER_API_TOKEN"
DEFAULT_MAX_BODY = 5 * 1024 * 1024
MAX_SYNC_ARTICLES = 100  # more than this in one request: ask for a job (?async=true)
PROGRESS_SAVE_SECONDS = 2.0  # a running job's record is saved at most this often (and when it ends)


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


class FrontPageIn(BaseModel):
    articles: list[ArticleIn] = Field(min_length=1, max_length=MAX_SYNC_ARTICLES)
    date: dt.date | None = Field(None, description="The day's date; the anchor of articles without one.")
    template: str = "default"
    story_threshold: float = Field(STORY_THRESHOLD, ge=0, le=1, description="How far apart two articles may be and still be one story; lower splits more.")
    since: dict[str, Briefing] | None = Field(
        None, description="An earlier answer's `briefings`: each story then says what changed since, and the front page which stories are new.")


class FrontPageOut(BaseModel):
    front_page: FrontPage
    briefings: dict[str, Briefing] = Field(description="Each story's own briefing, by story id.")


class SummarizeIn(BaseModel):
    article: ArticleIn
    template: str = "default"


class Problem(BaseModel):
    where: str = Field(description="The field, as a dotted path (body.articles.0.text).")
    problem: str


class ErrorOut(BaseModel):
    """Every error the service answers (401, 404, 411, 413, 422, 429, 502, 503) has this shape."""

    error: str = Field(description="One line for a person: what went wrong and, where it helps, what to do.")
    problems: list[Problem] | None = Field(None, description="For 422: every invalid field.")


class JobOut(BaseModel):
    id: str
    status: Literal["queued", "running", "done", "failed"]
    done: int = 0
    total: int = 0
    error: str | None = None
    result: Briefing | None = None


class JobAccepted(BaseModel):
    id: str
    status: Literal["queued"] = "queued"
    url: str = Field(description="Where to poll: GET it for progress, then the result.")


class TemplateOut(BaseModel):
    name: str
    hash: str


class HealthOut(BaseModel):
    status: Literal["ok"] = "ok"
    version: str


#: The error answers every authenticated route may give, documented once.
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "Missing or wrong bearer token."},
    422: {"model": ErrorOut, "description": "Invalid request: the fields and why."},
}
MODEL_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    413: {"model": ErrorOut, "description": "Body over the size limit."},
    502: {"model": ErrorOut, "description": "The model failed for every article (or the article)."},
}


class Jobs:
    """Job records in the cache: they outlive the process.

    A job's request is stored once ('job:<id>:request'), its result once
    ('job:<id>:result'); its record ('job:<id>', status and counts, a few
    hundred bytes) is what changes as articles finish. Writing the whole
    request again after each article made a 500-article job write 2.5 GB.
    """

    def __init__(self, cache: Any) -> None:
        self.cache = cache

    def create(self, job: dict[str, Any], request: dict[str, Any]) -> None:
        job["request_bytes"] = self._put(f"job:{job['id']}:request", request)
        self.save(job)

    def _put(self, key: str, value: Any) -> int:
        # Compressed: a briefing's JSON repeats its quotes and keys, and shrinks about tenfold.
        body = zlib.compress(json.dumps(value, default=str).encode("utf-8"), 6)
        self.cache.set(key, body)
        return len(body)

    def _take(self, key: str) -> Any:
        raw = self.cache.get(key)
        if raw is None:
            return None
        return json.loads(zlib.decompress(raw) if isinstance(raw, bytes) else raw)

    def save(self, job: dict[str, Any]) -> None:
        self.cache.set(f"job:{job['id']}", json.dumps(job, default=str))

    def finish(self, job: dict[str, Any], result: dict[str, Any] | None) -> None:
        if result is not None:
            self._put(f"job:{job['id']}:result", result)
        self.cache.delete(f"job:{job['id']}:request")  # done with: only the result is asked for again
        self.save(job)

    def get(self, job_id: str) -> dict[str, Any] | None:
        raw = self.cache.get(f"job:{job_id}")
        return json.loads(raw) if raw else None

    def request(self, job_id: str) -> dict[str, Any] | None:
        stored = self._take(f"job:{job_id}:request")
        if stored is not None:
            return stored
        # A record written by an earlier version holds its request inline: store it apart from now on.
        inline = (self.get(job_id) or {}).get("request")
        if inline is not None:
            self._put(f"job:{job_id}:request", inline)
        return inline

    def result(self, job_id: str) -> dict[str, Any] | None:
        return self._take(f"job:{job_id}:result") or (self.get(job_id) or {}).get("result")

    def unfinished(self) -> list[dict[str, Any]]:
        found = []
        for key in self.cache.iterkeys():
            if isinstance(key, str) and key.startswith("job:") and key.count(":") == 1:
                job = self.get(key[4:])
                if job and job["status"] in ("queued", "running"):
                    found.append(job)
        return sorted(found, key=lambda j: j.get("created_at", 0))


@dataclass
class Limits:
    """What one service takes on at once; beyond it a caller gets a clear 429 and comes back later."""

    max_body: int = DEFAULT_MAX_BODY
    max_jobs: int = 16  # jobs queued or running
    max_queued_bytes: int = 100 * 1024 * 1024  # their requests together
    running_jobs: int = 2  # jobs that run at once; the others wait their turn


def _logged(command: str, metadata: Any, articles: int, headline: str) -> None:
    """A request in the run log (`summarizer logs`), like a CLI run; its failure costs the log line only."""
    from .runlog import log_run

    try:
        log_run(command, metadata, articles, [], headline)
    except Exception as error:  # a full disk or a locked database must not fail the request
        logging.getLogger(__name__).warning("run not logged (%s)", error)


def bearer_token(header: str) -> str:
    """The credentials of an `Authorization: Bearer ...` header; the scheme is case-insensitive (RFC 9110)."""
    scheme, _, credentials = header.strip().partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" else ""


OPEN_PATHS = {"/healthz"}


def create_app(
    settings: ModelSettings | None = None,
    token: str | None = None,
    max_body: int = DEFAULT_MAX_BODY,
    templates_dirs: Sequence[Path] = (),
    limits: Limits | None = None,
) -> FastAPI:
    settings = settings or ModelSettings.from_env()
    token = token if token is not None else os.environ.get(TOKEN_ENV, "")
    limits = limits or Limits(max_body=max_body)
    state: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        from .cache import open_cache

        # One backend for every request (in batch mode, each job builds its own).
        shared = Run(settings=dataclasses.replace(settings, batch=False))
        state["run"] = shared
        state["jobs"] = Jobs(open_cache(settings.cache_dir))
        state["tasks"] = set()
        state["running"] = asyncio.Semaphore(limits.running_jobs)
        state["live"] = {}  # job id -> the record of a job queued or running in this process
        for job in state["jobs"].unfinished():  # interrupted by a restart: start again
            _start(job)
        try:
            yield
        finally:
            for task in state["tasks"]:
                task.cancel()
            await shared.aclose()

    app = FastAPI(title="summarizer", version=__version__, lifespan=lifespan,
                  description="Grounded daily briefings from news articles. Every route but /healthz needs "
                              "`Authorization: Bearer <token>`; every error is `{\"error\": ..., \"problems\": ...}`.")
    # Declares the bearer scheme in the OpenAPI document (the /docs page's Authorize button, generated
    # clients' auth); the check itself is the middleware's, done before anything else.
    bearer = HTTPBearer(auto_error=False, description="The service's token ($SUMMARIZER_API_TOKEN).")

    @app.middleware("http")
    async def guard(request: Request, call_next):
        # The token is checked before anything else is looked at: the body, the route, the docs.
        if request.url.path not in OPEN_PATHS:
            given = bearer_token(request.headers.get("authorization", ""))
            if not token or not hmac.compare_digest(given.encode(), token.encode()):
                return JSONResponse({"error": "missing or wrong bearer token"}, status_code=401,
                                    headers={"WWW-Authenticate": "Bearer"})
        declared = request.headers.get("content-length")
        if request.method in ("POST", "PUT", "PATCH") and not (declared or "").isdigit():
            # A streamed body of unknown length could not be held to the limit before it is read.
            return JSONResponse({"error": "a request body needs a Content-Length"}, status_code=411)
        if declared and int(declared) > limits.max_body:
            return JSONResponse({"error": f"request body over {limits.max_body} bytes"}, status_code=413)
        return await call_next(request)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError):
        problems = [
            {"where": ".".join(str(p) for p in e.get("loc", ())), "problem": e.get("msg", "")} for e in error.errors()
        ]
        first = problems[0] if problems else {"where": "body", "problem": "invalid"}
        return JSONResponse({"error": f"{first['where']}: {first['problem']}", "problems": problems}, status_code=422)

    @app.exception_handler(SummarizerError)
    async def failed(request: Request, error: SummarizerError):
        # Bad input (a template that does not render) is the caller's to fix; a model failure is upstream's.
        status = 422 if isinstance(error, UsageError) else 502
        return JSONResponse({"error": str(error)}, status_code=status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException):
        # FastAPI's own {"detail": ...} would be a second error shape; there is one, ErrorOut.
        return JSONResponse({"error": str(error.detail)}, status_code=error.status_code,
                            headers=getattr(error, "headers", None))

    @app.exception_handler(RecursionError)
    async def too_deep(request: Request, error: RecursionError):
        return JSONResponse({"error": "body: JSON nested too deeply"}, status_code=422)

    def template_named(name: str):
        try:
            return load_named(name, templates_dirs)
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
        _logged("serve", briefing.metadata, len(briefing.articles), briefing.headline)
        if not briefing.articles:
            reasons = "; ".join(f"{f.article_id}: {f.reason}" for f in briefing.metadata.failures[:3])
            raise HTTPException(502, f"no article could be summarised ({reasons})")
        return briefing, {a.id: a for a in articles}

    def _start(job: dict[str, Any]) -> None:
        state["live"][job["id"]] = job

        async def work() -> None:
            jobs: Jobs = state["jobs"]
            result = None
            try:
                async with state["running"]:
                    request = jobs.request(job["id"])
                    if request is None:
                        raise RuntimeError("the job's request is no longer stored")
                    job.pop("request", None)  # an earlier version's inline copy: not rewritten per article
                    job.update(status="running", done=0)
                    jobs.save(job)

                    saved = time.monotonic()

                    def progress(event: str, article_id: str) -> None:
                        nonlocal saved
                        if event in ("done", "failed"):
                            job["done"] += 1  # callers read it live (state["live"])
                            if time.monotonic() - saved > PROGRESS_SAVE_SECONDS:
                                jobs.save(job)  # for a restart: the small record, every few seconds
                                saved = time.monotonic()

                    briefing, _ = await brief(BriefingIn.model_validate(request), progress)
                    result = briefing_data(briefing)
                    job["status"] = "done"
            except HTTPException as error:
                job.update(status="failed", error=str(error.detail))
            except SummarizerError as error:
                job.update(status="failed", error=str(error))
            except Exception as error:  # a job's failure is its record's, not the service's
                job.update(status="failed", error=f"{type(error).__name__}: {error}")
            job["finished_at"] = time.time()
            jobs.finish(job, result)
            state["live"].pop(job["id"], None)

        task = asyncio.get_running_loop().create_task(work())
        state["tasks"].add(task)
        task.add_done_callback(state["tasks"].discard)

    def admit(size: int) -> None:
        """Refuse a job beyond the queue's bounds, with when to come back."""
        waiting = list(state["live"].values())
        queued_bytes = sum(j.get("request_bytes", 0) for j in waiting)
        if len(waiting) >= limits.max_jobs or queued_bytes + size > limits.max_queued_bytes:
            raise HTTPException(
                429, f"{len(waiting)} jobs ({queued_bytes} bytes) are waiting; the service takes "
                     f"{limits.max_jobs} jobs or {limits.max_queued_bytes} bytes at once: try again later",
                headers={"Retry-After": "60"},
            )

    @app.get("/healthz", response_model=HealthOut, operation_id="health")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    @app.get("/v1/templates", response_model=list[TemplateOut], dependencies=[Depends(bearer)], responses=ERRORS,
             operation_id="list_templates")
    async def templates() -> list[dict[str, str]]:
        return [{"name": name, "hash": load_template(folder).hash} for name, folder in available(templates_dirs, mine=False).items()]

    @app.post("/v1/articles/summarize", response_model=ArticleSummary, dependencies=[Depends(bearer)],
              responses=MODEL_ERRORS, operation_id="summarize_article")
    async def summarize_article(body: SummarizeIn) -> dict[str, Any]:
        batch_only(False)
        run = state["run"].for_template(template_named(body.template))
        started = time.monotonic()
        try:
            summary = await run.summarize(body.article.article(None))
        except ModelCallError as error:
            raise HTTPException(502, str(error)) from None
        _logged("serve", run.metadata(started, [], summary.dropped, {}, max(0, summary.attempts - 1)), 1, summary.title or "")
        return summary.model_dump(mode="json")

    @app.post(
        "/v1/briefings", dependencies=[Depends(bearer)], operation_id="create_briefing",
        responses={
            200: {"model": Briefing, "description": "The briefing, as JSON (or Markdown, or HTML, by ?format).",
                  "content": {"text/markdown": {}, "text/html": {}}},
            202: {"model": JobAccepted, "description": "With ?async=true: the job, to poll."},
            429: {"model": ErrorOut, "description": "Too many jobs waiting; see Retry-After."},
            **MODEL_ERRORS,
        },
    )
    async def briefings(
        body: BriefingIn,
        format: Literal["json", "md", "html"] = Query("json", description="json, md or html"),
        run_async: bool = Query(False, alias="async", description="Return a job id at once; poll /v1/jobs/{id}."),
    ) -> Response:
        from .render import render

        batch_only(run_async)
        template_named(body.template)  # an unknown template is a 422 now, not a failed job later
        if not run_async and len(body.articles) > MAX_SYNC_ARTICLES:
            # A request held open for minutes times out somewhere between caller and service.
            raise HTTPException(422, f"{len(body.articles)} articles: more than {MAX_SYNC_ARTICLES} "
                                     "in one request need ?async=true")
        if run_async:
            request = body.model_dump(mode="json")
            admit(len(json.dumps(request, default=str)))
            job = {"id": uuid.uuid4().hex, "status": "queued", "done": 0, "total": len(body.articles),
                   "created_at": time.time()}
            state["jobs"].create(job, request)
            _start(job)
            return JSONResponse({"id": job["id"], "status": "queued", "url": f"/v1/jobs/{job['id']}"}, status_code=202)
        briefing, articles = await brief(body)
        if format == "md":
            return PlainTextResponse(render(briefing, "md"), media_type="text/markdown")
        if format == "html":
            return HTMLResponse(render(briefing, "html", articles))
        return JSONResponse(briefing_data(briefing))

    @app.post("/v1/front-pages", response_model=FrontPageOut, dependencies=[Depends(bearer)],
              responses=MODEL_ERRORS, operation_id="create_front_page")
    async def front_pages(body: FrontPageIn) -> dict[str, Any]:
        """A day of many stories: the articles grouped into stories, each briefed; with `since`, what changed."""
        from .changes import earlier_run

        batch_only(False)
        run = state["run"].for_template(template_named(body.template))
        earlier = earlier_run(body.since) if body.since else None
        page, briefed = await run.brief_stories([a.article(body.date) for a in body.articles], body.date,
                                                threshold=body.story_threshold, since=earlier)
        _logged("serve", page.metadata, sum(len(b.articles) for _, b in briefed), page.stories[0].headline if page.stories else "")
        if not any(b.articles for _, b in briefed):
            reasons = "; ".join(f"{f.article_id}: {f.reason}" for f in page.metadata.failures[:3])
            raise HTTPException(502, f"no article could be summarised ({reasons})")
        return {"front_page": page.model_dump(mode="json"),
                "briefings": {story.id: b.model_dump(mode="json") for story, b in briefed}}

    @app.get("/v1/jobs/{job_id}", response_model=JobOut, dependencies=[Depends(bearer)], operation_id="get_job",
             responses={**ERRORS, 404: {"model": ErrorOut, "description": "No such job."}})
    async def job_status(job_id: str) -> Response:
        job = state["live"].get(job_id) or state["jobs"].get(job_id)
        if job is None:
            raise HTTPException(404, f"no job {job_id[:40]}")
        shown = {k: job.get(k) for k in JobOut.model_fields}
        if job["status"] == "done":
            shown["result"] = state["jobs"].result(job_id)
        # As stored: the briefing exactly as the JSON format writes it (JobOut documents the shape).
        return JSONResponse(shown)

    return app


def serve(app: FastAPI, host: str, port: int, max_connections: int | None = None,
          request_seconds: float | None = None) -> None:
    """Run the app on uvicorn, with its connections held to the bounds of summarizer.connections."""
    from collections import OrderedDict

    import uvicorn

    from .connections import REQUEST_SECONDS, GuardedH11, connection_limit, quiet_server_logs

    protocol = type("Guarded", (GuardedH11,), {
        "max_connections": connection_limit(max_connections),
        "request_seconds": request_seconds or REQUEST_SECONDS,
        "waiting": OrderedDict(),
    })
    _check_port(host, port)
    quiet_server_logs()
    # log_level info: uvicorn's "running on http://..." line and an access log line per request
    # (method, path, status: never a header, so never the token).
    config = uvicorn.Config(app, host=host, port=port, log_level="info", http=protocol,
                            timeout_keep_alive=5, backlog=2048)
    uvicorn.Server(config).run()


def _check_port(host: str, port: int) -> None:
    """A port already taken is a usage error (exit 2) with one line, found before uvicorn tries."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind((host, port))
        except OSError as error:
            raise UsageError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None


def openapi_document() -> str:
    """The service's OpenAPI document as stable JSON text (exported to schemas/openapi.json)."""
    app = create_app(ModelSettings(), token="for-the-document-only")
    return json.dumps(app.openapi(), indent=2, sort_keys=True) + "\n"
