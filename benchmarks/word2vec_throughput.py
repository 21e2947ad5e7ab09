"""Word2vec training speed: the command line and ``core.embeddings.word2vec`` against raw gensim.

For skip-gram (``sg=1``) and CBOW (``sg=0``), with the same settings, in the same process,
interleaved and repeated, each figure the median words per second (corpus words × epochs ÷
training wall time, vocabulary building excluded for all):

- raw gensim, as a new user writes it: ``Word2Vec(**settings)``, ``build_vocab(LineSentence)``,
  one ``train`` call on the ``LineSentence`` streamed from disk;
- raw gensim on the corpus held in memory (a list of token lists), and in its ``corpus_file``
  mode (workers reading the file in C), for information;
- core: ``train_word2vec(stream_corpus(path, tokens="whitespace"))``, one ``train`` call per
  epoch through the Python iterator;
- the CLI: ``python -m core word2vec --corpus FILE --sg S --no-eval`` run in this process
  (``core.cli``), as a user runs it: the app's tokenizer, the per-epoch loss, and gensim's
  ``corpus_file`` mode on a tokenized temporary file written during the vocabulary pass.

Goal: CLI ≥ 0.95 × raw gensim (streamed) for both modes. The CLI's end-to-end rate (vocabulary
pass and the temporary file included, against raw gensim's vocabulary pass and training) is
printed too. The last line of output is one JSON object.
Usage: python benchmarks/word2vec_throughput.py [--corpus head500] [--workers 2] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
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


def raw_gensim(path: Path, settings: Word2VecSettings, mode: str = "stream") -> tuple[float, float]:
    """Raw gensim: (training words/s, end-to-end words/s with the vocabulary pass)."""
    from gensim.models import Word2Vec
    from gensim.models.word2vec import LineSentence

    corpus = LineSentence(str(path))
    if mode == "memory":
        corpus = list(corpus)
    began = time.perf_counter()
    model = Word2Vec(**settings.gensim_kwargs())
    if mode == "file":
        model.build_vocab(corpus_file=str(path))
        source = {"corpus_file": str(path), "total_words": model.corpus_total_words}
    else:
        model.build_vocab(corpus)
        source = {"corpus_iterable": corpus, "total_examples": model.corpus_count}
    start = time.perf_counter()
    model.train(**source, epochs=settings.epochs, compute_loss=settings.compute_loss)
    end = time.perf_counter()
    words = model.corpus_total_words * settings.epochs
    return words / (end - start), words / (end - began)


def core_stream(path: Path, settings: Word2VecSettings) -> tuple[float, float]:
    """``core.train_word2vec`` through the Python iterator, gensim's own tokens."""
    result = train_word2vec(stream_corpus(str(path), tokens="whitespace"), settings)
    words = result.corpus_words * len(result.epoch_seconds)
    return words / result.train_seconds, words / (result.train_seconds + result.vocab_seconds)


def cli(path: Path, settings: Word2VecSettings) -> tuple[float, float]:
    """``python -m core word2vec`` with these settings, in this process."""
    from core.cli import build_parser

    argv = ["word2vec", "--corpus", str(path), "--no-eval"]
    for name in ("sg", "workers", "epochs", "vector_size", "window", "min_count", "seed"):
        argv += [f"--{name.replace('_', '-')}", str(getattr(settings, name))]
    args = build_parser().parse_args(argv)
    summary = args.run(args)
    words = summary["corpus_words"] * summary["epochs"]
    return words / summary["train_seconds"], words / summary["seconds"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", default="head500")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--modes", type=int, nargs="+", default=[1, 0], help="sg values")
    args = parser.parse_args()
    logging.getLogger("gensim").setLevel(logging.WARNING)
    path = resolve_corpus_path(args.corpus)
    load_before = os.getloadavg()
    report: dict = {"corpus": path.name, "workers": args.workers, "epochs": args.epochs}
    met = True
    for sg in args.modes:
        plain = Word2VecSettings(
            sg=sg, workers=args.workers, epochs=args.epochs, compute_loss=False
        )
        runs = {
            "raw gensim, LineSentence streamed": lambda s=plain: raw_gensim(path, s),
            "raw gensim, in memory": lambda s=plain: raw_gensim(path, s, "memory"),
            "raw gensim, corpus_file": lambda s=plain: raw_gensim(path, s, "file"),
            "core, iterator": lambda s=plain: core_stream(path, s),
            # The CLI's own settings: the loss computed, as it reports it every epoch.
            "CLI (app tokens, loss)": lambda s=plain: cli(path, s),
        }
        speeds: dict[str, list[tuple[float, float]]] = {name: [] for name in runs}
        runs["raw gensim, LineSentence streamed"]()  # warm up imports and the file cache
        for _ in range(args.repeats):
            for name, run in runs.items():
                speeds[name].append(run())
        median = {n: statistics.median(v[0] for v in values) for n, values in speeds.items()}
        whole = {n: statistics.median(v[1] for v in values) for n, values in speeds.items()}
        raw, cli_name = "raw gensim, LineSentence streamed", "CLI (app tokens, loss)"
        mode = "skip-gram" if sg else "CBOW"
        print(f"{mode}: {path.name}, {args.workers} workers, {args.epochs} epochs")
        for name, value in median.items():
            spread = (
                f"{min(v[0] for v in speeds[name]):,.0f}–{max(v[0] for v in speeds[name]):,.0f}"
            )
            print(f"  {name:<36}{value:>10,.0f} words/s (range {spread}); "
                  f"with vocabulary {whole[name]:>9,.0f}")  # fmt: skip
        ratios = {
            "cli_vs_raw": median[cli_name] / median[raw],
            "cli_vs_raw_in_memory": median[cli_name] / median["raw gensim, in memory"],
            "cli_vs_raw_corpus_file": median[cli_name] / median["raw gensim, corpus_file"],
            "core_iterator_vs_raw": median["core, iterator"] / median[raw],
            "cli_vs_raw_with_vocabulary": whole[cli_name] / whole[raw],
        }
        met &= ratios["cli_vs_raw"] >= GOAL
        for name, value in ratios.items():
            print(f"  {name} = {value:.3f}")
        report[mode] = {"median_words_per_second": median, "with_vocabulary": whole} | ratios
    report["load_average"] = {"before": load_before, "after": os.getloadavg()}
    report["goal_met"] = met
    print(f"CLI / raw gensim >= {GOAL} in every mode: {'met' if met else 'NOT met'}")
    print(json.dumps(report))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
