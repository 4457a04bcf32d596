"""CPU-bound stage work, off the event loop: one worker thread for the whole process.

Reading an article by rules, and merging hundreds of summaries, are tens of
milliseconds to seconds of pure Python. On the event loop they would hold up
the model calls in flight and every other caller of the HTTP service (a
500-article job kept /healthz waiting for seconds). One worker, not a pool:
threads share one GIL, and more of them would only take more turns from the
loop's thread.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")

_worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="summarizer-cpu")


async def off_loop(func: Callable[..., T], *args: object) -> T:
    """`func(*args)` in the worker thread; the loop goes on meanwhile."""
    return await asyncio.get_running_loop().run_in_executor(_worker, functools.partial(func, *args))
