"""Stage 1 of the pipeline: turn files and folders into `Article` objects.

The data model comes first; the loaders follow below it.
"""

from __future__ import annotations

import codecs
import functools
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, computed_field

from . import injection
from .errors import UsageError


class Article(BaseModel):
    """One source article, as read from disk (or passed in by a caller)."""

    id: str = Field(description="Stable id: the file stem, or the record's own id.")
    text: str = Field(description="The article body the quotes are aligned against.")
    title: str | None = None
    source: str | None = Field(default=None, description="Publisher or outlet, if known.")
    url: str | None = None
    published: date | None = Field(
        default=None, description="Publication date; anchors relative dates in the text."
    )
    published_assumed: bool = Field(
        default=False,
        description="True when `published` is the run's --date, given because the article carries no date of its own.",
    )
    path: str | None = Field(default=None, description="Where the article was read from.")
    warnings: list[str] = Field(
        default_factory=list,
        description="Problems met while reading it (replaced bytes, bad front matter...).",
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def text_hash(self) -> str:
        """Content hash: identical texts are summarised once and cached by it."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


# --- loading

SUPPORTED = (".txt", ".md", ".json", ".jsonl", ".html", ".htm")


class ArticleLoadError(UsageError):
    """One-line, user-facing reason; str(e) names the file (and record) and the reason."""

    def __init__(self, path: str, reason: str, where: str = "") -> None:
        self.path, self.reason, self.where = path, reason, where  # where: ":3" or "[2]"
        super().__init__(f"{path}{where}: {reason}")


@dataclass
class LoadResult:
    articles: list[Article] = field(default_factory=list)
    errors: list[ArticleLoadError] = field(default_factory=list)
    duplicates: dict[str, str] = field(default_factory=dict)  # dropped id -> kept id


# UTF-32 goes first: the UTF-32-LE BOM starts with the UTF-16-LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# surrogateescape maps each undecodable byte to one of these, so the count is exact.
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


def _normalise(text: str) -> str:
    # The same article must hash the same whatever editor or platform wrote it.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return re.sub(r"\A(?:[ \t]*\n)+", "", text).rstrip()


def _decode(raw: bytes, warnings: list[str]) -> str:
    codec, body = "utf-8", raw
    for bom, name in _BOMS:
        if raw.startswith(bom):
            codec, body = name, raw[len(bom) :]
            break
    if codec != "utf-8":
        try:
            text = body.decode(codec)
        except UnicodeDecodeError:
            text = body.decode(codec, "replace")
            warnings.append(f"invalid {codec.upper()} data replaced")
    elif b"\0" in raw:  # UTF-16/32 are full of NULs; anything else with one is not prose
        raise ValueError("not a text file (binary content)")
    else:
        text, bad = _ESCAPED_BYTE.subn("\ufffd", body.decode("utf-8", "surrogateescape"))
        if bad:
            warnings.append(f"{bad} invalid UTF-8 byte(s) replaced")
    return _normalise(text)


def _parse_date(value: Any) -> date | None:
    """ISO date or datetime -> date; ValueError for anything else."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        # Keep the publisher's calendar day: it is the day "yesterday" in the text refers to.
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return datetime.fromisoformat(value.strip()).date()
    raise ValueError(value)


def _opt_str(value: Any) -> str | None:
    return None if value is None else (str(value).strip() or None)


Fields = dict[str, Any]


def _fields(
    meta: dict[str, Any], default_id: str, text: str, warnings: list[str], when: Any
) -> Fields:
    """Article fields from loosely typed metadata (YAML, JSON, HTML meta tags)."""
    fields: Fields = {k: _opt_str(meta.get(k)) for k in ("id", "title", "source", "url")}
    fields.update(id=fields["id"] or default_id, text=text, warnings=warnings)
    try:
        fields["published"] = _parse_date(when)
    except ValueError:
        warnings.append(f"unreadable date {when!r} ignored")
    return fields


# --- per-format readers: (stem, decoded text, warnings) -> Article fields, or record errors

Reader = Callable[[str, str, list[str]], Iterator["Fields | ArticleLoadError"]]

_SENTENCE_END = re.compile(r"[.!?:;,…][\"'”’»]?$")


def _read_txt(stem: str, text: str, warnings: list[str]) -> Iterator[Fields]:
    lines = text.split("\n")
    first = lines[0].strip()
    # The title line stays in the text: quote offsets index the file as the
    # user sees it, and a model may quote the headline. Three words at least,
    # so that a section label such as "Key Highlights" is not taken for a title.
    # A headline stands alone above a blank line, without closing punctuation; or, asking a
    # question ("... a breakthrough?"), above a section label such as "Summary".
    following = lines[1].strip() if len(lines) > 1 else ""
    label_below = bool(following) and len(following.split()) <= 3 and not _SENTENCE_END.search(following)
    if (
        sum(1 for line in lines if line.strip()) > 1
        and len(first) <= 200
        and len(first.split()) >= 3
        and (
            (not _SENTENCE_END.search(first) and not following)
            or (first.endswith(("?", "!")) and not _SENTENCE_END.search(first[:-1]) and label_below)
        )
    ):
        yield {"id": stem, "title": first, "text": text, "warnings": warnings}
    else:
        yield {"id": stem, "text": text, "warnings": warnings}


@functools.cache
def _yaml_loader() -> type:
    """PyYAML's SafeLoader, leaving dates as strings and refusing aliases (made on first use: PyYAML
    and python-frontmatter are 20 ms of start-up that a folder without front matter never needs).

    Front matter has no use for `&anchor` / `*alias`, and a few hundred bytes
    of nested aliases expand into gigabytes (a "billion laughs"): one alias,
    and the front matter is set aside with a warning.
    """
    import yaml

    class YAMLLoader(yaml.SafeLoader):
        def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()
                raise yaml.composer.ComposerError(None, None, "uses a YAML alias (*), which front matter does not allow",
                                                  event.start_mark)
            return super().compose_node(parent, index)

    # PyYAML fails the whole mapping on "2025-13-45"; as a string it only costs that one field.
    def as_string(loader: YAMLLoader, node: yaml.Node) -> str:
        return str(loader.construct_scalar(node))  # type: ignore[arg-type]

    YAMLLoader.add_constructor("tag:yaml.org,2002:timestamp", as_string)
    return YAMLLoader


def _front_matter(text: str, warnings: list[str]) -> tuple[dict[str, Any], str]:
    if not text.startswith("---"):  # what the handler's detect() requires first
        return {}, text
    import frontmatter
    import yaml

    handler = frontmatter.YAMLHandler()
    if not handler.detect(text):
        return {}, text
    try:
        fm, body = handler.split(text)
    except ValueError:
        warnings.append("front matter has no closing '---'; kept as text")
        return {}, text
    try:
        meta = yaml.load(fm, Loader=_yaml_loader())
    except yaml.YAMLError as e:
        warnings.append(f"malformed YAML front matter ({getattr(e, 'problem', e)}); kept as text")
        return {}, text
    except RecursionError:
        warnings.append("YAML front matter nested too deeply; kept as text")
        return {}, text
    if meta is not None and not isinstance(meta, dict):
        warnings.append("front matter is not a 'key: value' mapping; kept as text")
        return {}, text
    return meta or {}, body


def _first_heading(body: str) -> str | None:
    in_fence = False
    for line in body.split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence  # "# comment" inside a code block is not a heading
        elif not in_fence and (m := re.match(r"#\s+(.+?)(?:\s+#+)?\s*$", line)):
            return m.group(1)
    return None


def _read_md(stem: str, text: str, warnings: list[str]) -> Iterator[Fields]:
    meta, body = _front_matter(text, warnings)
    fields = _fields(meta, stem, body, warnings, meta.get("published", meta.get("date")))
    fields["title"] = fields["title"] or _first_heading(body)
    yield fields


def _record(rec: Any, default_id: str, warnings: list[str]) -> Fields | str:
    """One JSON record -> Article fields, or the reason it is unusable."""
    if not isinstance(rec, dict):
        return "record is not a JSON object"
    if not isinstance(rec.get("text"), str) or not rec["text"].strip():
        return "record has no 'text'"
    return _fields(rec, default_id, rec["text"], list(warnings), rec.get("published"))


def _read_json(stem: str, text: str, warnings: list[str]) -> Iterator[Fields | ArticleLoadError]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"invalid JSON ({e})") from None
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    if isinstance(data, dict):
        records = [(data, stem, "")]
    elif isinstance(data, list):
        records = [(rec, f"{stem}-{i}", f"[{i}]") for i, rec in enumerate(data)]
    else:
        raise ValueError("expected a JSON object or a list of objects")
    for rec, default_id, where in records:
        got = _record(rec, default_id, warnings)
        yield ArticleLoadError("", got, where) if isinstance(got, str) else got


