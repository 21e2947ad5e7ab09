"""Shareable links: settings in the URL's query parameters, validated, never raising."""

import pytest
from streamlit.testing.v1 import AppTest

from core.data.links import Field, encode_params, parse_params
from core.nn.playground import PlaygroundSettings
from tests.conftest import ROOT

FIELDS = {
    "epochs": Field("int", 40, 1, 300),
    "noise": Field("float", 0.1, 0.0, 0.5),
    "optimizer": Field("choice", "adam", options=("sgd", "adam")),
    "rate": Field("choice", 0.01, options=(0.001, 0.01, 0.1)),
    "shuffle": Field("bool", True),
}


def test_valid_parameters_become_typed_values():
    values, problems = parse_params(
        {"epochs": "7", "noise": "0.25", "optimizer": "sgd", "rate": "0.1", "shuffle": "false"},
        FIELDS,
    )
    assert values == {"epochs": 7, "noise": 0.25, "optimizer": "sgd", "rate": 0.1, "shuffle": False}
    assert problems == []


@pytest.mark.parametrize(
    "name,raw,reason",
    [
        ("epochs", "7.5", "whole number"),
        ("epochs", "100000", "outside"),
        ("epochs", "seven", "could not convert"),
        ("noise", "nan", "finite"),
        ("noise", "1e999", "finite"),
        ("optimizer", "<script>", "expected one of"),
        ("rate", "0.02", "expected one of"),
        ("shuffle", "maybe", "true or false"),
        ("epochs", "9" * 500, "too long"),
    ],
)
def test_tampered_parameters_fall_back_to_defaults_with_a_reason(name, raw, reason):
    values, problems = parse_params({name: raw}, FIELDS)
    assert values[name] == FIELDS[name].default
    assert len(problems) == 1 and reason in problems[0] and name in problems[0]


def test_unknown_names_are_ignored_and_defaults_stay_out_of_links():
    values, problems = parse_params({"utm_source": "x"}, FIELDS)
    assert problems == [] and values == {n: f.default for n, f in FIELDS.items()}
    assert encode_params(values, FIELDS) == {}
    changed = {**values, "epochs": 9, "noise": 0.3}
    assert encode_params(changed, FIELDS) == {"epochs": "9", "noise": "0.3"}
    assert parse_params(encode_params(changed, FIELDS), FIELDS)[0] == changed


def playground_with(params: dict) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.switch_page("pages/playground.py")
    for name, value in params.items():
        at.query_params[name] = value
    return at.run()


def test_a_link_opens_the_playground_with_its_settings():
    at = playground_with({"epochs": "7", "dataset": "xor", "units_1": "5"})
    assert not at.exception, [e.value for e in at.exception]
    assert at.number_input(key="epochs").value == 7
    assert at.selectbox(key="dataset").value == "xor"
    assert at.number_input(key="units_1").value == 5
    assert not at.warning


def test_a_tampered_link_warns_and_uses_defaults():
    at = playground_with({"epochs": "-3", "dataset": "../../etc/passwd", "noise": "x"})
    assert not at.exception
    text = at.warning[0].value
    assert "epochs=-3" in text and "noise=x" in text and "dataset=" in text
    assert at.number_input(key="epochs").value == PlaygroundSettings().epochs


def test_changed_settings_are_written_back_to_the_address():
    at = playground_with({})
    at.number_input(key="epochs").set_value(12)
    at.button[0].click()  # submitting the form applies the new value
    at.run(timeout=120)
    assert at.query_params["epochs"] == "12"


def page_with(path: str, params: dict) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.switch_page(path)
    for name, value in params.items():
        at.query_params[name] = value
    return at.run()


def test_word2vec_and_classifier_pages_open_from_links():
    at = page_with("pages/word2vec_train.py", {"sg": "0", "epochs": "3", "sample": "1e-05"})
    assert not at.exception and not at.warning
    assert at.radio(key="w2v_sg").value == 0
    assert at.slider(key="w2v_epochs").value == 3
    assert at.select_slider(key="w2v_sample").value == 1e-5
    at = page_with(
        "pages/classifier_train.py",
        {"video": "Psy", "features": "embedding", "embedding_dim": "16", "layers": "2"},
    )
    assert not at.exception and not at.warning
    assert at.selectbox(key="clf_video").value == "Psy"
    assert at.select_slider(key="clf_embedding_dim").value == 16
    assert at.slider(key="clf_layers").value == 2
    assert "Psy" in " ".join(c.value for c in at.caption)


def test_training_pages_survive_tampered_links():
    for path in ("pages/word2vec_train.py", "pages/classifier_train.py"):
        at = page_with(path, {"epochs": "1e9", "seed": "-1", "features": "eval()", "sg": "2"})
        assert not at.exception, path
        assert at.warning and "could not be used" in at.warning[0].value


