"""The GPU device check script runs anywhere with ``--tiny``: every model, on the CPU too."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT


def test_tiny_check_trains_the_convolution_and_the_lstm_on_jax():
    backend = "jax"  # as on the device machine; the models' TensorFlow runs are tested elsewhere
    pytest.importorskip(backend)
    out = subprocess.run(
        [sys.executable, "scripts/gpu_classifier_check.py", "--tiny", "--models", "cnn", "lstm"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "KERAS_BACKEND": backend, "PYTHONPATH": str(ROOT)},
    )
    assert out.returncode == 0, out.stderr[-2000:]
    lines = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    assert [line["model"] for line in lines] == ["cnn", "lstm"]
    for line in lines:
        assert line["backend"] == backend and line["status"] == "complete"
        assert line["shape"] == [2000, 20] and line["seconds_per_epoch"] > 0
    assert "lstm: " in out.stdout and "s per epoch" in out.stdout
    assert "CLASSIFIER DEVICE CHECK PASSED" in out.stdout
