"""The command line's sequence models: ``--model cnn|lstm|gru``, ``--bidirectional``,
``--init-vectors``, ``--freeze-vectors`` and ``--sequence-length``, end to end."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from core.cli import main
from core.data.datasets import youtube_spam
from tests.test_cli import run_cli

WORDS = ["check", "my", "channel", "song", "love", "this", "subscribe", "video", "the", "please"]


@pytest.fixture(scope="module")
def small_csv(tmp_path_factory):
    """Every 6th YouTube comment (about 330), as a CSV file."""
    data = youtube_spam()
    path = tmp_path_factory.mktemp("cli") / "small.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows(zip(data.texts[::6], data.labels[::6], strict=True))
    return path


def vectors_file(folder, binary: bool, dim: int = 6):
    from gensim.models import KeyedVectors

    vectors = KeyedVectors(vector_size=dim)
    rng = np.random.default_rng(0)
    vectors.add_vectors(WORDS, rng.normal(size=(len(WORDS), dim)).astype(np.float32))
    path = folder / ("vectors.bin" if binary else "vectors.txt")
    vectors.save_word2vec_format(str(path), binary=binary)
    return path


def last_json(out) -> dict:
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_bidirectional_lstm_from_frozen_text_vectors(small_csv, tmp_path):
    vectors = vectors_file(tmp_path, binary=False)
    out = run_cli(
        "classify", "--train", str(small_csv), "--model", "lstm", "--bidirectional",
        "--init-vectors", str(vectors), "--freeze-vectors", "--epochs", "1", "--json",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    summary = last_json(out)
    assert summary["model_kind"] == "lstm" and summary["features"] == "embedding"
    sequence = summary["sequence"]
    assert sequence["layer"] == "lstm" and sequence["bidirectional"] is True
    assert sequence["embedding_dim"] == 6  # the vectors' size, not the default 64
    assert 1 <= sequence["length"] <= 400 and 0 <= sequence["texts_cut"] <= 0.1
    start = summary["init_vectors"]
    assert start["frozen"] is True and start["file"] == str(vectors)
    assert 0 < start["vocabulary_share"] < 0.1 and 0 < start["token_share"] < 1
    assert summary["epochs_run"] == 1 and -1 <= summary["model"]["mcc"] <= 1
    assert {b["name"] for b in summary["baselines"]} >= {"LogisticRegression"}


def test_cnn_with_a_chosen_length_from_binary_vectors_fine_tuned(small_csv, tmp_path):
    vectors = vectors_file(tmp_path, binary=True, dim=4)
    out = run_cli(
        "classify", "--train", str(small_csv), "--model", "cnn", "--sequence-length", "20",
        "--init-vectors", str(vectors), "--epochs", "2", "--seed", "3", "--json",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    summary = last_json(out)
    assert summary["sequence"]["length"] == 20 and summary["inputs"] == 20
    assert summary["sequence"]["embedding_dim"] == 4
    assert summary["init_vectors"]["frozen"] is False
    assert summary["epochs_run"] <= 2 and -1 <= summary["model"]["mcc"] <= 1


def test_gru_without_vectors_and_dense_stays_the_default(small_csv):
    out = run_cli(
        "classify", "--train", str(small_csv), "--model", "gru", "--epochs", "1", "--json"
    )
    assert out.returncode == 0, out.stderr[-2000:]
    summary = last_json(out)
    assert summary["sequence"]["layer"] == "gru" and "init_vectors" not in summary
    assert summary["sequence"]["embedding_dim"] == 64


@pytest.mark.parametrize(
    ("flags", "error", "hint"),
    [
        (["--model", "cnn", "--features", "tfidf"], "reads token ids", "--model dense"),
        (["--model", "cnn", "--bidirectional"], "recurrent layers only", "--model lstm"),
        (["--bidirectional"], "recurrent layers only", "--model gru"),
        (["--freeze-vectors", "--model", "lstm"], "none were given", "--init-vectors"),
        (["--init-vectors", "v.txt"], "do not use", "--model cnn"),
        (["--sequence-length", "30"], "token-id", "--features embedding"),
        (
            ["--features", "word2vec", "--init-vectors", "v.txt", "--freeze-vectors"],
            "have none",
            "--features embedding",
        ),
    ],
)
def test_bad_combinations_are_refused_with_a_hint(small_csv, capsys, flags, error, hint):
    code = main(["classify", "--train", str(small_csv), *flags, "--json"])
    assert code == 2
    message = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert error in message["error"] and hint in message["hint"]


def test_missing_vectors_file_is_a_data_error(small_csv, capsys):
    code = main(
        ["classify", "--train", str(small_csv), "--model", "cnn", "--init-vectors", "nope.txt"]
    )
    assert code == 2 and "No file at nope.txt" in capsys.readouterr().err
