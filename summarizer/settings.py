"""Which model answers, and how: one `ModelSettings`, built once per run.

Its field defaults are the only defaults: the CLI's options show and use
them, the Python API and the HTTP service start from them. The environment
is read in one place, `ModelSettings.from_env`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

from .errors import UsageError
from .places import config_path
from .retry import RetryPolicy

FixtureMode = Literal["off", "record", "replay"]
StructuredMode = Literal["tools", "json_schema", "json", "md_json"]

#: A remote endpoint when only an API key is given, and the model asked when none is named.
DEFAULT_BASE_URL = "https://api.openai.com/v1"
DEFAULT_REMOTE_MODEL = "gpt-4o-mini"

#: Environment variable -> field. Only `from_env` reads them.
ENVIRONMENT = {
    "SUMMARIZER_MODEL": "model",
    "OPENAI_BASE_URL": "base_url",
    "OPENAI_API_KEY": "api_key",
    "SUMMARIZER_CONTEXT_TOKENS": "context_tokens",
    "SUMMARIZER_RPM": "requests_per_minute",
    # Replay recorded exchanges instead of calling a model (CI, tests of code that calls this library).
    "SUMMARIZER_FIXTURES": "fixtures",
    "SUMMARIZER_FIXTURE_MODE": "fixture_mode",
    # The embedded model's server: "0" gives each run its own, as before the shared one.
    "SUMMARIZER_EMBEDDED_SHARED": "embedded_shared",
    "SUMMARIZER_EMBEDDED_IDLE": "embedded_idle",
}


#: What the settings file may set, and the type each value must have. Flags and the
#: environment take precedence over it; it takes precedence over the defaults.
FILE_KEYS: dict[str, type | tuple[type, ...]] = {
    "model": str, "base_url": str, "mode": str, "template": str, "concurrency": int,
    "timeout": (int, float), "context_tokens": int, "requests_per_minute": (int, float), "max_retries": int,
    "embedded_shared": bool, "embedded_idle": (int, float),
}


class SettingsError(UsageError):
    """Settings that cannot work together; the message is user-facing."""


def read_config(path: Path | None = None) -> dict[str, Any]:
    """The settings file's values (empty when there is none); SettingsError naming a bad key or value."""
    import tomllib

    path = path or config_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise SettingsError(f"{path}: cannot read the settings file ({error})") from None
    for key, value in data.items():
        if key not in FILE_KEYS:
            raise SettingsError(f"{path}: unknown setting {key!r} (known: {', '.join(FILE_KEYS)})")
        if not isinstance(value, FILE_KEYS[key]) or (isinstance(value, bool) and FILE_KEYS[key] is not bool):
            raise SettingsError(f"{path}: {key} = {value!r} is not a {getattr(FILE_KEYS[key], '__name__', 'number')}")
    return data


def sources() -> dict[str, tuple[Any, str]]:
    """Each setting in force and where it came from: a flag is not known here, so default, file or environment."""
    file_values = read_config()
    shown: dict[str, tuple[Any, str]] = {}
    for key in FILE_KEYS:
        if key == "template":
            shown[key] = ("default", "default")
        elif key in ModelSettings.__dataclass_fields__:
            shown[key] = (ModelSettings.default(key), "default")
        if key in file_values:
            shown[key] = (file_values[key], str(config_path()))
    for variable, name in ENVIRONMENT.items():
        if os.environ.get(variable):
            value = "***" if name == "api_key" else os.environ[variable]
            shown[name] = (value, f"${variable}")
    return shown


