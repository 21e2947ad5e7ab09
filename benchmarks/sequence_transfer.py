"""Transfer from word2vec: Embedding-based models started from random or pretrained vectors.

On the YouTube Spam Collection each video is held out in turn, at seeds 0 1 2. The pooled
embedding, the convolution and a recurrent model (``--models``) start their ``Embedding``
from random numbers, from word2vec trained on the fold's training texts (gensim, with the
settings the classifier's word2vec features use), or from word2vec trained on gensim's Lee
background corpus; the pretrained starts are run frozen and fine-tuned. Beside them, through
``core.classifier.repeats`` as the page and the CLI run it: the default bag-of-words network
and the four tuned baselines. Prints each model's MCC as mean ± sd over all runs, then one
JSON line.

The baselines are deterministic, so they run at the first seed only (their sd is that of
the five videos); the bag-of-words network runs at every seed. Sizes are chosen for about
15 minutes on 2 idle cores: 50-dimensional vectors, batches of 64, at most 20 epochs with early
stopping, the sequence length from the data (95th percentile, at most 50). ``--folds N`` and
``--no-baselines`` make a quick run.
Usage: python benchmarks/sequence_transfer.py [--seeds 0 1 2] [--models pooled cnn gru]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import replace

import numpy as np

from core.classifier.baselines import evaluate_network
from core.classifier.features import FeatureSettings, Featurizer
from core.classifier.model import SequenceLayer
from core.classifier.repeats import RepeatResult, group_folds, run_repeats
from core.classifier.report import NETWORK_NAME
from core.classifier.sequence_input import propose_sequence_length
from core.classifier.train import ClassifierSettings, train_classifier
from core.data.datasets import gensim_corpus, youtube_spam
from core.embeddings.word2vec import Word2VecSettings, corpus_sentences, train_word2vec
from core.nn.networks import DenseLayer

DIM = 50
MAX_LENGTH = 50
EPOCHS = 20  # early stopping (patience 3) usually ends sooner
LAYERS = {
    "pooled": SequenceLayer(),
    "cnn": SequenceLayer("cnn", filters=64, kernel_sizes=(3,)),
    "lstm": SequenceLayer("lstm", units=32),
    "gru": SequenceLayer("gru", units=32),
}
# (start, frozen): random rows are always trained; pretrained ones both ways.
STARTS = (("random", False), ("word2vec, training texts", False),
          ("word2vec, training texts", True), ("word2vec, Lee corpus", False),
          ("word2vec, Lee corpus", True))  # fmt: skip


def word2vec_settings(seed: int) -> Word2VecSettings:
    """The classifier's word2vec feature settings, at :data:`DIM` dimensions and ``seed``."""
    return replace(FeatureSettings().word2vec, vector_size=DIM, seed=seed + 1)


def sequence_settings(layer: SequenceLayer, length: int, seed: int) -> ClassifierSettings:
    """The classifier settings of one Embedding-based model."""
    return ClassifierSettings(
        features=FeatureSettings(kind="embedding", sequence_length=length, embedding_dim=DIM),
        hidden=(DenseLayer(32, "relu", dropout=0.5),),
        sequence=layer,
        epochs=EPOCHS,
        batch_size=64,
        patience=3,
        seed=seed,
    )


def mean_sd(values: list[float]) -> dict[str, float]:
    array = np.asarray(values, dtype=float)
    sd = float(array.std(ddof=1)) if len(array) > 1 else 0.0
    return {"mean": float(array.mean()), "sd": sd, "n": len(array)}


def baseline_rows(seed: int, folds) -> dict[str, list[float]]:
    """MCC of the four tuned baselines on every fold, at one seed: they are deterministic, so
    more seeds would repeat the same scores (their sd is that of the held-out videos)."""
    result = RepeatResult(ClassifierSettings(seed=seed), tuple(folds), (seed,))
    record = run_repeats(result, on_run=lambda run, _: print(f"  baselines: {run.fold}"))
    if record.status == "failed":
        raise SystemExit(record.message)
    scores: dict[str, list[float]] = {}
    for run in result.runs:
        for name in run.table.index:
            if name != NETWORK_NAME:
                scores.setdefault(name, []).append(float(run.table.loc[name, "MCC"]))
    return scores


def test_mcc(trained, split) -> float:
    """The network's MCC on the split's test texts, at the 0.5 threshold."""
    return float(evaluate_network(trained, split.test_texts, split.y_test).metrics.mcc)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument(
        "--models", nargs="+", choices=list(LAYERS), default=["pooled", "cnn", "gru"]
    )
    parser.add_argument("--folds", type=int, help="only the first N held-out videos (quick runs)")
    parser.add_argument("--no-baselines", action="store_true", help="skip the tuned baselines")
    args = parser.parse_args()
    load_start = os.getloadavg()
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in load_start)}", flush=True)
    started = time.perf_counter()
    folds = group_folds(youtube_spam())[: args.folds]
    seeds = tuple(args.seeds)
    scores = {} if args.no_baselines else baseline_rows(seeds[0], folds)
    lee = corpus_sentences(gensim_corpus("lee_background.cor"))
    for seed in seeds:
        lee_vectors = train_word2vec(lee, word2vec_settings(seed)).vectors
        for fold in folds:
            split = fold.split
            length = propose_sequence_length(split.train_texts, cap=MAX_LENGTH).length
            probe = sequence_settings(LAYERS["pooled"], length, seed).features
            tokens = [Featurizer(probe, []).tokens(text) for text in split.train_texts]
            own = train_word2vec([t for t in tokens if t], word2vec_settings(seed)).vectors
            bow = train_classifier(split, ClassifierSettings(seed=seed))
            scores.setdefault("bag-of-words network", []).append(test_mcc(bow, split))
            vectors = {"random": None, "word2vec, training texts": own,
                       "word2vec, Lee corpus": lee_vectors}  # fmt: skip
            for model in args.models:
                for start, frozen in STARTS:
                    layer = replace(LAYERS[model], freeze_embedding=frozen)
                    settings = sequence_settings(layer, length, seed)
                    trained = train_classifier(split, settings, word_vectors=vectors[start])
                    mcc = test_mcc(trained, split)
                    name = f"{model}, {start}{', frozen' if frozen else ''}"
                    scores.setdefault(name, []).append(mcc)
                    print(f"seed {seed}, {fold.name:<10} {name:<40} MCC {mcc:.3f} "
                          f"({trained.record.epochs_done} epochs)", flush=True)  # fmt: skip
    seconds = time.perf_counter() - started
    load_end = os.getloadavg()
    summary = {name: mean_sd(values) for name, values in scores.items()}
    order = sorted(summary, key=lambda name: -summary[name]["mean"])
    print(f"\n{len(seeds)} seeds × {len(folds)} held-out videos, {seconds:.0f} s; load average "
          f"at end: {' '.join(f'{x:.2f}' for x in load_end)}\n")  # fmt: skip
    print("| model | MCC mean ± sd | runs |\n|---|---|---|")
    for name in order:
        row = summary[name]
        print(f"| {name} | {row['mean']:.3f} ± {row['sd']:.3f} | {row['n']} |")
    best = order[0]
    print(f"\nbest: {best} (MCC {summary[best]['mean']:.3f})")
    print(json.dumps({
        "benchmark": "sequence_transfer", "seeds": list(seeds), "folds": [f.name for f in folds],
        "seconds": round(seconds), "load_start": load_start[0], "load_end": load_end[0],
        "mcc": summary, "best": best,
    }))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