def _read_jsonl(stem: str, text: str, warnings: list[str]) -> Iterator[Fields | ArticleLoadError]:
    index = 0
    for lineno, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            got = _record(json.loads(line), f"{stem}-{index}", warnings)
        except json.JSONDecodeError as e:
            got = f"invalid JSON ({e.msg}, column {e.colno})"
        except RecursionError:
            got = "JSON nested too deeply"
        index += 1
        yield ArticleLoadError("", got, f":{lineno}") if isinstance(got, str) else got


def _read_html(stem: str, text: str, warnings: list[str]) -> Iterator[Fields]:
    import trafilatura  # heavy (lxml, justext...): only paid for when HTML shows up

    body = trafilatura.extract(
        text, include_comments=False, include_tables=False, favor_precision=True
    )
    if not body or not body.strip():
        raise ValueError("no article text found")
    meta = trafilatura.extract_metadata(text)
    found = {"title": meta.title, "source": meta.sitename, "url": meta.url} if meta else {}
    yield _fields(found, stem, body, warnings, meta.date if meta else None)


_READERS: dict[str, Reader] = {
    ".txt": _read_txt,
    ".md": _read_md,
    ".json": _read_json,
    ".jsonl": _read_jsonl,
    ".html": _read_html,
    ".htm": _read_html,
}


