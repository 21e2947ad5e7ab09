"""Every page of the app and a way to open one through app.py's navigation, for page tests."""

import json

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

PAGES = {
    "pages/home.py": "Deep Text Lab",
    "pages/datasets.py": "Datasets: X → Y",
    "pages/text_to_numbers.py": "Text → numbers",
    "pages/perceptron.py": "The perceptron",
    "pages/activations.py": "Activation functions",
    "pages/playground.py": "Playground",
    "pages/gradient_descent.py": "Gradient descent",
    "pages/overfitting.py": "Overfitting and early stopping",
    "pages/stock_regression.py": "Stock price regression",
    "pages/digits.py": "Image classification",
    "pages/word2vec_pairs.py": "Skip-gram and CBOW pairs",
    "pages/one_hot_vs_embedding.py": "One-hot versus embedding",
    "pages/word2vec_train.py": "Train word2vec",
    "pages/word_vectors_explore.py": "Explore word vectors",
    "pages/word_vectors_evaluate.py": "Evaluate word vectors",
    "pages/word_vectors_projection.py": "Project word vectors",
    "pages/word_vectors_io.py": "Import and export vectors",
    "pages/classifier_train.py": "Train a text classifier",
    "pages/sequence_models.py": "Sequence models",
    "pages/classifier_try.py": "Try your own text",
    "pages/classifier_bundles.py": "Save and load models",
    "pages/runs.py": "Runs",
}


def open_page(path: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    if path != "pages/home.py":
        at.switch_page(path).run()
    return at


def chart_specs(at: AppTest) -> list[dict]:
    """The Plotly figures the page drew, as their JSON specs (``data`` and ``layout``)."""
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
