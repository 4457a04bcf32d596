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
from collections.abc import Awaitable, Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")

_worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="summarizer-cpu")


async def off_loop(func: Callable[..., T], *args: object) -> T:
    """`func(*args)` in the worker thread; the loop goes on meanwhile."""
    return await asyncio.get_running_loop().run_in_executor(_worker, functools.partial(func, *args))


def ahead(func: Callable[..., T], *args: object) -> Future[T]:
    """`func(*args)` queued for the worker thread now, its result taken later with `fetched`.

    For work the run can do while it waits on one model call, with nothing else to do. (Not
    while many calls are in flight: the worker then holds the GIL for up to 5 ms at a time,
    and the event loop answers each reply late; measured, 2,000 articles took 10% longer.)
    A plain future, not an asyncio task: a run that stops early leaves no task to warn about.
    """
    return _worker.submit(func, *args)


async def fetched(future: Future[T]) -> T:
    return await asyncio.wrap_future(future)


def run_sync(awaitable: Awaitable[T]) -> T:
    """`asyncio.run(awaitable)`, its value handed back beside the main task rather than as its result.

    When asyncio.run (Python 3.11) restores the SIGINT handler it turns the old handler, a
    partial holding the main task, into text, and the task's text holds its result: a
    2,000-article briefing cost 0.6 s of repr() at the end of every run.
    """
    box: list[T] = []

    async def main() -> None:
        box.append(await awaitable)

    asyncio.run(main())
    return box[0]


def _retrieve(task: asyncio.Future) -> None:
    if not task.cancelled():
        task.exception()  # marks it retrieved; whoever awaits the task still gets it


async def within(awaitable: Awaitable[T], seconds: float) -> T:
    """`asyncio.wait_for(awaitable, seconds)`, never leaving a "Task exception was never retrieved".

    When the caller is cancelled just as the awaitable fails (a run stopping at a refused key
    while other calls are in flight), wait_for cancels and waits for its inner task but does not
    read that task's exception, and asyncio prints the traceback at exit, after the one-line
    error. The exception is read here as soon as the task ends.
    """
    task = asyncio.ensure_future(awaitable)
    task.add_done_callback(_retrieve)
    return await asyncio.wait_for(task, seconds)
