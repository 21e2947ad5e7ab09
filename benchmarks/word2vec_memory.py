"""Peak memory of word2vec training on a generated corpus streamed from disk.

Writes a corpus of ``--gigabytes`` of text (Zipf-distributed pseudo-words, 5 to 40 words a line),
then trains one epoch on it with ``core.embeddings.word2vec`` in a fresh process and reports that process's
peak resident memory. The same is done on a corpus a tenth the size: if any part of the corpus
were held in memory, the peak would grow with the file. Goal: peak RSS < 1 GB on the full corpus.
Usage: python benchmarks/word2vec_memory.py [--gigabytes 1.0] [--tokens whitespace|words]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

GOAL_BYTES = 1024**3
VOCABULARY = 100_000


def pseudo_words(n: int, seed: int = 0) -> list[str]:
    import numpy as np

    rng = np.random.default_rng(seed)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    words = set()
    while len(words) < n:
        length = int(rng.integers(2, 10))
        words.add("".join(rng.choice(letters, length)))
    return sorted(words)


def write_corpus(path: Path, size_bytes: int, seed: int = 0) -> int:
    """Write about ``size_bytes`` of text to ``path``; return the number of words written."""
    import numpy as np

    rng = np.random.default_rng(seed)
    vocabulary = np.array(pseudo_words(VOCABULARY, seed))
    written = words = 0
    with open(path, "w", encoding="utf-8") as handle:
        while written < size_bytes:
            ranks = np.minimum(rng.zipf(1.1, 200_000), VOCABULARY) - 1
            tokens = vocabulary[ranks]
            lengths = rng.integers(5, 41, len(tokens) // 20)
            bounds = np.cumsum(lengths)
            bounds = bounds[bounds < len(tokens)]
            lines = [" ".join(chunk) for chunk in np.split(tokens, bounds)]
            block = "\n".join(lines) + "\n"
            handle.write(block)
            written += len(block.encode("utf-8"))
            words += len(tokens)
    return words


CHILD = """
import json, resource, sys, time
from core.embeddings.word2vec import Word2VecSettings, stream_corpus, train_word2vec
start = time.perf_counter()
result = train_word2vec(
    stream_corpus({path!r}, tokens={tokens!r}),
    Word2VecSettings(epochs=1, workers=2, min_count=5, vector_size=100),
)
print(json.dumps({{
    "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    "seconds": time.perf_counter() - start,
    "vocab_size": result.vocab_size,
    "corpus_words": result.corpus_words,
    "words_per_second": result.words_per_second,
}}))
"""


def measure(path: Path, tokens: str) -> dict:
    code = CHILD.format(root=str(ROOT), path=str(path), tokens=tokens)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gigabytes", type=float, default=1.0)
    parser.add_argument("--tokens", default="whitespace", choices=["whitespace", "words"])
    parser.add_argument("--folder", default=None, help="where to write the corpora (a temp dir)")
    args = parser.parse_args()
    folder = Path(args.folder or tempfile.mkdtemp(prefix="w2v-memory-"))
    folder.mkdir(parents=True, exist_ok=True)
    ok = True
    for fraction in (0.1, 1.0):
        size = int(args.gigabytes * fraction * 1024**3)
        path = folder / f"corpus-{size}.txt"
        if not path.exists() or path.stat().st_size < size:
            started = time.perf_counter()
            write_corpus(path, size)
            print(
                f"wrote {path.stat().st_size / 1024**2:,.0f} MB in {time.perf_counter() - started:.0f} s"
            )
        figures = measure(path, args.tokens)
        peak = figures["peak_rss_bytes"]
        print(
            f"corpus {path.stat().st_size / 1024**2:>7,.0f} MB: peak RSS {peak / 1024**2:,.0f} MB, "
            f"{figures['corpus_words']:,} words, vocabulary {figures['vocab_size']:,}, "
            f"{figures['words_per_second']:,.0f} words/s, {figures['seconds']:.0f} s in all"
        )
        if fraction == 1.0:
            ok = peak < GOAL_BYTES
    print(f"goal: peak RSS < 1 GB on the full corpus -> {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
