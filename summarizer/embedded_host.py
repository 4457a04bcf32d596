"""The shared embedded model server: llama-cpp-python's OpenAI-compatible app that exits when idle.

Started by the first run that needs the embedded model (summarizer.embedded,
`SharedServer`), detached from it, and used by every run and service on the
machine after it: one model in memory, one set of threads, instead of a
server per run fighting for the same cores. Nobody has to stop it: once no
request has come for `--idle` seconds it exits, and the next run starts a
fresh one.

    python -m summarizer.embedded_host --model PATH --port PORT [--threads N] [--idle SECONDS]
"""

from __future__ import annotations

import argparse
import threading
import time


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--alias", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--context", type=int, required=True)
    parser.add_argument("--idle", type=float, default=300.0, help="exit after this many seconds without a request")
    args = parser.parse_args(argv)

    import uvicorn
    from llama_cpp.server.app import create_app
    from llama_cpp.server.settings import ModelSettings, ServerSettings

    app = create_app(
        server_settings=ServerSettings(host="127.0.0.1", port=args.port),
        model_settings=[ModelSettings(
            model=args.model, model_alias=args.alias, n_ctx=args.context, n_threads=args.threads,
            n_threads_batch=args.threads, seed=0,
        )],
    )
    activity = {"last": time.monotonic(), "busy": 0}

    @app.middleware("http")
    async def note_activity(request, call_next):
        activity["busy"] += 1
        try:
            return await call_next(request)
        finally:
            activity["busy"] -= 1
            activity["last"] = time.monotonic()

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=args.port, log_level="warning"))

    def exit_when_idle() -> None:
        while not server.should_exit:
            time.sleep(min(5.0, args.idle / 4))
            if activity["busy"] == 0 and time.monotonic() - activity["last"] > args.idle:
                server.should_exit = True

    threading.Thread(target=exit_when_idle, daemon=True).start()
    server.run()


if __name__ == "__main__":
    main()
