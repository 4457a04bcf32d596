import threading

# The HTTP client the first request needs loads beside the CLI (its TLS set-up reads the
# system's certificates, which lets the other thread run): 20-30 ms earlier to the first request.
threading.Thread(target=__import__, args=("aiohttp",), daemon=True, name="summarizer-import").start()

from .cli import main  # noqa: E402

main()
