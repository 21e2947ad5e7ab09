"""Word2vec training speed: ``core.embeddings.word2vec`` against raw gensim, and the cost of the loss.

All three runs train on the same corpus file streamed from disk with the same settings, in the
same process, interleaved and repeated; each figure is the median words per second (corpus words
× epochs ÷ training wall time, vocabulary building excluded for both):

- raw gensim: ``Word2Vec(**settings)``, ``build_vocab(LineSentence(path))``, one ``train`` call;
- core: ``train_word2vec(stream_corpus(path, tokens="whitespace"), settings)``, one ``train``
  call per epoch so it can report and stop between epochs; goal ≥ 0.95 × raw;
- core with ``compute_loss=True`` (the app's default), against core without it.

A fourth line times the app's own streaming tokenizer (``tokens="words"``) for information.
Usage: python benchmarks/word2vec_throughput.py [--corpus head500] [--workers 2] [--repeats 5]
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import statistics
import sys
import time
from pathlib import Path

from core.embeddings.word2vec import (
    Word2VecSettings,
    resolve_corpus_path,
    stream_corpus,
    train_word2vec,
)

GOAL = 0.95


def raw_gensim(path: Path, settings: Word2VecSettings) -> float:
    from gensim.models import Word2Vec
    from gensim.models.word2vec import LineSentence

    corpus = LineSentence(str(path))
    model = Word2Vec(**settings.gensim_kwargs())
    model.build_vocab(corpus)
    start = time.perf_counter()
    _, raw_words = model.train(
        corpus,
        total_examples=model.corpus_count,
        epochs=settings.epochs,
        compute_loss=settings.compute_loss,
    )
    return raw_words / (time.perf_counter() - start)


def ours(path: Path, settings: Word2VecSettings, tokens: str = "whitespace") -> float:
    return train_word2vec(stream_corpus(str(path), tokens=tokens), settings).words_per_second


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", default="head500")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    logging.getLogger("gensim").setLevel(logging.WARNING)
    path = resolve_corpus_path(args.corpus)
    plain = Word2VecSettings(workers=args.workers, epochs=args.epochs, compute_loss=False)
    with_loss = dataclasses.replace(plain, compute_loss=True)

    runs = {
        "raw gensim": lambda: raw_gensim(path, plain),
        "core": lambda: ours(path, plain),
        "core, compute_loss=True": lambda: ours(path, with_loss),
        "core, app tokenizer, loss": lambda: ours(path, with_loss, tokens="words"),
    }
    speeds: dict[str, list[float]] = {name: [] for name in runs}
    runs["raw gensim"]()  # warm up imports and the file cache
    for _ in range(args.repeats):
        for name, run in runs.items():
            speeds[name].append(run())
    median = {name: statistics.median(values) for name, values in speeds.items()}
    print(
        f"corpus {path.name}, {args.workers} workers, {args.epochs} epochs, {args.repeats} repeats"
    )
    for name, value in median.items():
        spread = f"{min(speeds[name]):,.0f}–{max(speeds[name]):,.0f}"
        print(f"{name:<28}{value:>12,.0f} words/s   (range {spread})")
    ratio = median["core"] / median["raw gensim"]
    loss_ratio = median["core, compute_loss=True"] / median["core"]
    print(
        f"core / raw gensim = {ratio:.3f} (goal >= {GOAL}: {'met' if ratio >= GOAL else 'NOT met'})"
    )
    print(f"with loss / without = {loss_ratio:.3f} (speed kept when computing the loss)")
    print(
        f"app tokenizer / whitespace = {median['core, app tokenizer, loss'] / median['core, compute_loss=True']:.3f}"
    )
    return 0 if ratio >= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
