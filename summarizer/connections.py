"""The HTTP service's own defences against connections that hold it hostage.

uvicorn bounds neither the time a client may take to send its request nor
the number of connections it holds, so a few thousand sockets that send
partial headers slowly (a slowloris) take every file descriptor, and then
every log line, of a service that nobody has logged into. `GuardedH11` holds
each connection to three bounds:

* a request (line, headers and body) must arrive whole within
  `request_seconds` of its first byte, or of the connection being opened;
  otherwise the connection is closed;
* an idle keep-alive connection is closed after uvicorn's
  `timeout_keep_alive`;
* at most `max_connections` are open at once: a new connection first evicts
  the oldest one that is still sending its request or idle, so a client that
  sends a whole request at once (a health check) is always served; when every
  open connection is busy in the application, the newcomer gets a 503.

`QuietLog` keeps what an attacker can make the server log to a trickle.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict

from uvicorn.protocols.http.h11_impl import H11Protocol

#: Seconds a client has to send one whole request, headers and body.
REQUEST_SECONDS = 20.0
#: Connections open at once, by default; kept well under the process's file descriptor limit.
MAX_CONNECTIONS = 512

_BUSY_BODY = b'{"error": "too many open connections"}'
_BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nconnection: close\r\n"
    + f"content-length: {len(_BUSY_BODY)}\r\n\r\n".encode() + _BUSY_BODY
)


def connection_limit(wanted: int | None = None) -> int:
    """The connection cap: `wanted`, or MAX_CONNECTIONS, and always well under the descriptor limit."""
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (ImportError, ValueError, OSError):
        soft = 1024
    # Descriptors are also needed for the cache, the log, the model's connections and the embedded server.
    return max(16, min(wanted or MAX_CONNECTIONS, soft // 2))


class GuardedH11(H11Protocol):
    """uvicorn's h11 protocol, with a deadline on receiving each request and a cap on connections.

    Subclass it per server with its own `max_connections` and `request_seconds`
    (summarizer.service.serve does); `waiting` is then that server's own.
    """

    request_seconds = REQUEST_SECONDS
    max_connections = MAX_CONNECTIONS
    #: Connections still sending a request or idle, oldest first: the ones a newcomer may evict (O(1)).
    waiting: OrderedDict[GuardedH11, None] = OrderedDict()

    def connection_made(self, transport) -> None:  # type: ignore[override]
        self._deadline = None
        super().connection_made(transport)
        if len(self.connections) > self.max_connections and not self._evict_one():
            # Every other connection is in the application: say so, and close.
            transport.write(_BUSY)
            transport.close()
            return
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self._deadline is None and self._between_requests():
            self._arm()  # a kept-alive connection starts its next request: it gets the same bound
        super().data_received(data)
        if self.cycle is not None and not self.cycle.more_body:
            self._disarm()  # the whole request is in; the application has it

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _between_requests(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(self.request_seconds, self._too_slow)
        self.waiting[self] = None

    def _disarm(self) -> None:
        if getattr(self, "_deadline", None) is not None:
            self._deadline.cancel()
            self._deadline = None
        self.waiting.pop(self, None)

    def _too_slow(self) -> None:
        self._deadline = None
        self.waiting.pop(self, None)
        if self._between_requests() or (self.cycle is not None and self.cycle.more_body):
            self.transport.close()

    def _evict_one(self) -> bool:
        """Close the oldest connection still sending its request (or idle); False if there is none."""
        for oldest in self.waiting:
            if oldest is not self:
                oldest._disarm()
                oldest.transport.close()
                self.connections.discard(oldest)  # at once: its connection_lost comes on the next loop turn
                return True
        return False


class QuietLog(logging.Filter):
    """At most `burst` records per `window` seconds through a logger, then one line saying how many were held back."""

    def __init__(self, burst: int = 20, window: float = 60.0) -> None:
        super().__init__()
        self.burst, self.window = burst, window
        self._start, self._count, self._held = 0.0, 0, 0

    def filter(self, record: logging.LogRecord) -> bool:
        now = time.monotonic()
        if now - self._start > self.window:
            if self._held:
                record.msg = f"({self._held} similar log lines held back) {record.getMessage()}"
                record.args = ()
            self._start, self._count, self._held = now, 0, 0
        self._count += 1
        if self._count > self.burst:
            self._held += 1
            return False
        # A traceback per failed accept or bad request is what made the log grow by megabytes.
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True


def quiet_server_logs() -> None:
    """Hold uvicorn's and asyncio's log lines to a trickle (an attacker can trigger one per connection).

    Access lines get a larger allowance: a busy day's requests are worth seeing, a flood is not.
    """
    for name, burst in (("uvicorn.error", 20), ("asyncio", 20), ("uvicorn.access", 600)):
        logger = logging.getLogger(name)
        if not any(isinstance(f, QuietLog) for f in logger.filters):
            logger.addFilter(QuietLog(burst=burst))