@pytest.mark.parametrize(
    "path,params,key,expected",
    [
        ("pages/digits.py", {"units": "12", "rate": "0.1"}, "digits_units", 12),
        ("pages/stock_regression.py", {"window": "9", "ticker": "AAPL"}, "stock_window", 9),
        ("pages/overfitting.py", {"layers": "3", "variant": "plain"}, "of_layers", 3),
        ("pages/gradient_descent.py", {"steps": "17", "w0": "2.5"}, "gd_steps", 17),
    ],
)
def test_other_training_pages_read_links_and_refuse_tampering(path, params, key, expected):
    at = page_with(path, params)
    assert not at.exception and not at.warning, [w.value for w in at.warning]
    assert at.slider(key=key).value == expected
    at = page_with(path, {name: "%00<x>" for name in params})
    assert not at.exception
    assert "could not be used" in at.warning[0].value


def field_page() -> None:
    """A page drawing one widget of each kind from its Field, then writing the link."""
    from core.data.links import Field
    from pages.ui.links import PageLink

    fields = {
        "epochs": Field("int", 40, 1, 300, label="Epochs", widget="slider", help="How long"),
        "noise": Field("float", 0.1, 0.0, 0.5, label="Noise", step=0.05),
        "rate": Field(
            "choice",
            0.01,
            options=(0.001, 0.01, 0.1),
            label="Rate",
            widget="select_slider",
            format=lambda v: f"η={v:g}",
        ),
        "data": Field(
            "choice",
            "a",
            options=("a", "b"),
            label="Data",
            widget="radio",
            widget_values={"a": "Alpha", "b": "Beta"},
            key="dataset",
        ),
        "optimizer": Field(
            "choice", "adam", options=("sgd", "adam"), label="Optimizer", format={"sgd": "SGD"}
        ),
        "kind": Field("choice", "x", options=("x", "y"), label="Kind", widget="segmented_control"),
        "mixed": Field("bool", False, label="Mixed"),
    }
    link = PageLink(fields, key_prefix="t_")
    for name in fields:
        link.draw(name)
    link.write()
    import streamlit as st

    st.write(repr(link.values))


def field_page_with(params: dict) -> AppTest:
    at = AppTest.from_function(field_page, default_timeout=60)
    for name, value in params.items():
        at.query_params[name] = value
    return at.run()


def test_a_field_draws_its_widget_with_range_default_label_and_help():
    at = field_page_with({})
    assert not at.exception, [e.value for e in at.exception]
    epochs = at.slider(key="t_epochs")
    assert (epochs.min, epochs.max, epochs.value) == (1, 300, 40)
    assert epochs.label == "Epochs" and epochs.help == "How long"
    noise = at.number_input(key="t_noise")
    assert (noise.min, noise.max, noise.value, noise.step) == (0.0, 0.5, 0.1, 0.05)
    rate = at.select_slider(key="t_rate")
    assert rate.value == 0.01 and rate.options == ["η=0.001", "η=0.01", "η=0.1"]
    assert at.radio(key="dataset").options == ["Alpha", "Beta"]
    assert at.radio(key="dataset").value == "Alpha"
    assert at.selectbox(key="t_optimizer").options == ["SGD", "adam"]
    assert at.segmented_control(key="t_kind").value == "x"
    assert at.checkbox(key="t_mixed").value is False
    assert dict(at.query_params) == {}  # defaults stay out of the address


def test_a_link_value_round_trips_through_the_widgets():
    at = field_page_with({"epochs": "7", "data": "b", "rate": "0.1", "mixed": "true"})
    assert not at.exception and not at.warning
    assert at.slider(key="t_epochs").value == 7
    assert at.radio(key="dataset").value == "Beta"  # the widget holds the long form
    assert at.select_slider(key="t_rate").value == 0.1
    assert at.checkbox(key="t_mixed").value is True
    at.slider(key="t_epochs").set_value(12)
    at.radio(key="dataset").set_value("Alpha")
    at.selectbox(key="t_optimizer").set_value("sgd")
    at.run()
    written = {name: at.query_params[name] for name in at.query_params}
    flat = {
        name: value[-1] if isinstance(value, list) else value for name, value in written.items()
    }
    # The link keeps the short code; "data" is back at its default, so it is left out.
    assert flat == {"epochs": "12", "rate": "0.1", "mixed": "true", "optimizer": "sgd"}
    again = field_page_with(flat)
    assert again.slider(key="t_epochs").value == 12
    assert again.selectbox(key="t_optimizer").value == "sgd"
    assert again.radio(key="dataset").value == "Alpha"


def test_an_emptied_segmented_control_keeps_the_default():
    at = field_page_with({"kind": "y"})
    at.segmented_control(key="t_kind").set_value(None).run()
    assert not at.exception
    assert "'kind': 'x'" in at.markdown[-1].value
