"""What keeps the classifier's network on a linear SVM's track on many TF-IDF features: an L2
penalty on the hidden layers, and a learning-rate cut once the validation loss stalls."""

import io
import json
import zipfile
from dataclasses import replace

import numpy as np
import pytest

from core.classifier.features import FeatureSettings
from core.classifier.model import ClassifierNet, build_classifier_model
from core.classifier.settings_fields import FIELDS, L2_OPTIONS, classifier_settings
from core.classifier.snippets import fit_code, model_code
from core.classifier.splits import stratified_split
from core.classifier.steering import LR_FACTOR, cuts_learning_rate, lr_patience
from core.classifier.train import ClassifierSettings, prepare_training, train_classifier
from core.data.datasets import LabelledText
from core.data.links import encode_params, parse_params
from core.nn.networks import DenseLayer, OptimizerSpec
from tests.test_cli import run_cli


def noise(n: int = 600, seed: int = 0) -> LabelledText:
    """Texts of random words with labels that no word predicts: the validation loss can only
    get worse once the network starts to memorise."""
    rng = np.random.default_rng(seed)
    words = [f"w{i}" for i in range(300)]
    texts = tuple(" ".join(rng.choice(words, 12)) for _ in range(n))
    labels = tuple(rng.choice(["a", "b"], n))
    return LabelledText(texts, labels, "noise", "CSV")


def test_the_default_hidden_layer_carries_a_small_l2_penalty_into_keras():
    layer = ClassifierSettings().hidden[0]
    assert layer.l2 == 1e-5 and ClassifierNet("sparse", 10, 2).hidden[0] == layer
    model = build_classifier_model(ClassifierNet("dense", 10, 2))
    regulariser = model.get_layer("dense_1").kernel_regularizer
    assert regulariser is not None and regulariser.get_config()["l2"] == pytest.approx(1e-5)


def test_lr_patience_is_half_the_early_stopping_patience_and_at_least_one():
    assert [lr_patience(p) for p in (1, 2, 3, 4, 9)] == [1, 1, 1, 2, 4]


def test_callbacks_cut_the_rate_before_they_stop_and_vanish_without_validation():
    split = stratified_split(noise(), 0.25, seed=0)
    prepared = prepare_training(split, ClassifierSettings(patience=4))
    cut, stop = prepared.callbacks()
    assert type(cut).__name__ == "ReduceLROnPlateau" and cut.monitor == "val_loss"
    assert (cut.factor, cut.patience) == (LR_FACTOR, 2)
    assert type(stop).__name__ == "EarlyStopping" and stop.patience == 4
    alone = prepare_training(split, ClassifierSettings(validation_split=0.0))
    assert alone.callbacks() == []


def test_networks_reading_token_ids_keep_their_rate():
    split = stratified_split(noise(), 0.25, seed=0)
    features = FeatureSettings(kind="embedding", sequence_length=16, embedding_dim=8)
    settings = ClassifierSettings(features=features, hidden=())
    callbacks = prepare_training(split, settings).callbacks()
    assert [type(c).__name__ for c in callbacks] == ["EarlyStopping"]
    fit = fit_code(settings, 2)
    assert "EarlyStopping" in fit and "ReduceLROnPlateau" not in fit
    assert cuts_learning_rate("sparse") and not cuts_learning_rate("dense")


def test_a_stalled_validation_loss_cuts_the_learning_rate_in_training():
    import keras

    split = stratified_split(noise(), 0.25, seed=0)
    settings = ClassifierSettings(
        hidden=(DenseLayer(32, "relu"),),
        optimizer=OptimizerSpec("adam", 0.01),
        epochs=12,
        patience=3,
        batch_size=32,
        seed=0,
    )
    trained = train_classifier(split, settings)
    losses = trained.record.history["val_loss"]
    assert min(losses) < losses[-1]  # it stalled: the memorising made it worse
    rate = float(keras.ops.convert_to_numpy(trained.model.optimizer.learning_rate))
    cuts = round(np.log(rate / 0.01) / np.log(LR_FACTOR))
    assert cuts >= 1 and rate == pytest.approx(0.01 * LR_FACTOR**cuts, rel=1e-5)


def test_the_page_sets_each_layers_l2_and_keeps_it_in_the_link():
    values = parse_params({}, FIELDS)[0] | {"layers": 2, "l2_1": 1e-3, "l2_2": 0.0}
    settings = classifier_settings(values)
    assert [layer.l2 for layer in settings.hidden] == [1e-3, 0.0]
    params = encode_params(values, FIELDS)
    assert params["l2_1"] == "0.001"
    parsed, problems = parse_params(params, FIELDS)
    assert not problems and classifier_settings(parsed) == settings
    assert ClassifierSettings().hidden[0].l2 in L2_OPTIONS


def test_the_shown_code_has_the_penalty_and_the_rate_cut():
    settings = ClassifierSettings()
    model = model_code(settings, 2)
    assert "kernel_regularizer=keras.regularizers.L2(1e-05)" in model
    fit = fit_code(settings, 2)
    assert f'ReduceLROnPlateau(monitor="val_loss", factor={LR_FACTOR}, patience=1)' in fit
    assert fit.index("ReduceLROnPlateau") < fit.index("EarlyStopping")
    plain = fit_code(replace(settings, validation_split=0.0), 2)
    assert "ReduceLROnPlateau" not in plain and "EarlyStopping" not in plain


@pytest.mark.parametrize("value", ["nan", "-0.1", "inf"])
def test_classify_refuses_an_impossible_l2_before_it_reads_anything(value):
    out = run_cli("classify", "--train", "youtube", "--l2", value, "--json")
    assert out.returncode == 2
    assert "l2 must be a finite number >= 0" in json.loads(out.stdout.splitlines()[-1])["error"]


def test_classify_l2_reaches_the_saved_network(tmp_path):
    bundle = tmp_path / "model.zip"
    out = run_cli(
        "classify", "--train", "youtube", "--epochs", "1", "--l2", "0.001",
        "--save-bundle", str(bundle), "--json",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    with zipfile.ZipFile(io.BytesIO(bundle.read_bytes())) as archive:
        spec = json.loads(archive.read("spec.json"))
    layers = spec["network"]["layers"]
    assert [layer["l2"] for layer in layers] == [0.001]