# --- walking and assembling


def _walk(roots: list[Path], errors: list[ArticleLoadError]) -> Iterator[tuple[Path, Path | None]]:
    """Files to read, in a deterministic order, each with its real path (None: a link that loops or
    leads nowhere). Roots are yielded whatever their type."""
    seen_dirs: set[Path] = set()

    def walk_dir(folder: Path) -> Iterator[tuple[Path, Path | None]]:
        real = _real(folder)
        if real is None or real in seen_dirs:  # symlink loop, or a folder reached twice
            return
        seen_dirs.add(real)
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as e:
            errors.append(ArticleLoadError(shown(folder), f"cannot list folder ({e.strerror})"))
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = folder / entry.name
            try:
                is_dir = entry.is_dir()  # through a link, as Path.is_dir
            except OSError:
                is_dir = False
            if is_dir:
                yield from walk_dir(path)
            elif path.suffix.lower() in _READERS:  # stray files in a folder are not errors
                # A plain entry of a resolved folder is already real: resolving each of 10,000
                # files again (a system call per part of the path) took 0.3 s of the start.
                linked = entry.is_symlink()
                yield path, _real(path) if linked else real / entry.name

    for root in roots:
        yield from walk_dir(root) if root.is_dir() else [(root, _real(root))]


def _real(path: Path) -> Path | None:
    """The path with every link followed; None for a link that loops or leads nowhere."""
    try:
        return path.resolve(strict=True)
    except (OSError, RuntimeError):  # RuntimeError: Python before 3.13 reports loops so
        return None


def shown(path: Path | str) -> str:
    """A path as text that can be printed and stored: bytes of a file name that are not
    UTF-8 (kept by Python as lone surrogates) become U+FFFD."""
    return str(path).encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _read_file(path: Path, default_published: date | None) -> Iterator[Article | ArticleLoadError]:
    name, suffix = shown(path), path.suffix.lower()
    try:
        reader = _READERS.get(suffix)
        if reader is None:
            raise ValueError(f"unsupported file type '{suffix}' (expected {', '.join(SUPPORTED)})")
        if not path.is_file():
            raise ValueError("not a regular file")
        warnings: list[str] = []
        text = _decode(path.read_bytes(), warnings)
        if not text:
            raise ValueError("empty article")
        if name != str(path):
            warnings.append("the file name is not valid UTF-8; its id and path show U+FFFD for those bytes")
        for got in reader(shown(path.stem), text, warnings):
            if isinstance(got, ArticleLoadError):
                yield ArticleLoadError(name, got.reason, got.where)
                continue
            got["text"] = _normalise(got["text"])
            if not got["text"]:
                raise ValueError("empty article")
            if not got.get("published") and default_published:
                got["published"], got["published_assumed"] = default_published, True
            got["warnings"] = [*got["warnings"], *injection.describe(got["text"])]
            yield Article(path=name, **got)
    except OSError as e:
        yield ArticleLoadError(name, f"cannot read file ({e.strerror or e})")
    except ValueError as e:
        yield ArticleLoadError(name, str(e))


def load_articles(paths: Sequence[str | Path], default_published: date | None = None) -> LoadResult:
    """Read articles from files and folders; unreadable files land in `errors`."""
    roots = [Path(p) for p in paths]
    for root in roots:  # checked up front: a mistyped path is a usage error, not a bad file
        if not root.exists():
            looping = root.is_symlink() and _real(root) is None
            raise ArticleLoadError(shown(root), "symbolic link loop" if looping else "no such file or directory")

    result = LoadResult()
    kept_by_hash: dict[str, str] = {}
    used_ids: set[str] = set()
    seen_files: set[Path] = set()
    for path, real in _walk(roots, result.errors):
        if real is None:
            result.errors.append(ArticleLoadError(shown(path), "symbolic link loop, or a link to nowhere"))
            continue
        if real in seen_files:  # same file named twice or via a symlink
            continue
        seen_files.add(real)
        for got in _read_file(path, default_published):
            if isinstance(got, ArticleLoadError):
                result.errors.append(got)
            elif got.text_hash in kept_by_hash:
                result.duplicates[got.id] = kept_by_hash[got.text_hash]
            else:
                wanted, n = got.id, 2
                while got.id in used_ids:
                    got.id, n = f"{wanted}-{n}", n + 1
                if got.id != wanted:
                    got.warnings.append(f"id '{wanted}' already used; renamed to '{got.id}'")
                used_ids.add(got.id)
                kept_by_hash[got.text_hash] = got.id
                result.articles.append(got)
    return result
