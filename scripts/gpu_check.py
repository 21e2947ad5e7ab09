"""Device check: the app's Keras code trains on a GPU (run with KERAS_BACKEND=jax or tensorflow).

Builds the playground's default network through core.nn.networks, trains it with core.nn.training.fit_live
on circles, and prints the device, the status, the test accuracy and where the weights live.
Usage: KERAS_BACKEND=jax python scripts/gpu_check.py
"""

import sys
import time

import keras

from core.nn import training
from core.nn.playground import PlaygroundSettings, make_dataset, train_playground

print("backend:", keras.backend.backend(), "| device:", training.training_device())
settings = PlaygroundSettings()
data = make_dataset(settings.data)
start = time.perf_counter()
record = train_playground(settings, data)
print(
    f"status: {record.status} | epochs: {record.epochs_done} | {time.perf_counter() - start:.1f} s"
)
print("test accuracy:", record.result.test_accuracy, "| run device:", record.device)
if keras.backend.backend() == "jax":
    import jax

    print("jax devices:", jax.devices())
ok = record.status == "complete" and record.device.startswith("GPU")
print("GPU CHECK", "PASSED" if ok else "FAILED")
sys.exit(0 if ok else 1)
