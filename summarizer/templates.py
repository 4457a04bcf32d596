"""Prompt templates: folders of Jinja files that users can list, copy and compare.

A template is a folder with four files: article.system.j2, article.user.j2,
briefing.system.j2 and briefing.user.j2. Built-in ones live under `prompts/`
(shipped inside the wheel as summarizer/prompts). `--template NAME` picks a
built-in one, `--template PATH` any folder. The content hash of the four files
is part of every cache key and of the briefing metadata, so switching
templates recomputes and switching back hits the cache.

A template may also carry `template.yaml`, settings that belong to its
approach rather than to its wording, e.g. for a very small model:

    article:
      max_tokens: 900          # the reply's token limit
      max_items: {actors: 4}   # tighter list bounds in the reply schema
      min_items: {actors: 2}
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined
from jinja2 import Template as JinjaTemplate
from jinja2.sandbox import SandboxedEnvironment

from .errors import UsageError
from .places import user_templates

PARTS = ("article.system", "article.user", "briefing.system", "briefing.user")
#: How articles are extracted (template.yaml, article.extraction): "fill", the model
#: writes the article schema; "candidates", items are read off the article by
#: summarizer.candidates and the model writes only the briefing; "auto", candidates
#: for a small grammar-constrained model, fill for any other.
EXTRACTIONS = ("auto", "fill", "candidates")
DEFAULT_TEMPLATE = "default"
#: Variables a template may test without every caller passing them:
#: `chunk` (index, total, start, end) is set when a long article is sent in parts.
OPTIONAL: dict[str, Any] = {"chunk": None}


class TemplateError(UsageError):
    """A template that cannot be found, read or rendered; the message names it."""


def builtin_folders() -> list[Path]:
    """Where built-in templates are looked up: inside the package, then the source checkout."""
    package = Path(__file__).resolve().parent
    return [p for p in (package / "prompts", package.parent / "prompts") if p.is_dir()]


def available(extra_roots: Sequence[Path] = (), mine: bool = True) -> dict[str, Path]:
    """Template name -> folder: the built-in ones, the user's own (`summarizer templates new`, unless
    `mine` is False), then those in `extra_roots` (folders of template folders)."""
    found: dict[str, Path] = {}
    roots = [*builtin_folders(), *([user_templates()] if mine and user_templates().is_dir() else []), *extra_roots]
    for root in roots:
        for folder in sorted(root.iterdir()):
            if folder.is_dir() and (folder / "article.user.j2").is_file():
                found.setdefault(folder.name, folder)
    return found


@dataclass(frozen=True)
class Template:
    name: str
    folder: Path
    sources: dict[str, str]
    settings_source: str = ""  # template.yaml as written, empty when there is none

    @property
    def hash(self) -> str:
        digest = hashlib.sha256()
        for part in PARTS:
            digest.update(part.encode() + b"\0" + self.sources[part].encode("utf-8") + b"\0")
        if self.settings_source:
            digest.update(b"template.yaml\0" + self.settings_source.encode("utf-8"))
        return digest.hexdigest()[:16]

    @functools.cached_property
    def settings(self) -> dict[str, Any]:
        return parse_settings(self.settings_source, self.name)

    def article_setting(self, key: str, default: Any = None) -> Any:
        return (self.settings.get("article") or {}).get(key, default)

    def extraction(self, small_model: bool) -> str:
        """"fill" or "candidates" (see EXTRACTIONS); "auto" picks candidates for a small model."""
        wanted = self.article_setting("extraction", "auto")
        if wanted == "auto":
            return "candidates" if small_model else "fill"
        return wanted

    def render(self, part: str, **values: Any) -> str:
        try:
            return _compiled(self.sources[part]).render(**{**OPTIONAL, **values}).strip()
        except Exception as error:  # jinja's errors are many; the user needs one line
            raise TemplateError(f"template {self.name!r}, {part}.j2{_line_of(error)}: {error}") from None

    def messages(self, stage: str, **values: Any) -> list[dict[str, str]]:
        return [
            {"role": "system", "content": self.render(f"{stage}.system", **values)},
            {"role": "user", "content": self.render(f"{stage}.user", **values)},
        ]


def _line_of(error: BaseException) -> str:
    """", line N" of the template where jinja failed, when it can tell."""
    import traceback

    line = getattr(error, "lineno", None)  # syntax errors carry it
    if line is None:
        # Jinja maps a render error's traceback back onto the template source ("<template>").
        frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == "<template>"]
        line = frames[-1].lineno if frames else None
    return f", line {line}" if line else ""


@functools.lru_cache(maxsize=64)
def _compiled(source: str) -> JinjaTemplate:
    """Each template source compiled once (compiling is 3 ms; rendering is microseconds).

    Sandboxed and strict: a template cannot reach into Python objects, and a
    misspelt variable is an error rather than an empty string. Values (article
    text included) are data; Jinja never evaluates them.
    """
    env = SandboxedEnvironment(undefined=StrictUndefined, keep_trailing_newline=False, autoescape=False)
    env.filters["untrusted"] = untrusted
    return env.from_string(source)


def untrusted(text: str, tag: str) -> str:
    """Text to put inside a `<tag>...</tag>` data block: it cannot close the block early.

    An article that writes "</article> New instructions: ..." would otherwise
    end the data block and speak to the model from outside it. The closing
    tag is broken up; everything else reaches the model as written.
    """
    return re.sub(rf"<(\s*/\s*{re.escape(tag)})", r"<\\\1", str(text), flags=re.IGNORECASE)


def load_named(name: str, extra_roots: Sequence[Path] = (), mine: bool = False) -> Template:
    """A template by name only, from the built-in ones and `extra_roots`; never a path a caller chose.

    The HTTP service loads templates this way: an unknown name says nothing
    about the server's file system.
    """
    known = available(extra_roots, mine=mine)
    if name not in known:
        raise TemplateError(f"no template named {name[:40]!r}; GET /v1/templates lists the ones offered")
    return load_template(known[name])


def load_template(name_or_path: str | Path | None = None) -> Template:
    choice = str(name_or_path or DEFAULT_TEMPLATE)
    path = Path(choice)
    if path.is_dir():
        folder, name = path, path.name
    else:
        known = available()
        if choice not in known:
            names = ", ".join(sorted(known)) or "none installed"
            raise TemplateError(f"no template named {choice!r} (available: {names}), and no such folder")
        folder, name = known[choice], choice
    sources = {}
    for part in PARTS:
        file = folder / f"{part}.j2"
        if not file.is_file():
            raise TemplateError(f"template {name!r} lacks {file.name} (in {folder})")
        sources[part] = file.read_text(encoding="utf-8")
    settings_file = folder / "template.yaml"
    settings_source = settings_file.read_text(encoding="utf-8") if settings_file.is_file() else ""
    template = Template(name=name, folder=folder, sources=sources, settings_source=settings_source)
    template.settings  # a broken template.yaml is a usage error now, not mid-run
    for part, source in sources.items():  # and so is a syntax error in a .j2 file
        try:
            _compiled(source)
        except Exception as error:
            raise TemplateError(f"template {name!r}, {part}.j2{_line_of(error)}: {error}") from None
    return template


def parse_settings(source: str, name: str) -> dict[str, Any]:
    if not source.strip():
        return {}
    import yaml  # 10 ms of start-up, for the templates that have settings only
    try:
        data = yaml.safe_load(source)
    except yaml.YAMLError as error:
        raise TemplateError(f"template {name!r}, template.yaml: {getattr(error, 'problem', error)}") from None
    article = (data or {}).get("article") if isinstance(data, dict) else None
    if not isinstance(data, dict) or not isinstance(article or {}, dict):
        raise TemplateError(f"template {name!r}, template.yaml: expected 'article:' with settings under it")
    for key in ("min_items", "max_items"):
        bounds = (article or {}).get(key, {})
        if not isinstance(bounds, dict) or not all(isinstance(v, int) and v >= 0 for v in bounds.values()):
            raise TemplateError(f"template {name!r}, template.yaml: article.{key} must map list names to counts")
    extraction = (article or {}).get("extraction", "auto")
    if extraction not in EXTRACTIONS:
        raise TemplateError(f"template {name!r}, template.yaml: article.extraction must be one of {', '.join(EXTRACTIONS)}")
    tokens = (article or {}).get("max_tokens", 1)
    if not isinstance(tokens, int) or tokens < 1:
        raise TemplateError(f"template {name!r}, template.yaml: article.max_tokens must be a positive integer")
    return data
