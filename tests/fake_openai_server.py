"""A FAKE OpenAI-compatible HTTP server for tests: real sockets on 127.0.0.1, scripted replies and faults.

Its replies come from a Python function given by the test, never from a model.
For each request the function returns either the JSON text the "model" says
(a plain 200 answer) or one of the fault steps below, which the server acts
out on the wire: latency, error statuses with or without Retry-After, a reset
connection, a hang past the client's timeout, a body cut short, an empty
choices list, `finish_reason: length`. The server records every request
(body, headers, arrival time, which article it was about) so tests can check
what was sent and how often.
"""

from __future__ import annotations

import json
import re
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# --- what the server can do with one request


@dataclass
class Reply:
    """A 200 answer whose message content is `content` (as a tool call when tools were asked for)."""

    content: str
    finish_reason: str = "stop"
    delay: float = 0.0


@dataclass
class Status:
    """An HTTP error answer, e.g. 429 with Retry-After, or a 5xx."""

    code: int
    retry_after: str | None = None
    message: str = "scripted fault"
    delay: float = 0.0
    error_code: str | None = None  # the error body's "code", e.g. "insufficient_quota"


@dataclass
class Reset:
    """Close the connection with a TCP reset before answering."""


@dataclass
class Hang:
    """Say nothing for `seconds` (past the client's timeout), then close."""

    seconds: float = 30.0


@dataclass
class CutBody:
    """Announce a full JSON body but send only its first half, then close."""


@dataclass
class NoChoices:
    """A 200 answer whose `choices` list is empty."""


@dataclass
class Trickle:
    """A good reply sent a few bytes at a time, `per_second` bytes a second."""

    content: str
    per_second: float = 2.0


@dataclass
class Huge:
    """A 200 of `size` bytes; `declared`: with its Content-Length, else streamed until the connection closes."""

    size: int
    declared: bool = True


@dataclass
class Html:
    """A 200 whose body is an HTML page (a captive portal, a proxy's login form)."""


@dataclass
class EchoHeaders:
    """A good reply that also carries the request's headers, as some gateways' debug modes do."""

    content: str


@dataclass
class Gate:
    """Hold the request until the test calls `server.release()` (or the server stops), then answer."""

    content: str


Step = Reply | Status | Reset | Hang | CutBody | NoChoices | Gate | Trickle | Huge | Html | EchoHeaders
Answer = Callable[[dict[str, Any]], "str | Step"]  # request body -> model's JSON text, or a fault

_ARTICLE_ID = re.compile(r'<article id="([^"]+)">')


def article_of(body: dict[str, Any]) -> str:
    """Which article a request is about ("briefing" for the briefing call)."""
    # The first user message carries the article; a re-ask appends more messages after it.
    text = "\n".join(str(m.get("content") or "") for m in body["messages"] if m.get("role") == "user")
    match = _ARTICLE_ID.search(text)
    return match.group(1) if match else "briefing"


def completion_json(body: dict[str, Any], content: str, finish_reason: str = "stop", choices: bool = True) -> bytes:
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if body.get("tools"):
        name = body["tools"][0]["function"]["name"]
        message = {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": name, "arguments": content}}],
        }
    reply = {
        "id": "fake-1",
        "object": "chat.completion",
        "created": 0,
        "model": body.get("model", "fake"),
        "choices": [{"index": 0, "finish_reason": finish_reason, "message": message}] if choices else [],
        "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18},
    }
    return json.dumps(reply).encode()


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    article: str
    at: float


