"""Image classification: accuracy of a default network, the confusion matrix, the features."""

from dataclasses import asdict

import numpy as np
import pytest

from core.data import datasets
from core.nn import images
from core.nn.images import DigitsSettings
from core.nn.networks import DenseLayer, OptimizerSpec
from core.nn.runs import flatten_settings
from tests.app_pages import open_page


@pytest.fixture(scope="module")
def digits():
    return datasets.digits()


@pytest.fixture(scope="module")
def trained(digits):
    # The defaults, with fewer epochs so the test stays quick.
    record = images.train_digits(DigitsSettings(epochs=5), *digits)
    return record


def test_default_network_reaches_ninety_percent(trained):
    assert trained.status == "complete" and trained.epochs_done == 5
    result = trained.result
    assert result.accuracy >= 0.9
    assert {"loss", "val_loss", "accuracy", "val_accuracy"} <= set(trained.history)


def test_confusion_matrix_counts_the_test_set(trained, digits):
    result = trained.result
    n_test = images.count_test_images(len(digits[1]), DigitsSettings().test_fraction)
    assert result.matrix.shape == (10, 10)
    assert result.matrix.sum() == len(result.y_test) == n_test
    assert np.trace(result.matrix) == result.correct == int(np.sum(result.y_test == result.y_pred))
    assert len(result.misclassified) == n_test - result.correct
    assert all(result.y_test[i] != result.y_pred[i] for i in result.misclassified)
    # Row d counts the test images whose true digit is d.
    np.testing.assert_array_equal(
        result.matrix.sum(axis=1), np.bincount(result.y_test, minlength=10)
    )


def test_confusion_on_made_up_labels():
    matrix = images.confusion([0, 0, 1, 9, 9], [0, 1, 1, 9, 3])
    assert matrix[0, 0] == 1 and matrix[0, 1] == 1 and matrix[1, 1] == 1
    assert matrix[9, 9] == 1 and matrix[9, 3] == 1 and matrix.sum() == 5


def test_first_layer_weight_images(trained):
    weights = trained.result.weights
    assert weights.shape == (DigitsSettings().hidden.units, 8, 8)
    kernel = np.arange(64 * 3, dtype=float).reshape(64, 3)
    pictures = images.weight_images(kernel)
    assert pictures.shape == (3, 8, 8)
    # Unit u's pixel (row, col) is the weight from input row*8 + col.
    assert pictures[2, 1, 3] == kernel[1 * 8 + 3, 2]
    with pytest.raises(ValueError):
        images.weight_images(np.zeros((10, 3)))


def test_split_is_stratified_and_scaled(digits):
    split = images.split_digits(*digits, test_fraction=0.25, seed=0)
    assert split.x_train.shape[1] == 64 and split.x_test.shape[1] == 64
    assert split.x_train.min() >= 0.0 and split.x_train.max() <= 1.0
    assert len(split.y_test) == images.count_test_images(len(digits[1]), 0.25)
    np.testing.assert_allclose(split.x_test, split.images_test.reshape(-1, 64) / 16.0, rtol=1e-6)
    shares = np.bincount(split.y_test, minlength=10) / len(split.y_test)
    assert np.all(np.abs(shares - 0.1) < 0.02)


def test_settings_reject_impossible_values():
    with pytest.raises(ValueError):
        DigitsSettings(hidden=DenseLayer(0))
    with pytest.raises(ValueError):
        DigitsSettings(test_fraction=0.9)


def test_settings_hold_typed_layer_and_optimizer_specs():
    settings = DigitsSettings(hidden=DenseLayer(12, "tanh"), optimizer=OptimizerSpec("sgd", 0.1))
    assert settings.network().hidden == (DenseLayer(12, "tanh"),)
    assert settings.network().output_units == 10
    # Names and ranges are checked once, by the specs themselves.
    with pytest.raises(ValueError, match="unknown optimizer"):
        DigitsSettings(optimizer=OptimizerSpec("adagrad", 0.1))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown activation"):
        DigitsSettings(hidden=DenseLayer(12, "swish"))
    with pytest.raises(ValueError, match="learning_rate"):
        DigitsSettings(optimizer=OptimizerSpec("adam", 0.0))
    # A run's record flattens them as it does the Playground's: optimizer.name, …
    flat = flatten_settings(asdict(DigitsSettings()))
    assert flat["optimizer.name"] == "adam" and flat["optimizer.learning_rate"] == 0.01
    assert flat["hidden.units"] == 32 and flat["hidden.activation"] == "relu"
    assert DigitsSettings.from_dict(asdict(settings)) == settings


def test_show_the_code_runs(digits):
    settings = DigitsSettings(
        hidden=DenseLayer(12, "tanh"), optimizer=OptimizerSpec("rmsprop", 0.01), epochs=2
    )
    namespace: dict = {}
    exec(images.digits_code(settings), namespace)
    assert namespace["features"].shape == (12, 8, 8)
    assert namespace["y_pred"].shape == (images.count_test_images(len(digits[1]), 0.25),)
    assert namespace["model"].layers[0].activation.__name__ == "tanh"


def test_page_renders_then_trains():
    at = open_page("pages/digits.py")
    assert not at.exception
    assert at.title[0].value == "Image classification"
    at.number_input(key="digits_epochs").set_value(2)
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Complete" in s.value for s in at.success)
    accuracy = next(m for m in at.metric if m.label == "Test accuracy")
    assert accuracy.value.endswith("%")
    codes = [c.value for c in at.code]
    assert codes and "epochs=2" in codes[0]
