"""Benchmarks for word vectors, on the test files that ship with gensim (nothing is downloaded).

- **Analogies**: ``questions-words.txt`` (Mikolov et al. 2013), about 19,500 questions
  a : b :: c : d in 14 sections (capitals, currencies, plurals, tenses...). gensim's
  ``evaluate_word_analogies`` answers each by 3CosAdd and counts a hit when the top word is d.
  Questions with a word outside the vocabulary are skipped, so each section reports how many
  it could ask at all.
- **Word pairs**: ``wordsim353.tsv`` (353 pairs, relatedness) and ``simlex999.txt`` (999 pairs,
  similarity proper). Both are tab-separated ``word1<TAB>word2<TAB>score`` with ``#`` comment
  lines at the top, which ``evaluate_word_pairs`` skips. The score is the rank correlation
  (Spearman) between people's ratings and the vectors' cosines over the pairs it could score.

:func:`evaluate` is a pure function of the vectors and the settings, so a page may cache it by
a hash of the vectors (:func:`vectors_fingerprint`). gensim is imported inside the functions.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import logging
import math
import time
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from core.embeddings.similarity import keyed_vectors, model_name

ANALOGY_FILE = "questions-words.txt"
PAIR_FILES: dict[str, str] = {"WordSim-353": "wordsim353.tsv", "SimLex-999": "simlex999.txt"}
PAIR_DELIMITER = "\t"
DEFAULT_RESTRICT_VOCAB = 300_000
TOTAL_SECTION = "Total"


@dataclass(frozen=True)
class AnalogySection:
    """One section of the analogy file: how many questions it has and how they went."""

    section: str
    questions: int  # every question in the file's section
    correct: int
    incorrect: int

    @property
    def attempted(self) -> int:
        return self.correct + self.incorrect

    @property
    def skipped(self) -> int:
        """Questions left out because one of their four words is not in the vocabulary."""
        return self.questions - self.attempted

    @property
    def accuracy(self) -> float:
        """Correct share of the questions asked; NaN when none could be asked."""
        return self.correct / self.attempted if self.attempted else math.nan

    @property
    def oov_share(self) -> float:
        """Share of the section's questions skipped for an unknown word, from 0 to 1."""
        return self.skipped / self.questions if self.questions else 0.0


@dataclass(frozen=True)
class PairScore:
    """Correlation of the vectors' cosines with people's ratings on one word-pair file."""

    dataset: str
    pairs: int  # pairs in the file
    scored: int  # pairs with both words in the vocabulary
    spearman: float  # NaN when fewer than two pairs could be scored
    spearman_p: float
    pearson: float
    pearson_p: float

    @property
    def oov_share(self) -> float:
        """Share of the pairs skipped for an unknown word, from 0 to 1 (gensim says percent)."""
        return (self.pairs - self.scored) / self.pairs if self.pairs else 0.0


@dataclass(frozen=True)
class Evaluation:
    """Every benchmark for one set of vectors. ``analogy`` ends with the total row."""

    name: str
    vocab_size: int
    dimension: int
    restrict_vocab: int
    analogy: tuple[AnalogySection, ...]
    pairs: tuple[PairScore, ...]
    seconds: float

    @property
    def analogy_total(self) -> AnalogySection:
        return self.analogy[-1]

    @property
    def analogy_sections(self) -> tuple[AnalogySection, ...]:
        return self.analogy[:-1]

    def analogy_table(self):
        """Per-section questions, asked, correct, accuracy and OOV share (total row last)."""
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "section": s.section,
                    "questions": s.questions,
                    "asked": s.attempted,
                    "correct": s.correct,
                    "accuracy": s.accuracy,
                    "skipped (OOV)": s.skipped,
                    "OOV share": s.oov_share,
                }
                for s in self.analogy
            ]
        ).set_index("section")

    def pairs_table(self):
        """Spearman and Pearson per word-pair file, with how many pairs could be scored."""
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "dataset": p.dataset,
                    "pairs": p.pairs,
                    "scored": p.scored,
                    "Spearman": p.spearman,
                    "Spearman p-value": p.spearman_p,
                    "Pearson": p.pearson,
                    "Pearson p-value": p.pearson_p,
                    "OOV share": p.oov_share,
                }
                for p in self.pairs
            ]
        ).set_index("dataset")


# ---------------------------------------------------------------- files


def gensim_test_file(name: str) -> Path:
    """The path of one of gensim's bundled test files."""
    from gensim.test.utils import datapath

    return Path(datapath(name))


