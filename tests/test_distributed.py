"""Data-parallel training of the classifier (core.classifier.distributed and ``classify --processes``).

The end-to-end test starts two CLI processes on localhost (JAX on CPU, gloo collectives) and a
one-process run of the same data-parallel path, and needs JAX: ``pip install -r
requirements-scale.txt``. Without JAX it is skipped; the other tests run anyway.
"""

import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest

from core.classifier.distributed import (
    Cluster,
    check_batch_size,
    fingerprint,
    parse_address,
    shard,
    usable_rows,
)
from core.errors import DataError
from tests.conftest import ROOT
from tests.streamlit_server import free_port

# Losses and accuracies per epoch, one process against two. Every global batch holds the same
# rows in both runs, from the same initial weights, with no dropout and no shuffling; the only
# difference is the order of float32 additions (two partial gradient sums added by the
# all-reduce, and the validation loss averaged over two shards). That moves results by a few
# float32 ulps per step (measured: at most 1.2e-7 over 3 epochs); 1e-5 leaves a wide margin and
# would still catch any real difference such as a misplaced row or a per-process batch mean.
HISTORY_TOLERANCE = 1e-5
# Test-set measures come from probabilities that agree to ~1e-7: they are equal unless a
# probability sits within that distance of the 0.5 threshold or of another text's probability.
METRIC_TOLERANCE = 1e-6


def test_cluster_checks_its_flags():
    assert Cluster(2, 1, "localhost:1234").multi_process
    assert not Cluster().multi_process
    assert parse_address("[::1]:80") == ("::1", 80)
    for bad in (
        lambda: Cluster(0),
        lambda: Cluster(2, 2, "localhost:1234"),
        lambda: Cluster(2, -1, "localhost:1234"),
        lambda: Cluster(2, 0, None),
        lambda: Cluster(2, 0, "localhost"),
        lambda: Cluster(2, 0, "localhost:99999"),
        lambda: Cluster(2, 0, ":1234"),
    ):
        with pytest.raises(DataError):
            bad()


