"""The code's shape, where a user would feel it: every model command takes the same options,
and the defaults a Python caller gets are the CLI's."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from summarizer.cli import MODEL_OPTIONS, app
from summarizer.settings import ModelSettings

MODEL_COMMANDS = ["brief", "article", "compare", "record", "serve"]


def _flags(command: str) -> set[str]:
    import typer

    result = CliRunner().invoke(app, [command, "--help"])
    assert result.exit_code == 0, result.output  # the command's help still renders
    click_command = typer.main.get_command(app).commands[command]  # type: ignore[attr-defined]
    return {flag for param in click_command.params for flag in param.opts if flag.startswith("--")}


@pytest.mark.parametrize("command", MODEL_COMMANDS)
def test_every_command_that_calls_a_model_takes_the_same_model_options(command):
    wanted = {f"--{p.name.replace('_', '-')}" for p in MODEL_OPTIONS}
    assert wanted <= _flags(command)
    # --timeout, --rpm and --call-budget were missing from compare, serve and record once.
    assert {"--timeout", "--rpm", "--call-budget", "--attempts", "--context-tokens"} <= _flags(command)


def test_python_callers_and_the_cli_get_the_same_defaults():
    from summarizer.cli import settings_from_options

    cli_defaults = {p.name: p.default for p in MODEL_OPTIONS if p.name != "verbose"}  # verbose: logging, not a setting
    built = settings_from_options(**cli_defaults)
    assert built == ModelSettings.from_env()
    assert built.retry.max_seconds == ModelSettings().retry.max_seconds == 900.0


# --- the data flows one way: a module imports only from its own layer or the ones below

LAYERS = [
    {"errors", "schemas", "dates", "injection", "lenient", "offload", "places"},  # foundations: nothing of ours below them
    {"align", "articles", "templates"},  # reading text and templates
    {"calls", "providers", "retry", "ratelimit", "cache", "fixtures", "embedded", "embedded_host", "batch", "fakes", "tokens",
     "settings", "backends", "structured", "fillcache"},  # the single model call and the layers around it
    {"choices", "candidates", "merge", "chunks", "grounding", "questions", "prose", "extract", "synthesize", "stories", "changes", "daycache",
     "render", "evaluate", "runlog"},  # the stages
    {"pipeline"},  # the stages in order, over one backend
    {"outputs", "compare", "service", "connections"},  # what drives the pipeline for a caller
    {"cli"},  # parses, calls, prints
]


def _imports() -> dict[str, set[str]]:
    """Each module's imports of sibling modules, function-local ones included (they hide cycles)."""
    import ast
    from pathlib import Path

    package = Path(__file__).resolve().parent.parent / "summarizer"
    modules = {p.stem for p in package.glob("*.py")} - {"__init__", "__main__"}
    graph = {}
    for name in modules:
        found = set()
        for node in ast.walk(ast.parse((package / f"{name}.py").read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                found |= {node.module.split(".")[0]} if node.module else {a.name for a in node.names}
        graph[name] = (found & modules) - {name}
    return graph


def test_every_module_has_a_layer():
    placed = set().union(*LAYERS)
    assert set(_imports()) == placed, "place a new module in LAYERS (and in the README's table)"


def test_no_module_imports_from_a_layer_above_its_own():
    layer = {name: i for i, group in enumerate(LAYERS) for name in group}
    upward = [f"{m} -> {d}" for m, deps in _imports().items() for d in deps if layer[d] > layer[m]]
    assert upward == []


def test_the_import_graph_has_no_cycle():
    from graphlib import CycleError, TopologicalSorter

    try:
        tuple(TopologicalSorter(_imports()).static_order())
    except CycleError as error:
        pytest.fail(f"import cycle: {' -> '.join(error.args[1])}")


def test_every_error_a_user_can_meet_carries_its_exit_code():
    import importlib
    import inspect

    from summarizer.errors import SummarizerError

    others = []
    for name in _imports():
        module = importlib.import_module(f"summarizer.{name}")
        for cls_name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, BaseException) and cls.__module__ == module.__name__:
                if not issubclass(cls, SummarizerError):
                    others.append(cls_name)
    # NotGrounded is raised inside a pydantic validator, which must see a ValueError; it never leaves the re-ask.
    assert others == ["NotGrounded"]


def test_the_readme_says_what_every_module_is_for():
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## How it works", 1)[1].split("\n## ", 1)[0]
    unnamed = sorted(m for m in _imports() if f"`{m}.py`" not in section)
    assert unnamed == []
