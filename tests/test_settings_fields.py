"""The classifier page's settings, declared once as link fields, and the settings they make."""

import pytest

from core.classifier.settings_fields import FIELDS, MAX_LAYERS, classifier_settings, repeat_seeds
from core.classifier.train import ClassifierSettings
from core.data.links import encode_params, parse_params


def default_values() -> dict:
    return parse_params({}, FIELDS)[0]


def test_the_untouched_page_trains_the_default_settings():
    assert classifier_settings(default_values()) == ClassifierSettings()


def test_only_the_chosen_layers_and_feature_kind_are_used():
    values = default_values() | {"layers": 2, "units_1": 32, "units_2": 8, "units_3": 999}
    values |= {"features": "embedding", "embedding_dim": 16, "sequence_length": 32}
    settings = classifier_settings(values)
    assert [layer.units for layer in settings.hidden] == [32, 8]
    assert settings.features.kind == "embedding"
    assert (settings.features.embedding_dim, settings.features.sequence_length) == (16, 32)


def test_character_ngrams_start_at_two():
    values = default_values() | {"analyzer": "char_wb", "ngram": 4}
    assert classifier_settings(values).features.ngram_range == (2, 4)


def test_a_link_round_trips_through_the_fields():
    values = default_values() | {"lr": 0.01, "layers": MAX_LAYERS, "act_2": "tanh", "seed": 7}
    params = encode_params(values, FIELDS)
    assert set(params) == {"lr", "layers", "act_2", "seed"}
    parsed, problems = parse_params(params, FIELDS)
    assert not problems
    assert classifier_settings(parsed) == classifier_settings(values)


def test_impossible_settings_are_refused_with_a_reason():
    with pytest.raises(ValueError):
        classifier_settings(default_values() | {"validation": 1.5})


def test_repeats_use_the_chosen_seed_and_the_next_ones():
    values = default_values()
    assert repeat_seeds(values) == (values["seed"],)  # one run by default
    assert repeat_seeds(values | {"seed": 5, "repeats": 3}) == (5, 6, 7)
    assert values["every_video"] is False