def count_analogy_questions(path: str | Path) -> dict[str, int]:
    """Questions per section of an analogy file, counted as gensim counts them.

    A line starting ``": "`` opens a section; any other line with exactly four words is a
    question; other lines are skipped as invalid, by gensim and here alike.
    """
    counts: dict[str, int] = {}
    section = None
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if line.startswith(": "):
                section = line.lstrip(": ").strip()
                counts.setdefault(section, 0)
            elif section is not None and len(line.split()) == 4:
                counts[section] += 1
    return counts


@contextlib.contextmanager
def quiet_gensim() -> Iterator[None]:
    """gensim logs every skipped question at INFO; keep it to warnings for the duration."""
    logger = logging.getLogger("gensim")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def _private_view(kv: Any) -> Any:
    """A shallow copy sharing the vector array.

    gensim's evaluations swap ``key_to_index`` on the object while they run; on a copy, a
    page exploring the same vectors at that moment still sees the real vocabulary.
    """
    view = copy.copy(kv)
    view.key_to_index = dict(kv.key_to_index)
    return view


# ---------------------------------------------------------------- benchmarks


def evaluate_analogies(
    vectors: Any,
    path: str | Path | None = None,
    restrict_vocab: int = DEFAULT_RESTRICT_VOCAB,
    case_insensitive: bool = True,
) -> tuple[AnalogySection, ...]:
    """Analogy accuracy per section of ``path`` (gensim's questions-words.txt by default),
    then a total row. Each section knows how many questions it has, so the share skipped
    for an unknown word is exact."""
    path = Path(path) if path is not None else gensim_test_file(ANALOGY_FILE)
    totals = count_analogy_questions(path)
    if sum(totals.values()) == 0:
        raise ValueError(f"{path} holds no analogy questions.")
    kv = _private_view(keyed_vectors(vectors))
    with quiet_gensim():
        _, sections = kv.evaluate_word_analogies(
            str(path), restrict_vocab=restrict_vocab, case_insensitive=case_insensitive
        )
    rows = []
    for found in sections[:-1]:  # the last one is gensim's total
        name = found["section"]
        rows.append(
            AnalogySection(
                section=name,
                questions=totals.get(name, 0),
                correct=len(found["correct"]),
                incorrect=len(found["incorrect"]),
            )
        )
    total = AnalogySection(
        section=TOTAL_SECTION,
        questions=sum(r.questions for r in rows),
        correct=sum(r.correct for r in rows),
        incorrect=sum(r.incorrect for r in rows),
    )
    return (*rows, total)


def count_pairs(path: str | Path, delimiter: str = PAIR_DELIMITER) -> int:
    """Valid ``word1, word2, score`` lines in a pair file, as gensim reads them."""
    n = 0
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if not line or line.startswith("#"):
                continue
            parts = line.split(delimiter)
            if len(parts) != 3:
                continue
            try:
                float(parts[2])
            except ValueError:
                continue
            n += 1
    return n


def evaluate_pairs(
    vectors: Any,
    dataset: str,
    path: str | Path | None = None,
    restrict_vocab: int = DEFAULT_RESTRICT_VOCAB,
    case_insensitive: bool = True,
    delimiter: str = PAIR_DELIMITER,
) -> PairScore:
    """Spearman and Pearson correlation between human ratings and cosines on one pair file.

    ``dataset`` names a file of :data:`PAIR_FILES` (or labels ``path`` when one is given).
    When no pair can be scored gensim raises; this returns NaN correlations instead.
    """
    path = Path(path) if path is not None else gensim_test_file(PAIR_FILES[dataset])
    pairs = count_pairs(path, delimiter)
    kv = _private_view(keyed_vectors(vectors))
    try:
        with quiet_gensim():
            pearson, spearman, oov_percent = kv.evaluate_word_pairs(
                str(path),
                delimiter=delimiter,
                restrict_vocab=restrict_vocab,
                case_insensitive=case_insensitive,
            )
    except ValueError:  # gensim: "No valid similarity judgements found"
        return PairScore(dataset, pairs, 0, math.nan, math.nan, math.nan, math.nan)
    # gensim reports the unknown share in percent; turn it back into a count of pairs.
    scored = pairs - round(oov_percent / 100 * pairs)
    return PairScore(
        dataset=dataset,
        pairs=pairs,
        scored=scored,
        spearman=float(spearman[0]),
        spearman_p=float(spearman[1]),
        pearson=float(pearson[0]),
        pearson_p=float(pearson[1]),
    )