@dataclass
class ModelSettings:
    """Which model answers, and how. Nothing here is ever written to disk but `model` and `base_url`."""

    model: str | None = None
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    mode: StructuredMode | None = None  # chosen per provider when None
    timeout: float = 600.0  # seconds to wait for one reply before trying again
    max_retries: int = 2  # re-asks after a reply fails validation
    retry: RetryPolicy = field(default_factory=RetryPolicy)  # transient failures: tries and the call's budget
    cache_dir: Path | None = None  # None: the user cache folder (summarizer.cache)
    use_cache: bool = True
    fixtures: Path | None = None
    fixture_mode: FixtureMode = "off"
    constrain_quotes: bool | None = None  # offer article sentences as an enum; default: embedded only
    context_tokens: int | None = None  # the model's context window; longer articles are chunked
    requests_per_minute: float | None = None  # the provider's rate limit, if it sets one
    concurrency: int = 4  # requests in flight at once
    max_calls_per_article: int = 24  # an article needing more calls (chunks) fails before any is sent
    batch: bool = False  # answer model calls through the OpenAI Batch API (summarizer.batch)
    batch_poll: float = 5.0  # with batch: seconds before the first status check
    batch_id: str | None = None  # with batch: collect this batch, submitted earlier, before submitting any
    embedded_shared: bool = True  # the embedded model: one server per machine for every run (False: one per run)
    embedded_idle: float = 300.0  # seconds without a request after which the shared embedded server exits

    #: What a remote model is assumed to hold when nobody says (most current
    #: hosted models hold more; a local Ollama model may hold less: set it).
    DEFAULT_REMOTE_CONTEXT = 32768

    @classmethod
    def from_env(cls, **overrides: Any) -> ModelSettings:
        """Settings from the settings file, then the environment, then `overrides` (None means "not given")."""
        values: dict[str, Any] = {k: v for k, v in read_config().items() if k != "template"}
        for variable, name in ENVIRONMENT.items():
            value = os.environ.get(variable)
            if name in ("context_tokens", "requests_per_minute", "embedded_idle"):
                value = _number(value)
            elif name == "embedded_shared" and value is not None:
                values[name] = value.strip().lower() not in ("0", "false", "no", "off")
                continue
            elif name == "fixtures" and value:
                value = Path(value)
            if value:
                values[name] = value
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    @classmethod
    def default(cls, name: str) -> Any:
        """A field's default, for the CLI's options and their help."""
        for f in fields(cls):
            if f.name == name:
                return f.default_factory() if callable(f.default_factory) else f.default
        raise KeyError(name)

    def check(self) -> ModelSettings:
        """Raise SettingsError for options that cannot work together."""
        if self.fixture_mode != "off" and self.fixtures is None:
            raise SettingsError(f"--fixture-mode {self.fixture_mode} needs --fixtures FOLDER")
        if self.batch and not self.use_cache:
            raise SettingsError("--batch keeps the batch's replies in the cache; it cannot run with --no-cache")
        if self.batch and self.embedded:
            raise SettingsError("--batch needs an endpoint with the Batch API (--base-url or OPENAI_API_KEY)")
        return self

    @property
    def embedded(self) -> bool:
        """Nothing configured means the embedded local model."""
        return not (self.base_url or self.api_key or self.model)

    @property
    def is_openai(self) -> bool:
        return not self.embedded and (not self.base_url or "api.openai.com" in self.base_url)

    @property
    def remote_model(self) -> str:
        return self.model or DEFAULT_REMOTE_MODEL

    @property
    def remote_base_url(self) -> str:
        return (self.base_url or DEFAULT_BASE_URL).rstrip("/")

    def endpoint_identity(self) -> tuple[str, str]:
        """(identity, model) of what answers, without starting anything: replay needs no server.

        The identity names the endpoint in cache keys and run metadata; it
        never holds a loopback port or a secret.
        """
        if self.embedded:
            from .embedded import IDENTITY, MODEL_NAME

            return IDENTITY, MODEL_NAME
        return f"openai-compatible:{self.remote_base_url}", self.remote_model

    def instructor_mode(self) -> str:
        if self.mode:
            return self.mode
        return "tools" if self.is_openai else "json_schema"

    def context_window(self) -> int:
        if self.context_tokens:
            return self.context_tokens
        if self.embedded:
            from .embedded import CONTEXT_TOKENS

            return CONTEXT_TOKENS
        return self.DEFAULT_REMOTE_CONTEXT

    def token_counter(self):
        """Exact counts from the embedded model's own vocabulary; an estimate for any other model."""
        from .tokens import embedded_tokens, estimate_tokens

        return embedded_tokens if self.embedded else estimate_tokens

    def quotes_constrained(self) -> bool:
        return self.embedded if self.constrain_quotes is None else self.constrain_quotes


def _number(value: str | None) -> int | float | None:
    try:
        number = float(value) if value else None
    except ValueError:
        return None
    return int(number) if number is not None and number.is_integer() and "." not in value else number
