"""Embedded datasets: what the lab trains on when nobody brings a file.

Nothing here touches the network: defaults come from files that installed packages ship
(gensim's test corpora, scikit-learn's digits, plotly's stocks) or from ``data/``.
"""

from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from core.errors import DataError

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = PROJECT_ROOT / "data"
YOUTUBE_DIR = DATA_DIR / "youtube-spam"


# Video name -> file of the YouTube Spam Collection (Alberto, Lochter and Almeida, 2015).
YOUTUBE_VIDEOS = {
    "Psy": "Youtube01-Psy.csv",
    "Katy Perry": "Youtube02-KatyPerry.csv",
    "LMFAO": "Youtube03-LMFAO.csv",
    "Eminem": "Youtube04-Eminem.csv",
    "Shakira": "Youtube05-Shakira.csv",
}


# gensim's bundled corpora, by the name shown in the app.
GENSIM_CORPORA = {
    "Lee background (news, 300 docs)": "lee_background.cor",
    "Wikipedia head 500 (250 docs)": "head500.noblanks.cor",
}


def _read_upload_limit_mb(default: int = 200) -> int:
    """``server.maxUploadSize`` from ``.streamlit/config.toml``: the app and the loader share it."""
    try:
        config = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text("utf-8"))
        return int(config["server"]["maxUploadSize"])
    except (OSError, KeyError, ValueError, tomllib.TOMLDecodeError):
        return default


MAX_UPLOAD_MB = _read_upload_limit_mb()
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024


@dataclass(frozen=True)
class LabelledText:
    """Texts with one label each. ``groups`` names where each row came from (a video, say);
    ``skipped`` lists the rows of the source that could not be read, as (line number, reason)."""

    texts: tuple[str, ...]
    labels: tuple[str, ...]
    source: str
    format: str
    groups: tuple[str, ...] | None = None
    warnings: tuple[str, ...] = ()
    skipped: tuple[tuple[int, str], ...] = ()

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def classes(self) -> list[str]:
        return sorted(set(self.labels))

    def class_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for label in self.labels:
            counts[label] = counts.get(label, 0) + 1
        return dict(sorted(counts.items()))


@dataclass(frozen=True)
class Corpus:
    """Plain documents, one per line of the source; ``skipped`` as in :class:`LabelledText`."""

    documents: tuple[str, ...]
    source: str
    format: str
    warnings: tuple[str, ...] = ()
    skipped: tuple[tuple[int, str], ...] = ()

    def __len__(self) -> int:
        return len(self.documents)


def youtube_spam(videos: list[str] | None = None) -> LabelledText:
    """The YouTube Spam Collection shipped in ``data/``: labels ``spam``/``not spam``, grouped by video."""
    chosen = list(YOUTUBE_VIDEOS) if videos is None else videos
    unknown = [v for v in chosen if v not in YOUTUBE_VIDEOS]
    if unknown:
        raise DataError(
            f"Unknown video(s): {', '.join(unknown)}.", f"Pick from {list(YOUTUBE_VIDEOS)}."
        )
    texts: list[str] = []
    labels: list[str] = []
    groups: list[str] = []
    for video in chosen:
        with open(YOUTUBE_DIR / YOUTUBE_VIDEOS[video], encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                # The original release calls the label column CLASS; the copy here calls it label.
                raw = row.get("label", row.get("CLASS", ""))
                texts.append(row["CONTENT"])
                labels.append("spam" if raw.strip() == "1" else "not spam")
                groups.append(video)
    return LabelledText(
        tuple(texts), tuple(labels), "YouTube Spam Collection", "CSV", groups=tuple(groups)
    )


def gensim_datapath(filename: str) -> Path:
    """Path of a file in gensim's bundled ``test_data`` folder (imports gensim, so call lazily)."""
    from gensim.test.utils import datapath

    return Path(datapath(filename))


@cache
def gensim_corpus(name: str) -> Corpus:
    """One of :data:`GENSIM_CORPORA` (by display name or file name), one document per line."""
    filename = GENSIM_CORPORA.get(name, name)
    if filename not in GENSIM_CORPORA.values():
        raise DataError(f"Unknown corpus {name!r}.", f"Pick from {list(GENSIM_CORPORA)}.")
    text = gensim_datapath(filename).read_text(encoding="utf-8", errors="replace")
    docs = tuple(line.strip() for line in text.splitlines() if line.strip())
    return Corpus(docs, f"gensim {filename}", "plain text")


def pang_lee_polarity() -> LabelledText:
    """gensim's 200 movie-review sentences labelled ``pos``/``neg`` (fastText format)."""
    data = gensim_datapath("pang_lee_polarity.cor").read_bytes()
    from core.data.reading import parse_upload  # reading needs this module's limits

    result = parse_upload("pang_lee_polarity.cor", data, want="labelled")
    assert isinstance(result, LabelledText)
    return LabelledText(result.texts, result.labels, "Pang & Lee polarity (gensim)", result.format)


def digits():
    """scikit-learn's 8x8 handwritten digits: ``(images, labels)`` as numpy arrays."""
    from sklearn.datasets import load_digits

    bunch = load_digits()
    return bunch.images, bunch.target


def stocks():
    """plotly's weekly stock prices (2018-2019, 105 weeks), indexed by date, one column per ticker.

    Each series is divided by its value on 2018-01-01, so every ticker starts at 1.0.
    """
    import pandas as pd
    import plotly.data

    frame = plotly.data.stocks()
    frame["date"] = pd.to_datetime(frame["date"])
    return frame.set_index("date")


def lagged_windows(values, window: int = 5):
    """A series -> ``(X, y)``: each row of X holds ``window`` consecutive values, y the next one.

    This is the talk's stock example: the last few prices predict the next one.
    """
    import numpy as np

    series = np.asarray(values, dtype=float)
    if window < 1:
        raise DataError("The window must be at least 1 day.")
    if len(series) <= window:
        raise DataError(
            f"The series has {len(series)} values; a window of {window} needs at least {window + 1}."
        )
    X = np.lib.stride_tricks.sliding_window_view(series[:-1], window)
    return X.copy(), series[window:].copy()