def evaluate(vectors: Any, restrict_vocab: int = DEFAULT_RESTRICT_VOCAB) -> Evaluation:
    """Every benchmark on ``vectors`` (a VectorSet or KeyedVectors): analogies by section,
    then WordSim-353 and SimLex-999. Only the ``restrict_vocab`` most frequent words count."""
    if isinstance(restrict_vocab, bool) or not isinstance(restrict_vocab, int):
        raise ValueError(f"restrict_vocab must be a whole number, got {restrict_vocab!r}.")
    if restrict_vocab < 1:
        raise ValueError(f"restrict_vocab must be at least 1, got {restrict_vocab}.")
    kv = keyed_vectors(vectors)
    started = time.perf_counter()
    analogy = evaluate_analogies(kv, restrict_vocab=restrict_vocab)
    pairs = tuple(evaluate_pairs(kv, name, restrict_vocab=restrict_vocab) for name in PAIR_FILES)
    return Evaluation(
        name=model_name(vectors),
        vocab_size=len(kv),
        dimension=int(kv.vector_size),
        restrict_vocab=restrict_vocab,
        analogy=analogy,
        pairs=pairs,
        seconds=time.perf_counter() - started,
    )


def renamed(evaluation: Evaluation, name: str) -> Evaluation:
    """The same results under another model name (a cached result shown for a new name)."""
    return replace(evaluation, name=name)


def vectors_fingerprint(vectors: Any) -> str:
    """A hash of the words and their vectors: equal vectors give equal fingerprints."""
    kv = keyed_vectors(vectors)
    digest = hashlib.blake2b(digest_size=16)
    digest.update("\n".join(kv.index_to_key).encode("utf-8", errors="surrogatepass"))
    array = np.ascontiguousarray(kv.vectors)
    digest.update(str((array.dtype.str, array.shape)).encode())
    digest.update(array.data)
    return digest.hexdigest()


# ---------------------------------------------------------------- comparing models


def _unique_names(evaluations: Sequence[Evaluation]) -> list[str]:
    names: list[str] = []
    for ev in evaluations:
        name, n = ev.name, 2
        while name in names:
            name = f"{ev.name} ({n})"
            n += 1
        names.append(name)
    return names


def compare(evaluations: Sequence[Evaluation]):
    """Models side by side: one row per benchmark, one column per model.

    Rows are each analogy section's accuracy, the total analogy accuracy, then Spearman on
    each pair file; the ``coverage`` columns say what share of the benchmark's questions or
    pairs the model could answer at all (1 minus the OOV share).
    """
    import pandas as pd

    names = _unique_names(evaluations)
    rows: dict[str, dict[str, float]] = {}
    for name, ev in zip(names, evaluations, strict=True):
        for s in ev.analogy:
            label = f"analogy: {s.section}"
            rows.setdefault(label, {})[f"{name}"] = s.accuracy
            rows[label][f"{name} · coverage"] = 1 - s.oov_share
        for p in ev.pairs:
            label = f"{p.dataset} Spearman"
            rows.setdefault(label, {})[f"{name}"] = p.spearman
            rows[label][f"{name} · coverage"] = 1 - p.oov_share
    columns = [c for name in names for c in (name, f"{name} · coverage")]
    frame = pd.DataFrame.from_dict(rows, orient="index").reindex(columns=columns)
    frame.index.name = "benchmark"
    return frame


def analogy_long(evaluations: Sequence[Evaluation]):
    """Section accuracies in long form (model, section, accuracy, asked, questions) for charts."""
    import pandas as pd

    names = _unique_names(evaluations)
    return pd.DataFrame(
        [
            {
                "model": name,
                "section": s.section,
                "accuracy": s.accuracy,
                "asked": s.attempted,
                "questions": s.questions,
            }
            for name, ev in zip(names, evaluations, strict=True)
            for s in ev.analogy
        ]
    )


def pairs_long(evaluations: Sequence[Evaluation]):
    """Pair-file correlations in long form (model, dataset, Spearman, Pearson, OOV share)."""
    import pandas as pd

    names = _unique_names(evaluations)
    return pd.DataFrame(
        [
            {
                "model": name,
                "dataset": p.dataset,
                "Spearman": p.spearman,
                "Pearson": p.pearson,
                "scored": p.scored,
                "pairs": p.pairs,
                "OOV share": p.oov_share,
            }
            for name, ev in zip(names, evaluations, strict=True)
            for p in ev.pairs
        ]
    )


# ---------------------------------------------------------------- a second model to compare


def quick_cbow_vector_set():
    """The quick Lee model's CBOW twin (same settings and seed, ``sg=0``), for comparisons."""
    from dataclasses import replace as replace_settings

    from core.data.datasets import gensim_corpus
    from core.embeddings.word2vec import QUICK_SETTINGS, corpus_sentences, train_vector_set

    corpus = corpus_sentences(gensim_corpus("lee_background.cor"))
    vector_set, _ = train_vector_set(
        corpus, "lee_background", replace_settings(QUICK_SETTINGS, sg=0)
    )
    return vector_set