class FakeOpenAIServer:
    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.requests: list[dict[str, Any]] = []  # {"path", "headers", "body"}: kept for older tests
        self.seen: list[Seen] = []
        self.in_flight = 0
        self.files: dict[str, bytes] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        self.batch_outputs: dict[str, str] = {}
        self.batch_looks = 0
        self.batch_looks_to_finish = 2  # a batch reports in_progress once, then completed
        self.max_in_flight = 0  # the most requests it was answering at once
        self._stopping = threading.Event()
        self._gate = threading.Event()
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as real endpoints do

            def log_message(self, *args: Any) -> None:  # keep test output quiet
                return None

            def send_body(self, code: int, data: bytes, headers: dict[str, str] | None = None) -> None:
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802
                outer._batch_get(self)

            def do_POST(self) -> None:  # noqa: N802
                if self.path.endswith(("/files", "/batches")):
                    outer._batch_post(self)
                    return
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                seen = Seen(self.path, dict(self.headers), body, article_of(body), time.monotonic())
                with outer._lock:
                    outer.seen.append(seen)
                    outer.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                with outer._lock:
                    outer.in_flight += 1
                    outer.max_in_flight = max(outer.max_in_flight, outer.in_flight)
                try:
                    step = outer.answer(body)
                    if isinstance(step, str):
                        step = Reply(step)
                    outer._act(self, body, step)
                finally:
                    with outer._lock:
                        outer.in_flight -= 1

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            block_on_close = False

            def handle_error(self, request: Any, client_address: Any) -> None:
                return None  # resets and cut bodies are on purpose; no tracebacks in test output

        self.server = Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _sleep(self, seconds: float) -> None:
        self._stopping.wait(seconds)

    def _act(self, handler: Any, body: dict[str, Any], step: Step) -> None:
        if isinstance(step, Reply):
            self._sleep(step.delay)
            handler.send_body(200, completion_json(body, step.content, step.finish_reason))
        elif isinstance(step, Status):
            self._sleep(step.delay)
            headers = {"Retry-After": step.retry_after} if step.retry_after is not None else {}
            error = {"error": {"message": step.message, "type": "fault", "code": step.error_code or step.code}}
            handler.send_body(step.code, json.dumps(error).encode(), headers)
        elif isinstance(step, NoChoices):
            handler.send_body(200, completion_json(body, "", choices=False))
        elif isinstance(step, CutBody):
            data = completion_json(body, "{}")
            handler.send_response(200)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data[: len(data) // 2])
            handler.wfile.flush()
            handler.close_connection = True
            handler.connection.shutdown(socket.SHUT_RDWR)
        elif isinstance(step, Reset):
            handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            handler.close_connection = True
            handler.connection.close()
        elif isinstance(step, Hang):
            self._sleep(step.seconds)
            handler.close_connection = True
        elif isinstance(step, Trickle):
            data = completion_json(body, step.content)
            handler.send_response(200)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            for i in range(0, len(data), 2):
                if self._stopping.is_set():
                    break
                try:
                    handler.wfile.write(data[i:i + 2])
                    handler.wfile.flush()
                except OSError:
                    break  # the client gave up, as it should
                self._sleep(2 / step.per_second)
            handler.close_connection = True
        elif isinstance(step, Huge):
            handler.send_response(200)
            handler.send_header("Content-Type", "application/json")
            if step.declared:
                handler.send_header("Content-Length", str(step.size))
            else:
                handler.send_header("Connection", "close")
            handler.end_headers()
            chunk = b" " * 65536
            try:
                for _ in range(step.size // len(chunk)):
                    handler.wfile.write(chunk)
            except OSError:
                pass  # refused part way, as it should be
            handler.close_connection = True
        elif isinstance(step, Html):
            page = b"<!doctype html><html><body><h1>Sign in to continue</h1></body></html>"
            handler.send_response(200)
            handler.send_header("Content-Type", "text/html; charset=utf-8")
            handler.send_header("Content-Length", str(len(page)))
            handler.end_headers()
            handler.wfile.write(page)
        elif isinstance(step, EchoHeaders):
            reply = json.loads(completion_json(body, step.content))
            reply["debug"] = {"request_headers": dict(handler.headers)}
            handler.send_body(200, json.dumps(reply).encode())
        elif isinstance(step, Gate):
            while not (self._gate.is_set() or self._stopping.is_set()):
                self._gate.wait(0.05)
            handler.send_body(200, completion_json(body, step.content))

    # --- a FAKE of the Batch API: files in, a batch that finishes after a few looks, files out

    def _batch_post(self, handler: Any) -> None:
        raw = handler.rfile.read(int(handler.headers["Content-Length"]))
        with self._lock:
            if handler.path.endswith("/files"):
                content = _multipart_file(raw, handler.headers["Content-Type"])
                file_id = f"file-{len(self.files) + 1}"
                self.files[file_id] = content
                reply = {"id": file_id, "object": "file", "bytes": len(content), "created_at": 0,
                         "filename": "requests.jsonl", "purpose": "batch", "status": "processed"}
            else:
                asked = json.loads(raw)
                batch_id = f"batch_{len(self.batches) + 1}"
                self.batches[batch_id] = {"input": asked["input_file_id"], "looks": 0, "output": None}
                reply = self._batch_json(batch_id, "validating")
        handler.send_body(200, json.dumps(reply).encode())

    def _batch_get(self, handler: Any) -> None:
        parts = handler.path.rstrip("/").split("/")
        if "files" in parts:  # /v1/files/{id}/content
            data = self.files.get(parts[-2], b"")
            handler.send_response(200 if parts[-2] in self.files else 404)
            handler.send_header("Content-Type", "application/octet-stream")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
            return
        batch_id = parts[-1]
        if batch_id not in self.batches:
            handler.send_body(404, json.dumps({"error": {"message": f"no batch {batch_id}"}}).encode())
            return
        with self._lock:
            batch = self.batches[batch_id]
            batch["looks"] += 1
            self.batch_looks += 1
            if batch["looks"] >= self.batch_looks_to_finish and batch["output"] is None:
                batch["output"] = self._run_batch(batch_id, batch["input"])
            status = "completed" if batch["output"] else "in_progress"
        handler.send_body(200, json.dumps(self._batch_json(batch_id, status)).encode())

    def _run_batch(self, batch_id: str, input_file: str) -> str:
        lines = []
        for raw in self.files[input_file].decode().splitlines():
            item = json.loads(raw)
            body = item["body"]
            self.seen.append(Seen(item["url"], {}, body, article_of(body), time.monotonic()))
            step = self.answer(body)
            if isinstance(step, str):
                step = Reply(step)
            if isinstance(step, Reply):
                response = {"status_code": 200, "body": json.loads(completion_json(body, step.content, step.finish_reason))}
                lines.append({"id": f"r-{len(lines)}", "custom_id": item["custom_id"], "response": response, "error": None})
            else:
                code = step.code if isinstance(step, Status) else 500
                message = step.message if isinstance(step, Status) else type(step).__name__
                response = {"status_code": code, "body": {"error": {"message": message}}}
                lines.append({"id": f"r-{len(lines)}", "custom_id": item["custom_id"], "response": response, "error": None})
        output_id = f"file-{len(self.files) + 1}"
        self.files[output_id] = ("\n".join(json.dumps(line) for line in lines) + "\n").encode()
        self.batch_outputs[batch_id] = output_id
        return output_id

    def _batch_json(self, batch_id: str, status: str) -> dict[str, Any]:
        batch = self.batches[batch_id]
        total = len(self.files[batch["input"]].decode().splitlines())
        done = total if status == "completed" else 0
        return {
            "id": batch_id, "object": "batch", "endpoint": "/v1/chat/completions", "completion_window": "24h",
            "input_file_id": batch["input"], "status": status, "created_at": 0,
            "output_file_id": batch["output"], "error_file_id": None,
            "request_counts": {"total": total, "completed": done, "failed": 0},
        }

    # --- for tests

    def release(self) -> None:
        self._gate.set()

    def calls_by_article(self) -> Counter[str]:
        return Counter(s.article for s in self.seen)

    def wait_for_requests(self, count: int, timeout: float = 30.0) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if len(self.seen) >= count:
                return True
            time.sleep(0.02)
        return False

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> FakeOpenAIServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stopping.set()
        self.server.shutdown()
        self.server.server_close()


def _multipart_file(raw: bytes, content_type: str) -> bytes:
    """The uploaded file's bytes from a multipart/form-data body."""
    boundary = content_type.split("boundary=")[1].strip('"').encode()
    for part in raw.split(b"--" + boundary):
        if b'name="file"' in part:
            return part.split(b"\r\n\r\n", 1)[1].rsplit(b"\r\n", 1)[0]
    return b""


def scripted_faults(faults: dict[str, list[Step]], good: Answer) -> Answer:
    """An answer function: the listed faults for an article's first requests, then `good` answers.

    `faults` maps an article id (or "briefing", or "*" for every request) to
    the steps its first requests get, in order. A step may be a function of
    the request body, e.g. `lambda body: Reply(good(body), delay=0.3)`.
    """
    counts: Counter[str] = Counter()
    lock = threading.Lock()

    def answer(body: dict[str, Any]) -> str | Step:
        subject = article_of(body)
        with lock:
            n = counts[subject]
            counts[subject] += 1
        steps = faults.get(subject, faults.get("*", []))
        if n < len(steps):
            step = steps[n]
            return step(body) if callable(step) else step  # a callable step builds on the good reply
        return good(body)

    return answer