@pytest.mark.parametrize(("processes", "devices_per_process"), [(3, 1), (2, 2)])
def test_shards_are_equal_strides_that_rebuild_the_global_batches(processes, devices_per_process):
    rows = np.arange(100, 123)  # 23 row indices: not a multiple of the device count
    devices = processes * devices_per_process
    cluster = [Cluster(processes, i, "localhost:1") for i in range(processes)]
    shards = [shard(rows, c, devices) for c in cluster]
    kept = usable_rows(len(rows), devices)
    assert kept == 23 - 23 % devices and kept % devices == 0
    assert {len(s) for s in shards} == {kept // processes}
    assert sorted(np.concatenate(shards)) == list(rows[:kept])
    for i, part in enumerate(shards):
        assert list(part) == list(rows[:kept][i::processes])
    # Local batch k of every process together = batch k of one process with the global batch.
    global_batch = 2 * devices
    local = check_batch_size(global_batch, devices, processes)
    assert local * processes == global_batch
    for k in range(math.ceil(kept / global_batch)):
        joined = np.concatenate([s[k * local : (k + 1) * local] for s in shards])
        assert sorted(joined) == list(rows[:kept][k * global_batch : (k + 1) * global_batch])


def test_batch_size_must_split_over_the_devices():
    assert check_batch_size(32, 2, 2) == 16
    assert check_batch_size(32, 4, 2) == 16  # two devices in each of two processes
    with pytest.raises(DataError) as error:
        check_batch_size(30, 4, 2)
    assert "--batch-size 32" in error.value.hint


def test_fingerprint_notices_different_data_settings_or_rows():
    from core.classifier.features import fit_featurizer
    from core.classifier.splits import TextSplit
    from core.classifier.train import ClassifierSettings

    texts = ("buy cheap pills now", "nice song", "subscribe to my channel", "love this video")
    labels = ("spam", "not spam", "spam", "not spam")
    split = TextSplit(texts, labels, texts[:1], labels[:1], ("not spam", "spam"), "toy")
    settings = ClassifierSettings()
    featurizer = fit_featurizer(settings.features, texts)
    rows = np.arange(4)
    base = fingerprint(split, featurizer, settings, rows)
    assert base == fingerprint(split, fit_featurizer(settings.features, texts), settings, rows)
    other = TextSplit(
        (*texts[:3], "love this song"), labels, texts[:1], labels[:1], split.label_names, "toy"
    )
    assert base != fingerprint(other, fit_featurizer(settings.features, other.train_texts),
                               settings, rows)  # fmt: skip
    assert base != fingerprint(split, featurizer, ClassifierSettings(seed=1), rows)
    assert base != fingerprint(split, featurizer, settings, rows[::-1])


def test_shard_batches_are_dense_and_visit_batches_in_one_shared_order():
    import scipy.sparse as sp

    from core.classifier.distributed import batches_class

    batches = batches_class()
    x0 = sp.csr_matrix(np.eye(10, 4, dtype=np.float32))
    x1 = sp.csr_matrix(np.eye(10, 4, k=1, dtype=np.float32))
    y = np.arange(10, dtype=np.int32)
    a = batches(x0, y, 3, shuffle_seed=7)
    b = batches(x1, y, 3, shuffle_seed=7)
    assert len(a) == 4  # 3 + 3 + 3 + 1 rows
    first = [int(a[k][1][0]) for k in range(len(a))]
    assert sorted(first) == [0, 3, 6, 9]
    assert first == [int(b[k][1][0]) for k in range(len(b))]  # same order in every process
    x, labels = a[first.index(0)]
    assert isinstance(x, np.ndarray) and x.shape == (3, 4)
    np.testing.assert_array_equal(x, np.eye(10, 4)[:3])
    np.testing.assert_array_equal(labels, [0, 1, 2])
    orders = set()
    for _ in range(5):
        a.on_epoch_end()
        orders.add(tuple(int(a[k][1][0]) for k in range(len(a))))
    assert len(orders) > 1  # the order changes from epoch to epoch
    unshuffled = batches(x0, y, 3)
    assert [int(unshuffled[k][1][0]) for k in range(4)] == [0, 3, 6, 9]


def run_cli(args: list[str], backend: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "KERAS_BACKEND": backend, "JAX_PLATFORMS": "cpu"}
    return subprocess.run(
        [sys.executable, "-m", "core", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


def last_json(stdout: str) -> dict:
    return json.loads(stdout.strip().splitlines()[-1])


def test_the_spread_of_a_run_exports_flat_once_its_weights_are_digested():
    from core.classifier.distributed import DataParallelResult
    from core.cli.classify import data_parallel_summary
    from core.nn.training import RunRecord

    result = DataParallelResult((10, 4), processes=2, process_id=1, devices=2, local_rows=5,
                                dropped_rows=0)  # fmt: skip
    record = RunRecord(kind="classifier", history={"loss": [0.5]}, result=result)
    assert data_parallel_summary(record) == {}  # training has not ended
    result.weights_sha256 = "ab12"
    assert result.flat() == {
        "processes": 2,
        "process_id": 1,
        "devices": 2,
        "local_rows": 5,
        "dropped_rows": 0,
        "weights_sha256": "ab12",
    }
    assert data_parallel_summary(record) == {
        "data_parallel": result.flat(),
        "history": {"loss": [0.5]},
    }
    assert data_parallel_summary(RunRecord(kind="classifier")) == {}


def test_process_flags_need_processes(capsys):
    from core.cli import main

    assert main(["classify", "--train", "youtube", "--process-id", "1", "--json"]) == 2
    assert "--processes" in last_json(capsys.readouterr().out)["error"]


def test_tensorflow_backend_is_refused_with_a_way_out():
    out = run_cli(
        ["classify", "--train", "youtube", "--processes", "2", "--process-id", "0",
         "--coordinator", "localhost:1", "--json"],
        backend="tensorflow",
    )  # fmt: skip
    assert out.returncode == 2, out.stderr
    error = last_json(out.stdout)
    assert "JAX" in error["error"] and "20585" in error["error"]
    assert "KERAS_BACKEND=jax" in error["hint"] and "requirements-scale.txt" in error["hint"]


@pytest.fixture(scope="module")
def small_training_file(tmp_path_factory):
    """The Psy video's 350 comments of the YouTube Spam Collection, in fastText format."""
    from core.data.datasets import youtube_spam

    data = youtube_spam(["Psy"])
    path = tmp_path_factory.mktemp("distributed") / "psy.txt"
    lines = [
        f"__label__{label.replace(' ', '_')} {' '.join(text.split())}"
        for text, label in zip(data.texts, data.labels, strict=True)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_two_processes_train_the_same_model_as_one(small_training_file):
    pytest.importorskip("jax", reason="needs JAX: pip install -r requirements-scale.txt")
    common = [
        "classify", "--train", str(small_training_file), "--epochs", "3", "--seed", "1",
        "--batch-size", "16", "--dropout", "0", "--json",
    ]  # fmt: skip
    port = free_port()
    env = {**os.environ, "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu"}
    commands = [
        [*common, "--processes", "2", "--process-id", str(i), "--coordinator", f"localhost:{port}"]
        for i in (0, 1)
    ] + [[*common, "--processes", "1"]]
    running = [
        subprocess.Popen(
            [sys.executable, "-m", "core", *args],
            cwd=ROOT,
            env=env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )  # fmt: skip
        for args in commands
    ]
    try:
        outputs = [p.communicate(timeout=300) for p in running]
    finally:
        for p in running:
            p.kill()
    for p, (_, stderr) in zip(running, outputs, strict=True):
        assert p.returncode == 0, stderr[-3000:]
    first, second, single = (last_json(stdout) for stdout, _ in outputs)

    # The two processes hold one model: byte-identical weights, identical logs.
    assert first["data_parallel"]["weights_sha256"] == second["data_parallel"]["weights_sha256"]
    assert first["history"] == second["history"]
    measures = ("accuracy", "precision", "recall", "f1", "mcc", "roc_auc", "pr_auc")
    assert [first["model"][k] for k in measures] == [second["model"][k] for k in measures]
    assert [first["data_parallel"][k] for k in ("processes", "process_id", "devices")] == [2, 0, 2]
    assert second["data_parallel"]["process_id"] == 1

    # Each process trained on half of the rows left after the validation split.
    n_fit = first["train_texts"] - math.ceil(0.15 * first["train_texts"])
    shard_rows = first["data_parallel"]["local_rows"]
    assert 2 * shard_rows + first["data_parallel"]["dropped_rows"] == n_fit
    assert first["data_parallel"]["dropped_rows"] == n_fit % 2
    assert single["data_parallel"]["local_rows"] == n_fit and first["epochs_run"] == 3

    # ...and agree with one process fed the same global batches.
    assert single["history"].keys() == first["history"].keys()
    for name, values in first["history"].items():
        np.testing.assert_allclose(values, single["history"][name], rtol=0, atol=HISTORY_TOLERANCE)
    for name in measures:
        assert first["model"][name] == pytest.approx(single["model"][name], abs=METRIC_TOLERANCE)
    assert first["model"]["accuracy"] > 0.7  # it learned something
