"""The ``word2vec`` command: train word2vec on a corpus streamed from disk, report its speed
and its scores on the evaluation sets, and write the vectors."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from core.data.export import json_number


def evaluation_summary(vectors) -> dict:
    """Analogy accuracy (overall and by section) and the word-pair correlations, for JSON."""
    from core.embeddings.evaluation import evaluate

    evaluation = evaluate(vectors)
    total = evaluation.analogy_total
    return {
        "analogy_accuracy": json_number(total.accuracy),
        "analogy_questions": total.questions,
        "analogy_asked": total.attempted,
        "analogy_oov_share": total.oov_share,
        "analogy_sections": {
            s.section: json_number(s.accuracy) for s in evaluation.analogy_sections
        },
        **{
            f"{p.dataset.lower().replace('-', '')}_spearman": json_number(p.spearman)
            for p in evaluation.pairs
        },
        **{
            f"{p.dataset.lower().replace('-', '')}_oov_share": p.oov_share for p in evaluation.pairs
        },
    }


def save_vectors(vectors, path: Path) -> None:
    """word2vec binary for ``.bin``, word2vec text otherwise (written by gensim, streamed)."""
    vectors.save_word2vec_format(str(path), binary=path.suffix == ".bin")


def run_word2vec(args: argparse.Namespace) -> dict:
    from core.embeddings.word2vec import Word2VecSettings, stream_corpus, train_word2vec

    settings = Word2VecSettings(
        vector_size=args.vector_size,
        window=args.window,
        min_count=args.min_count,
        sg=args.sg,
        negative=args.negative,
        hs=args.hs,
        sample=args.sample,
        epochs=args.epochs,
        workers=args.workers,
        seed=args.seed,
    )
    corpus = stream_corpus(args.corpus, tokens=args.tokens)
    started = time.perf_counter()

    def report(epoch: int, result) -> None:
        loss = result.epoch_losses[-1] if result.epoch_losses else float("nan")
        speed = result.epoch_words[-1] / result.epoch_seconds[-1]
        print(
            f"epoch {epoch}/{settings.epochs}: loss {loss:,.0f}, {speed:,.0f} words/s",
            file=sys.stderr,
        )

    result = train_word2vec(corpus, settings, on_epoch=report, via_file=not args.no_corpus_file)
    summary = {
        "corpus": args.corpus,
        "settings": settings.gensim_kwargs(),
        "vocab_size": result.vocab_size,
        "corpus_words": result.corpus_words,
        "corpus_sentences": result.corpus_sentences,
        "epochs": len(result.epoch_losses),
        "epoch_losses": result.epoch_losses,
        "words_per_second": result.words_per_second,
        "seconds": time.perf_counter() - started,
        "train_seconds": result.train_seconds,
        "vocab_seconds": result.vocab_seconds,
        "corpus_file_mode": not args.no_corpus_file,
    }
    if args.out:
        save_vectors(result.vectors, Path(args.out))
        summary["out"] = str(args.out)
    if not args.no_eval:
        summary["evaluation"] = evaluation_summary(result.vectors)
    return summary


def add_parser(commands) -> None:
    """Add the ``word2vec`` command and its options to the CLI's subparsers."""
    from core.embeddings.word2vec import Word2VecSettings

    defaults = Word2VecSettings()
    w2v = commands.add_parser("word2vec", help="train word2vec on a corpus streamed from disk")
    w2v.add_argument(
        "--corpus", default="lee", help="lee, head500, a text file (.gz too) or a folder of them"
    )
    w2v.add_argument(
        "--tokens",
        choices=["words", "whitespace"],
        default="words",
        help="words: the app's tokenizer, lower-cased (default); whitespace: gensim's LineSentence",
    )
    w2v.add_argument(
        "--sg", type=int, choices=[0, 1], default=defaults.sg, help="1 skip-gram, 0 CBOW"
    )
    w2v.add_argument("--vector-size", type=int, default=defaults.vector_size)
    w2v.add_argument("--window", type=int, default=defaults.window)
    w2v.add_argument("--min-count", type=int, default=defaults.min_count)
    w2v.add_argument("--negative", type=int, default=defaults.negative)
    w2v.add_argument("--hs", type=int, choices=[0, 1], default=defaults.hs)
    w2v.add_argument("--sample", type=float, default=defaults.sample)
    w2v.add_argument("--epochs", type=int, default=defaults.epochs)
    w2v.add_argument("--workers", type=int, default=defaults.workers)
    w2v.add_argument("--seed", type=int, default=defaults.seed)
    w2v.add_argument(
        "--no-corpus-file",
        action="store_true",
        help="feed gensim through a Python iterator every epoch instead of its corpus_file mode "
        "(which reads a file of tokens in C, written to a temporary file first unless --tokens "
        "whitespace names a plain file; faster, but needs the tokens' size on disk)",
    )
    w2v.add_argument("--out", help="write the vectors: word2vec text, or binary for a .bin name")
    w2v.add_argument("--no-eval", action="store_true", help="skip the evaluation sets")
    w2v.add_argument("--json", action="store_true", help="end with one JSON object")
    w2v.set_defaults(run=run_word2vec)
