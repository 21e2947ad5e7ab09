"""Pieces of "Show the code": settings written as the calls that make them, and the datasets page's.

Every snippet a page shows runs on its own (``tests/test_snippets.py`` executes each one in a
fresh namespace), so a snippet imports what it uses and loads its own data. The helpers here
keep settings short: :func:`settings_call` writes a frozen dataclass with only the fields that
differ from their defaults, and :func:`import_lines` the imports those calls need.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import MISSING, fields, is_dataclass
from typing import Any

# A pasted text longer than this is read from a file in a snippet instead of written inline.
INLINE_LINES = 30
INLINE_CHARS = 3_000


def _default(field: Any) -> Any:
    if field.default is not MISSING:
        return field.default
    if field.default_factory is not MISSING:
        return field.default_factory()
    return MISSING


def value_code(value: Any, names: set[tuple[str, str]] | None = None) -> str:
    """``value`` as Python source: dataclasses as calls (:func:`settings_call`), tuples, lists
    and dicts item by item, anything else by its ``repr``. ``names`` collects the
    ``(module, class)`` of every dataclass written."""
    if is_dataclass(value) and not isinstance(value, type):
        return settings_call(value, names)
    if isinstance(value, tuple):
        items = [value_code(item, names) for item in value]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    if isinstance(value, list):
        return "[" + ", ".join(value_code(item, names) for item in value) + "]"
    if isinstance(value, dict):
        pairs = (f"{value_code(k, names)}: {value_code(v, names)}" for k, v in value.items())
        return "{" + ", ".join(pairs) + "}"
    return repr(value)


def settings_call(settings: Any, names: set[tuple[str, str]] | None = None) -> str:
    """A dataclass instance as the call that makes it, with only the fields that differ from
    their defaults: ``TextSettings(stemmer='porter')``. Nested dataclasses are written the same
    way; ``names`` (when given) collects each class's ``(module, name)`` for :func:`import_lines`.
    """
    cls = type(settings)
    if names is not None:
        names.add((cls.__module__, cls.__name__))
    arguments = []
    for field in fields(settings):
        if not field.init:
            continue
        value = getattr(settings, field.name)
        if value == _default(field):
            continue
        arguments.append(f"{field.name}={value_code(value, names)}")
    return f"{cls.__name__}({', '.join(arguments)})"


def import_lines(names: set[tuple[str, str]]) -> str:
    """``from module import A, B`` lines for ``(module, name)`` pairs, sorted by module."""
    modules: dict[str, set[str]] = {}
    for module, name in names:
        modules.setdefault(module, set()).add(name)
    return "\n".join(
        f"from {module} import {', '.join(sorted(modules[module]))}" for module in sorted(modules)
    )


def script(imports: Iterable[str | tuple[str, str]], *blocks: str) -> str:
    """A snippet: its imports, then the ``blocks`` of code separated by blank lines.

    ``imports`` are whole lines (``import keras``) or ``(module, name)`` pairs, which are
    merged into one ``from module import …`` line per module. Empty blocks are left out.
    """
    imports = list(imports)
    lines = {line for line in imports if isinstance(line, str) and line}
    pairs = {pair for pair in imports if isinstance(pair, tuple)}
    head = "\n".join([*sorted(lines), *([import_lines(pairs)] if pairs else [])])
    body = "\n\n".join(block.strip("\n") for block in blocks if block.strip())
    return f"{head}\n\n{body}\n" if head else f"{body}\n"


def is_inline(lines: list[str]) -> bool:
    """Whether a snippet may write these lines out in full (else it reads them from a file)."""
    return len(lines) <= INLINE_LINES and sum(len(line) for line in lines) <= INLINE_CHARS


# ---------------------------------------------------------------- the datasets page


def spam_code(video: str) -> str:
    """The YouTube comments, counted by label, and those of one ``video``."""
    return f"""from core.data.datasets import youtube_spam

data = youtube_spam()  # X = a comment's text, Y = spam or not spam
print(data.class_counts())
rows = [(x, y) for x, y, video in zip(data.texts, data.labels, data.groups) if video == {video!r}]
print(len(rows), "comments under the video; the first:", rows[0])
"""


def stocks_code(ticker: str, window: int, start: int) -> str:
    """One ticker's weekly prices as (X, Y) pairs: ``window`` prices, then the next one."""
    return f"""from core.data.datasets import lagged_windows, stocks

prices = stocks()[{ticker!r}].to_numpy()  # weekly, each divided by its value on 2018-01-01
X, y = lagged_windows(prices, {window})  # X = the last {window} prices, Y = the next one
print(len(y), "pairs; pair {start}:", X[{start}], "->", y[{start}])
"""


def digits_code(offset: int) -> str:
    """scikit-learn's digits, and the first image shown."""
    return f"""from core.data.datasets import digits

images, labels = digits()  # X = 8x8 pixel values from 0 to 16, Y = the digit
print(len(labels), "images; image {offset} is a", labels[{offset}])
print(images[{offset}].astype(int))
"""


def corpora_code() -> str:
    """gensim's plain-text corpora and the Pang & Lee sentences."""
    return """from core.data.datasets import GENSIM_CORPORA, gensim_corpus, pang_lee_polarity

for name in GENSIM_CORPORA:  # no Y: the text itself is the data
    corpus = gensim_corpus(name)
    print(name, len(corpus), "documents; the first:", corpus.documents[0][:80])
polarity = pang_lee_polarity()  # X = a sentence, Y = pos or neg
print(len(polarity), "sentences", polarity.class_counts())
"""


def upload_code(file_name: str | None = None) -> str:
    """Reading a file as the upload box does, on a small example written inline."""
    name = file_name or "your_file.csv"
    return f"""from core.data.reading import parse_upload

# Your file: parse_upload({name!r}, open({name!r}, "rb").read()). A small example instead:
rows = ["Check out my channel!,spam", "Love this song,not spam"] * 5  # 10 rows at least
data = "\\n".join(["text,label", *rows]).encode()
parsed = parse_upload("example.csv", data)  # the format is detected; problems raise DataError
print(parsed.format, len(parsed), "rows", parsed.class_counts())
"""
