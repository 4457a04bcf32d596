"""Writing a run's results: every file replaced whole or not at all, and never by nothing.

The CLI, `record` and Python callers write through here, so that the rules
hold everywhere: an interrupted write leaves the old file; a run in which
every article failed writes nothing (an empty briefing must not replace
yesterday's good one); files are the user's alone (0600).
"""

from __future__ import annotations

import glob
import json
import os
import stat
import sys
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .articles import Article
from .errors import SummarizerError, UsageError
from .render import FORMATS, render_for_file, render_front_page
from .schemas import Briefing, FrontPage

#: What `--format` may ask for: a renderer's format, or "both" for Markdown and JSON.
BRIEFING_FORMATS = (*FORMATS, "both")


class NothingWritten(SummarizerError):
    """Every article failed: no briefing file was written or replaced."""


class OutputError(UsageError):
    """An output file that cannot be written; the message names it and why."""


STDOUT = Path("-")


def is_stream(path: Path) -> bool:
    """`-`, or a path that is not a regular file to replace: a pipe, a device (/dev/stdout), a socket."""
    if path == STDOUT:
        return True
    try:
        mode = os.stat(path).st_mode  # through symlinks: /dev/stdout -> /proc/self/fd/1 -> a pipe
    except (OSError, ValueError):
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def write_output(path: Path, text: str | Iterable[bytes]) -> None:
    """Write an output (text, or UTF-8 bytes in pieces) where the user pointed: stdout for `-`,
    straight into a pipe or a device, and atomically into a regular file, through a symlink
    rather than over it.

    The rename that makes a file write atomic must never be used on anything
    else: renamed over /dev/stdout as root, it replaced the system's link
    with a regular file.
    """
    if path == STDOUT:
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is None:  # a stdout of text only (some embedding hosts): it encodes for itself
            sys.stdout.write(text if isinstance(text, str) else b"".join(text).decode("utf-8"))
        else:
            sys.stdout.flush()
            _write_to(buffer, text)
            buffer.flush()
        sys.stdout.flush()
        return
    if is_stream(path):
        with open(path, "wb") as stream:  # written through, never replaced
            _write_to(stream, text)
        return
    write_atomically(path.resolve() if path.is_symlink() else path, text)


#: Characters of text encoded at a time: the briefing of 10,000 articles is 44 MB of JSON, and
#: encoding it whole held a second copy of it.
_PIECE = 1 << 20


def _write_to(stream: Any, text: str | Iterable[bytes]) -> None:
    if isinstance(text, str):
        for start in range(0, len(text), _PIECE):
            stream.write(text[start:start + _PIECE].encode("utf-8"))
    else:
        for piece in text:
            stream.write(piece)


def check_writable(paths: list[Path]) -> None:
    """Raise OutputError now, before any model work, for an output that could not be written later.

    A file is made and removed beside each target: that is what the final
    write will need (a folder that exists or can be made, the right to write
    in it). A full disk can still fail the write itself (see write_atomically).
    """
    for path in paths:
        if path.is_dir():
            raise OutputError(f"cannot write {path}: it is a folder")
        if is_stream(path):
            continue  # standard output, a pipe or a device: written into, nothing to rename
        path = path.resolve() if path.is_symlink() else path
        above = next((p for p in path.parents if p.exists()), None)
        if above is not None and not above.is_dir():
            raise OutputError(f"cannot write {path}: {above} is a file, not a folder")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, probe = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp")
            os.close(fd)
            os.unlink(probe)
        except OSError as error:
            raise OutputError(f"cannot write {path}: {error.strerror or error}") from None


def write_atomically(path: Path, text: str | Iterable[bytes]) -> None:
    """Replace `path` only once the new content is complete: an interrupted run leaves the old file.

    The temporary file carries the writer's pid; one left by a writer that
    was killed mid-write is removed by the next write of the same file.
    """
    _remove_stale_parts(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp")
    except OSError as error:
        raise OutputError(f"cannot write {path}: {error.strerror or error}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            _write_to(handle, text)
        os.chmod(tmp, 0o600)  # a briefing quotes the user's sources: theirs alone until they share it
        os.replace(tmp, path)
    except OSError as error:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(
            f"cannot write {path}: {error.strerror or error}; the model's replies are in the cache, "
            "so a rerun writes it without asking again"
        ) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _remove_stale_parts(path: Path) -> None:
    """Remove `.NAME.PID.*.tmp` files beside `path` whose writer is gone."""
    try:
        parts = list(path.parent.glob(f".{glob.escape(path.name)}.*.tmp"))
    except OSError:
        return
    for part in parts:
        pid = part.name[len(path.name) + 2:].split(".", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            part.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: not ours to judge
    return True


def briefing_targets(fmt: str, out: Path | None) -> list[tuple[str, Path]]:
    """(format, file) for each file a briefing is written to: briefing.md, or OUT, or OUT.md and OUT.json."""
    kinds = ["md", "json"] if fmt == "both" else [fmt]
    if out is not None and is_stream(out) and len(kinds) > 1:
        raise OutputError(f"-o {out} takes one format; --format both writes two files")
    targets = []
    for kind in kinds:
        target = out or Path(f"briefing.{kind}")
        if out and len(kinds) > 1:
            target = out.with_suffix(f".{kind}")
        targets.append((kind, target))
    return targets


def check_written(briefing: Briefing) -> Briefing:
    """Raise NothingWritten when no article could be summarised; the other failures come as details."""
    if briefing.articles:
        return briefing
    reasons = [f"{f.article_id}: {f.reason}" for f in briefing.metadata.failures if f.stage == "article"]
    raise NothingWritten(
        f"no article could be summarised; nothing written ({reasons[0] if reasons else 'no reason given'})",
        details=reasons[1:],
    )


def write_briefing(
    briefing: Briefing, articles: Mapping[str, Article], fmt: str = "md", out: Path | None = None
) -> list[Path]:
    """Write the briefing in `fmt` (md, json, html or both); the files written, in order."""
    check_written(briefing)
    written = []
    for kind, target in briefing_targets(fmt, out):
        write_output(target, render_for_file(briefing, kind, dict(articles)))
        written.append(target)
    return written


def write_front_page(
    page: FrontPage,
    briefed: list[tuple[Any, Briefing]],
    articles: Mapping[str, Article],
    fmt: str = "md",
    out: Path | None = None,
) -> list[Path]:
    """A day of many stories: the front page where one briefing would go (briefing.md, or OUT), and
    each story's briefing beside it in a folder (briefing.stories/ID.md), linked from the page."""
    targets = briefing_targets(fmt, out)
    if any(is_stream(target) for _, target in targets):
        raise OutputError(f"{len(briefed)} stories make several files: give -o a file name, not a stream")
    if not any(b.articles for _, b in briefed):
        check_written(briefed[0][1])
    written = []
    for kind, target in targets:
        folder = target.with_name(f"{target.stem}.stories")
        for (story, briefing), entry in zip(briefed, page.stories):
            path = folder / f"{story.id}.{kind}"
            used = {a: articles[a] for a in story.article_ids if a in articles}
            write_output(path, render_for_file(briefing, kind, used))
            written.append(path)
            entry.briefing = f"{folder.name}/{path.name}"
        write_output(target, render_front_page(page, kind))
        written.append(target)
    return written


def write_json(path: Path, data: Any) -> Path:
    write_output(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    return path
