"""Where the user's own files live (platformdirs): the settings file and their templates."""

from __future__ import annotations

import os
from pathlib import Path


def config_path() -> Path:
    """The settings file: $SUMMARIZER_CONFIG, or config.toml in the user config folder."""
    import platformdirs

    configured = os.environ.get("SUMMARIZER_CONFIG")
    if configured:
        return Path(configured)
    return Path(platformdirs.user_config_dir("summarizer", appauthor=False)) / "config.toml"


def user_templates() -> Path:
    """The folder of the user's own templates (`summarizer templates new`), beside the settings file."""
    return config_path().parent / "templates"


def embedded_server_dir() -> Path:
    """Where the machine's shared embedded server notes its port (and takes its lock): one folder per user,
    whatever cache folder a run uses, so that every run finds it. $SUMMARIZER_EMBEDDED_DIR moves it."""
    import platformdirs

    configured = os.environ.get("SUMMARIZER_EMBEDDED_DIR")
    if configured:
        return Path(configured)
    return Path(platformdirs.user_cache_dir("summarizer", appauthor=False)) / "embedded-server"
