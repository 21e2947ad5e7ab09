"""The map of the code stays true: the layout file, module sizes, docstrings and the README's code."""

import ast
import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT

MAX_LINES = 450
ONE_FILE_REASON = "must be one file"


def python_files(*folders: str):
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py"))


def test_layout_file_lists_every_module_with_its_first_line():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "layout.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_core_keeps_no_module_at_its_top_level_but_the_cli_and_the_error():
    top = {p.name for p in (ROOT / "core").glob("*.py")}
    assert top == {"__init__.py", "__main__.py", "errors.py"}


@pytest.mark.parametrize("path", python_files("core", "pages"), ids=lambda p: p.name)
def test_modules_are_small_or_say_why_not(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    head = "\n".join(lines[:15])
    assert len(lines) <= MAX_LINES or ONE_FILE_REASON in head, f"{path}: {len(lines)} lines"


@pytest.mark.parametrize(
    "path", python_files("core", "pages", "tests", "benchmarks", "scripts"), ids=lambda p: p.name
)
def test_every_module_says_what_it_holds(path):
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    assert doc and doc.strip(), f"{path} has no docstring"


def test_the_readme_python_example_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    assert blocks, "the README shows no Python"
    for block in blocks:
        namespace: dict = {}
        exec(compile(block, "README.md", "exec"), namespace)
    matches = namespace["most_similar"](namespace["bow"], "check out my channel", topn=3)
    assert len(matches) == 3 and all(-1e-9 <= score <= 1 + 1e-9 for _, score in matches)
