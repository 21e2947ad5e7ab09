"""Device check: the app's Keras code trains on a GPU (run with KERAS_BACKEND=jax or tensorflow).

Builds the playground's default network through core.networks, trains it with core.training.fit_live
on circles, and prints the device, the status, the test accuracy and where the weights live.
Usage: KERAS_BACKEND=jax python scripts/gpu_check.py
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import keras  # noqa: E402

from core import training  # noqa: E402
from core.playground import PlaygroundSettings, make_dataset, train_playground  # noqa: E402

print("backend:", keras.backend.backend(), "| device:", training.training_device())
settings = PlaygroundSettings()
data = make_dataset(settings.data)
start = time.perf_counter()
record = train_playground(settings, data)
print(
    f"status: {record.status} | epochs: {record.epochs_done} | {time.perf_counter() - start:.1f} s"
)
print("test accuracy:", record.extra.get("test_accuracy"), "| run device:", record.device)
if keras.backend.backend() == "jax":
    import jax

    print("jax devices:", jax.devices())
ok = record.status == "complete" and record.device.startswith("GPU")
print("GPU CHECK", "PASSED" if ok else "FAILED")
sys.exit(0 if ok else 1)
