"""The README's Python snippets, run as a newcomer would paste them (answered from recorded fixtures)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from .conftest import FIXTURES, ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
SNIPPETS = re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL)


def test_the_readme_has_python_snippets():
    assert SNIPPETS


@pytest.mark.parametrize("index", range(len(SNIPPETS)))
def test_a_readme_python_snippet_runs(tmp_path, index):
    env = {**os.environ, "SUMMARIZER_FIXTURES": str(FIXTURES / "seeds"), "SUMMARIZER_FIXTURE_MODE": "replay",
           "SUMMARIZER_CACHE_DIR": str(tmp_path / "cache")}
    result = subprocess.run([sys.executable, "-c", SNIPPETS[index]], capture_output=True, text=True, cwd=ROOT,
                            env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
