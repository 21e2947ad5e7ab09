"""Save and load models: a classifier as a safe bundle (our JSON spec plus weights)."""

import streamlit as st

from core.classifier.bundle import import_bundle
from core.classifier.bundle_export import export_bundle, export_keras
from core.classifier.features import FEATURE_KINDS
from core.classifier.snippets import bundle_code
from core.data.datasets import MAX_UPLOAD_MB
from core.errors import DataError
from pages.ui.display import show_code
from pages.ui.patches import require_navigation
from pages.ui.stores import CLASSIFIER_KEY, current_classifier
from pages.ui.uploads import read_once, show_data_error


def describe(trained) -> str:
    """A classifier in one line: its features, inputs, hidden layers and classes."""
    kind = trained.featurizer.settings.kind
    return (
        f"{FEATURE_KINDS.get(kind, kind)} features ({trained.net.input_dim:,} inputs), "
        f"{len(trained.net.hidden)} hidden layer(s), classes: {' · '.join(trained.label_names)}"
    )


require_navigation()

st.title("Save and load models")
st.markdown(
    "A trained classifier leaves the app as a **bundle**: a zip holding `spec.json` (the "
    "layers, the vocabulary and tokenizer settings, the class names and the library versions) "
    "and the weights as plain arrays. Loading one never runs code from the file: the archive's "
    "size, members and compression ratio are checked before anything is unpacked, the spec is "
    "checked against our schema (Dense layers only), the network is rebuilt by the app's own "
    "builder, and only then are the weights, checked shape by shape, put into it."
)

st.header("Save the current classifier")
# Filled in after the upload below is read, so that a bundle loaded in this run is the one
# described and downloaded here.
save_section = st.container()

st.header("Load a bundle")
uploaded = st.file_uploader(
    "A Deep Text Lab bundle (.zip)",
    key="bundle_upload",
    help=f"Up to {MAX_UPLOAD_MB} MB. Keras .keras or .h5 files and pickles are refused.",
)
previous = current_classifier()
if uploaded is not None:
    result, fresh = read_once(
        uploaded,
        "bundle_upload",
        lambda name, data: import_bundle(data, name),
        "Check that it is a bundle saved by this app; if it is, please report it.",
    )
    if fresh and not isinstance(result, DataError):
        st.session_state[CLASSIFIER_KEY] = result
    if isinstance(result, DataError):
        kept = (
            "The classifier already in this session is unchanged." if previous is not None else None
        )
        show_data_error(result, kept)
    else:
        st.success(
            f"Loaded **{uploaded.name}**: {describe(result)}. It is now this session's classifier.",
            icon=":material/check_circle:",
        )
        st.page_link(
            "pages/classifier_try.py", label="Try it on your own text", icon=":material/edit_note:"
        )

trained = current_classifier()
with save_section:
    if trained is None:
        st.info(
            "No classifier in this session yet: train one, or load a bundle below.",
            icon=":material/info:",
        )
        st.page_link(
            "pages/classifier_train.py",
            label="Train a text classifier",
            icon=":material/psychology:",
        )
    else:
        st.caption(describe(trained) + ".")
        left, right = st.columns(2)
        with left:
            # Built only when clicked: a bundle of a large vocabulary takes a moment to write.
            st.download_button(
                "Download the bundle (.zip)",
                data=lambda: export_bundle(trained),
                file_name="deep-text-lab-classifier.zip",
                mime="application/zip",
                icon=":material/download:",
                key="bundle_download",
            )
            st.caption("Loads back here, on any server running this app.")
        with right:
            st.download_button(
                "Download the Keras model (.keras)",
                data=lambda: export_keras(trained),
                file_name="classifier.keras",
                mime="application/octet-stream",
                icon=":material/download:",
                key="keras_download",
            )
            st.caption(
                "For use in Keras outside the app; it holds the network only, without the text "
                "features. This app never loads `.keras` files: they can carry code."
            )

show_code(bundle_code(trained))
