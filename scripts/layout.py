"""Writes docs/LAYOUT.md: every package and module of core/ and pages/ with its first docstring line.

Usage: python scripts/layout.py [--check]. With --check it writes nothing and exits 1 when the file
is out of date (the tests run it that way, so the map stays true).
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "docs" / "LAYOUT.md"
FOLDERS = ("core", "pages")

HEADER = """# Layout

Every package and module of `core/` and `pages/`, with the first line of its docstring.
Written by `python scripts/layout.py`; a test fails when it is out of date.
"""


def first_line(path: Path) -> str:
    """The first line of a module's docstring, or an empty string when it has none."""
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def render() -> str:
    """The whole of docs/LAYOUT.md, one table per folder that holds Python files."""
    parts = [HEADER]
    folders = sorted(
        {p.parent for folder in FOLDERS for p in (ROOT / folder).rglob("*.py")},
        key=lambda p: p.relative_to(ROOT).as_posix(),
    )
    for folder in folders:
        relative = folder.relative_to(ROOT).as_posix()
        init = folder / "__init__.py"
        summary = first_line(init) if init.exists() else ""
        parts.append(f"\n## `{relative}/`\n\n" + (f"{summary}\n\n" if summary else ""))
        parts.append("| module | holds |\n|---|---|\n")
        for module in sorted(folder.glob("*.py")):
            if module.name == "__init__.py":
                continue
            text = first_line(module).replace("|", "\\|")
            parts.append(f"| `{module.name}` | {text} |\n")
    return "".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/LAYOUT.md is stale")
    args = parser.parse_args()
    wanted = render()
    if args.check:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != wanted:
            print("docs/LAYOUT.md is out of date: run python scripts/layout.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
