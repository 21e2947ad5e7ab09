"""Explaining one prediction: class probabilities, occlusion, gradient × input, highlighting."""

import html
import re
from collections import Counter

import numpy as np
import pytest

from core.classifier.contributions import (
    MAX_WORDS,
    WordContribution,
    class_probabilities,
    gradient_x_input,
    log_odds_from_logits,
    occlusion,
    output_logits,
)
from core.classifier.contributions_display import (
    contributions_frame,
    highlight_html,
    largest_abs,
    shade,
    top_contributions,
)
from core.classifier.features import CHAR_MARK, FeatureSettings, Featurizer, fit_featurizer
from core.classifier.model import ClassifierNet, build_classifier_model
from core.classifier.splits import split_by_group
from core.classifier.train import ClassifierSettings, TrainedClassifier, train_classifier
from core.classifier.word_spans import char_ngram_occurrences, words_of
from core.data.datasets import youtube_spam
from core.errors import DataError
from core.figures.contributions import contributions_figure, probabilities_figure
from core.nn.networks import DenseLayer
from core.nn.training import RunRecord
from core.text.analysis import TextSettings

# Word features: the hand-worked gradients and unknown words below are about words alone.
TINY = ClassifierSettings(
    features=FeatureSettings(analyzer="word"),
    hidden=(DenseLayer(8, "relu"),),
    epochs=3,
    batch_size=64,
    seed=1,
)
SPAMMY = "check out my channel subscribe http"


@pytest.fixture(scope="module")
def shakira():
    return split_by_group(youtube_spam(), "Shakira")


@pytest.fixture(scope="module")
def tfidf(shakira):
    return train_classifier(shakira, TINY)


@pytest.fixture(scope="module")
def embedding(shakira):
    features = FeatureSettings(
        kind="embedding", max_tokens=2_000, sequence_length=8, embedding_dim=8
    )
    settings = ClassifierSettings(
        features=features, hidden=(DenseLayer(8, "relu"),), epochs=2, batch_size=64, seed=1
    )
    return train_classifier(shakira, settings)


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _dense_head_gradient(trained, x):
    """p(spam) and dp/dx for Dense(relu) → Dense(sigmoid), worked out by hand in NumPy."""
    w1, b1 = (np.asarray(a, dtype=np.float64) for a in trained.model.get_layer("dense_1").weights)
    w2, b2 = (np.asarray(a, dtype=np.float64) for a in trained.model.get_layer("output").weights)
    h = np.maximum(x[0] @ w1 + b1, 0.0)
    p = float(_sigmoid(h @ w2 + b2)[0])
    return p, p * (1 - p) * (w1 @ (w2[:, 0] * (h > 0)))


# ---------------------------------------------------------------- words and their spans

TRICKY = "Don't STOP: İstanbul, ΟΔΟΣ and  naïve\tcafés — running runs 42x!"


@pytest.mark.parametrize(
    "text_settings",
    [
        TextSettings(),
        TextSettings(lowercase=False),
        TextSettings(tokenizer="treebank", stemmer="porter", remove_stop_words=True),
        TextSettings(tokenizer="tweet", stemmer="snowball"),
        TextSettings(tokenizer="word_tokenize", remove_stop_words=True),
    ],
)
def test_words_are_the_tokens_the_model_sees_with_their_spans(text_settings):
    featurizer = Featurizer(FeatureSettings(kind="embedding", text=text_settings), [])
    for text in (TRICKY, SPAMMY, '"Quoted" words, @handle #tag :-) http://x.co/a?b=1'):
        words = words_of(featurizer, text)
        assert [w.term for w in words] == featurizer.tokens(text)
        assert all(text[w.start : w.end] == w.word for w in words)
        assert [w.start for w in words] == sorted(w.start for w in words)


def test_char_ngram_words_are_the_regexp_words():
    featurizer = Featurizer(FeatureSettings(analyzer="char_wb", ngram_range=(2, 3)), [])
    words = words_of(featurizer, "Hello, WORLD's end")
    assert [(w.word, w.term) for w in words] == [
        ("Hello", "hello"),
        ("WORLD's", "world's"),
        ("end", "end"),
    ]


@pytest.mark.parametrize(
    "settings, texts",
    [
        (
            FeatureSettings(kind="bow", analyzer="char_wb", ngram_range=(1, 4)),
            ["Aa bb, ccc!  d", "x", "Hello  WORLD's end\tab"],
        ),
        (
            FeatureSettings(kind="bow", analyzer="word+char_wb", ngram_range=(1, 2)),
            ["Free prize, free!", "free the prize now", "check my channel, it's new"],
        ),
    ],
    ids=["char_wb", "word+char_wb"],
)
def test_occurrences_of_every_term_match_scikit_learn_counts(settings, texts):
    featurizer = fit_featurizer(settings, texts)
    index = {term: j for j, term in enumerate(featurizer.vocabulary)}
    mark = CHAR_MARK if settings.word_ngrams else ""
    for text in texts:
        words = words_of(featurizer, text)
        counted = Counter(j for j, _ in char_ngram_occurrences(text, settings, index, words, mark))
        if settings.word_ngrams:  # words, as the model reads them, and their pairs
            terms = [w.term for w in words]
            assert terms == featurizer.tokens(text)
            for n in range(settings.word_ngrams[0], settings.word_ngrams[1] + 1):
                counted.update(index[" ".join(terms[i : i + n])] for i in range(len(terms) - n + 1))
        row = featurizer.transform([text]).toarray()[0]
        assert counted == Counter({j: int(v) for j, v in enumerate(row) if v})


# ---------------------------------------------------------------- probabilities


def test_class_probabilities_are_sorted_and_match_the_model(tfidf):
    pairs = class_probabilities(tfidf, SPAMMY)
    assert sorted(label for label, _ in pairs) == ["not spam", "spam"]
    assert pairs[0][1] >= pairs[1][1]
    assert sum(p for _, p in pairs) == pytest.approx(1.0)
    spam = tfidf.predict_proba([SPAMMY])[0, 1]
    assert dict(pairs)["spam"] == pytest.approx(spam)


# ---------------------------------------------------------------- occlusion


def test_occlusion_gives_one_number_per_word_measured_exactly(tfidf):
    text = "Please SUBSCRIBE to my channel, it's new: http://example.com"
    found = occlusion(tfidf, text, target="spam", scale="probability")
    assert [c.term for c in found] == tfidf.featurizer.tokens(text)
    top = max(found, key=lambda c: c.contribution)
    assert top.contribution > 0
    without = text[: top.start] + " " + text[top.end :]
    p_full, p_without = tfidf.predict_proba([text, without])[:, 1]
    assert top.contribution == pytest.approx(p_full - p_without, abs=1e-6)
    assert p_without < p_full


def test_spam_words_push_towards_spam(tfidf):
    found = {c.term: c.contribution for c in occlusion(tfidf, SPAMMY, target="spam")}
    assert found["subscribe"] > 0 or found["channel"] > 0


def test_default_target_is_the_predicted_class(tfidf):
    predicted = tfidf.label_names.index(class_probabilities(tfidf, SPAMMY)[0][0])
    assert occlusion(tfidf, SPAMMY) == occlusion(tfidf, SPAMMY, target=predicted)
    towards_other = occlusion(tfidf, SPAMMY, target=1 - predicted)
    for a, b in zip(occlusion(tfidf, SPAMMY), towards_other, strict=True):
        assert a.contribution == pytest.approx(-b.contribution, abs=1e-6)


def test_each_occurrence_of_a_repeated_word_is_separate(tfidf):
    found = occlusion(tfidf, "subscribe now subscribe", target="spam", scale="probability")
    assert [c.term for c in found] == ["subscribe", "now", "subscribe"]
    assert (found[0].start, found[2].start) == (0, 14)
    # Removing either copy leaves a different text ("now subscribe" vs "subscribe now").
    p = tfidf.predict_proba(["subscribe now subscribe", "  now subscribe", "subscribe now  "])[:, 1]
    assert found[0].contribution == pytest.approx(p[0] - p[1], abs=1e-6)
    assert found[2].contribution == pytest.approx(p[0] - p[2], abs=1e-6)


def test_words_the_model_never_saw_contribute_nothing(tfidf):
    found = occlusion(tfidf, "Qwzxv blorftique zzyzzx")
    assert len(found) == 3
    assert not any(c.known for c in found)
    assert all(c.contribution == 0.0 for c in found)


@pytest.mark.parametrize("text", ["", "   \n", "?!... -- :)"])
def test_text_without_words_is_a_data_error(tfidf, text):
    with pytest.raises(DataError):
        occlusion(tfidf, text)
    with pytest.raises(DataError):
        gradient_x_input(tfidf, text)


def test_too_many_words_and_unknown_targets_are_refused(tfidf):
    with pytest.raises(DataError, match="at most"):
        occlusion(tfidf, "word " * (MAX_WORDS + 1))
    with pytest.raises(DataError, match="not a class"):
        occlusion(tfidf, SPAMMY, target="ham")
    with pytest.raises(ValueError):
        occlusion(tfidf, SPAMMY, target=2)


# ---------------------------------------------------------------- gradient × input


def test_gradient_x_input_matches_a_hand_worked_gradient(tfidf):
    text = "Check out my channel check"
    found = gradient_x_input(tfidf, text, target="spam", scale="probability")
    assert len(found) == len(tfidf.featurizer.tokens(text))
    x = tfidf.featurizer.transform([text]).toarray().astype(np.float64)
    _, gradient = _dense_head_gradient(tfidf, x)
    # Every column of this text is an n-gram of its words, so the shares add up to g · x.
    total = float((gradient * x[0]).sum())
    assert sum(c.contribution for c in found) == pytest.approx(total, rel=1e-3, abs=1e-7)
    # "out" is in the unigram "out" and the bigrams "check out" and "out my", halves of each.
    index = {t: j for j, t in enumerate(tfidf.featurizer.vocabulary)}
    share = {
        t: gradient[index[t]] * x[0, index[t]] / (2 if " " in t else 1)
        for t in ("out", "check out", "out my")
        if t in index
    }
    assert found[1].contribution == pytest.approx(sum(share.values()), rel=1e-3, abs=1e-7)


def test_gradient_x_input_agrees_in_sign_with_occlusion_on_the_top_word(tfidf):
    text = "Please SUBSCRIBE to my channel http://example.com"
    by_occlusion = occlusion(tfidf, text, target="spam")
    by_gradient = gradient_x_input(tfidf, text, target="spam")
    top = top_contributions(by_occlusion, 1)[0]
    assert np.sign(by_gradient[top.position].contribution) == np.sign(top.contribution)


def test_gradient_x_input_for_an_embedding_model(embedding):
    text = "subscribe to my channel for free gift cards now please and share this video"
    found = gradient_x_input(embedding, text, target="spam", scale="probability")
    tokens = embedding.featurizer.tokens(text)
    assert len(found) == len(tokens) > 8
    # The model reads the first sequence_length = 8 words only.
    assert all(c.contribution == 0.0 for c in found[8:])
    ids = embedding.featurizer.transform([text])[0]
    table = np.asarray(embedding.model.get_layer("embedding").weights[0], dtype=np.float64)
    vectors = table[ids[ids != 0]]
    pooled = vectors.mean(axis=0, keepdims=True)
    p, gradient = _dense_head_gradient(embedding, pooled)
    assert embedding.predict_proba([text])[0, 1] == pytest.approx(p, abs=1e-5)
    expected = vectors @ gradient / len(vectors)
    got = [c.contribution for c in found[:8]]
    np.testing.assert_allclose(got, expected, rtol=1e-3, atol=1e-7)
    assert len(occlusion(embedding, text)) == len(tokens)


# ---------------------------------------------------------------- display


def _strip_tags(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]*>", "", markup))


def test_highlight_escapes_user_text_and_keeps_it_whole(tfidf):
    text = '<script>alert(1)</script> & subscribe\n"now" <b>x</b>'
    found = occlusion(tfidf, text, target="spam")
    markup = highlight_html(text, found)
    assert "<script" not in markup and "<b>" not in markup
    assert markup.count("&lt;") == text.count("<") and "&amp;" in markup
    assert _strip_tags(markup) == text
    assert markup.count("<span") == len(found)
    assert markup.count('title="') == len(found)


def test_highlight_colours_follow_the_sign():
    contributions = [
        WordContribution(0, "good", "good", 0, 4, 0.2, True),
        WordContribution(1, "bad", "bad", 5, 8, -0.1, True),
        WordContribution(2, "meh", "meh", 9, 12, 0.0, True),
    ]
    markup = highlight_html("good bad meh", contributions)
    spans = re.findall(r"background-color: ([^;]+);", markup)
    assert spans[0].startswith("rgba(231, 111, 81, 0.75")  # the largest, full strength
    assert spans[1].startswith("rgba(42, 157, 143")
    assert spans[2] == "transparent"
    assert 'title="good: +0.2000"' in markup


def test_frame_and_figures(tfidf):
    found = occlusion(tfidf, "<b>Subscribe</b> subscribe to my channel", target="spam")
    frame = contributions_frame(found)
    assert list(frame.columns) == ["position", "word", "term", "known", "contribution"]
    assert len(frame) == len(found) == 7
    fig = contributions_figure(found, "spam", n=3)
    assert len(fig.data[0].y) == 3
    assert all("<b>" not in name for name in fig.data[0].y)
    probabilities = probabilities_figure(class_probabilities(tfidf, SPAMMY))
    assert list(probabilities.data[0].x) == sorted(probabilities.data[0].x, reverse=True)


# ---------------------------------------------------------------- log-odds


SURE = "have a FREE prize 1 T Jackpot"
FAVOURED = ("free", "prize", "jackpot")


@pytest.fixture(scope="module")
def sure_model():
    """A spam model with weights chosen by hand: three words push hard towards spam, every other
    word a little, so a text with all three is predicted far above 0.9999."""
    corpus = ["have a free prize", "1 t jackpot now", "a song I love", "have a nice day"]
    settings = FeatureSettings(kind="bow", analyzer="word", ngram_range=(1, 1))
    featurizer = fit_featurizer(settings, corpus)
    net = ClassifierNet("sparse", featurizer.input_dim, 2, hidden=())
    model = build_classifier_model(net, seed=0)
    rng = np.random.default_rng(0)
    kernel = rng.uniform(0.05, 0.3, size=(featurizer.input_dim, 1))
    for j, term in enumerate(featurizer.vocabulary):
        if term in FAVOURED:
            kernel[j] = 9.0 + j % 3  # 9, 10 or 11: distinct, so their order is known too
    model.get_layer("output").set_weights([kernel.astype(np.float32), np.array([2.0], np.float32)])
    record = RunRecord(kind="classifier", message="built by hand")
    return TrainedClassifier(featurizer, model, ("ham", "spam"), net, ClassifierSettings(), record)


def test_log_odds_of_a_softmax_target_match_the_probabilities():
    logits = np.array([[2.0, 0.5, -1.0], [0.0, 0.0, 0.0], [40.0, -5.0, 3.0]])
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    for target in range(3):
        expected = np.log(p[:, target]) - np.log1p(-p[:, target])
        got = log_odds_from_logits(logits, target, binary=False)
        np.testing.assert_allclose(got[:2], expected[:2], rtol=1e-9)
        assert np.isfinite(got).all()
    # p rounds to 1 here, but the log-odds are still 40 − log(e^-5 + e^3).
    assert log_odds_from_logits(logits, 0, False)[2] == pytest.approx(
        40 - np.log(np.exp(-5) + np.exp(3))
    )
    binary = np.array([[3.0], [-2.0]])
    np.testing.assert_array_equal(log_odds_from_logits(binary, 1, True), [3.0, -2.0])
    np.testing.assert_array_equal(log_odds_from_logits(binary, 0, True), [-3.0, 2.0])


def test_output_logits_are_what_the_sigmoid_turns_into_probabilities(tfidf):
    texts = [SPAMMY, "love this song", "subscribe now subscribe"]
    z = output_logits(tfidf, tfidf.featurizer.transform(texts))
    assert z.shape == (3, 1)
    np.testing.assert_allclose(_sigmoid(z[:, 0]), tfidf.predict_proba(texts)[:, 1], atol=1e-6)


@pytest.mark.parametrize("explain", [occlusion, gradient_x_input])
def test_favoured_words_rank_first_when_the_model_is_sure(sure_model, explain):
    assert sure_model.predict_proba([SURE])[0, 1] > 0.9999
    found = explain(sure_model, SURE)  # log-odds by default; the predicted class is spam
    top = top_contributions(found, 3)
    assert {c.term for c in top} == set(FAVOURED)
    assert all(c.contribution > 1.0 for c in top)
    # The shading says the same as the bars: the three are warm and the strongest.
    strongest = largest_abs(found)
    for c in top:
        assert shade(c.contribution, strongest).startswith("rgba(231, 111, 81")
    weakest_top = min(abs(c.contribution) for c in top)
    assert all(abs(c.contribution) < weakest_top for c in found if c.term not in FAVOURED)


def test_occlusion_in_log_odds_is_the_logit_change(sure_model):
    found = occlusion(sure_model, SURE)
    jackpot = next(c for c in found if c.term == "jackpot")
    without = SURE[: jackpot.start] + " " + SURE[jackpot.end :]
    z = output_logits(sure_model, sure_model.featurizer.transform([SURE, without]))[:, 0]
    assert jackpot.contribution == pytest.approx(z[0] - z[1], rel=1e-6)
    # On the probability scale the same word hardly moves anything: the prediction is saturated.
    in_probability = occlusion(sure_model, SURE, scale="probability")
    assert max(abs(c.contribution) for c in in_probability) < 1e-3


def test_gradient_in_log_odds_of_a_linear_model_is_weight_times_input(sure_model):
    found = gradient_x_input(sure_model, SURE, target="spam")
    x = sure_model.featurizer.transform([SURE]).toarray()[0]
    kernel = sure_model.model.get_layer("output").get_weights()[0][:, 0]
    index = {t: j for j, t in enumerate(sure_model.featurizer.vocabulary)}
    for c in found:
        j = index.get(c.term)
        expected = 0.0 if j is None else kernel[j] * x[j]
        assert c.contribution == pytest.approx(expected, rel=1e-4, abs=1e-6)


def test_unknown_scales_are_refused(tfidf):
    with pytest.raises(ValueError, match="scale"):
        occlusion(tfidf, SPAMMY, scale="odds")
    with pytest.raises(ValueError, match="scale"):
        gradient_x_input(tfidf, SPAMMY, scale="odds")


def test_bars_take_the_shade_of_their_word(tfidf):
    text = "Please SUBSCRIBE to my channel, it's new: http://example.com"
    found = occlusion(tfidf, text, target="spam")
    fig = contributions_figure(found, "spam", n=5)
    markup = highlight_html(text, found)
    spans = re.findall(
        r'<span title="[^"]*" style="background-color: ([^;]+);[^>]*>([^<]*)<', markup
    )
    by_word = {html.unescape(word): colour for colour, word in spans}
    for name, colour in zip(fig.data[0].y, fig.data[0].marker.color, strict=True):
        word = name.split(". ", 1)[1]
        assert by_word[html.unescape(word)] == colour
    assert "log-odds" in fig.layout.xaxis.title.text
    assert (
        "p(spam)"
        in contributions_figure(found, "spam", scale="probability").layout.xaxis.title.text
    )


def test_log_odds_of_a_softmax_model_by_occlusion_and_by_gradient():
    corpus = ["red apple", "green pear", "blue sky", "red sky", "green apple"]
    settings = FeatureSettings(kind="bow", analyzer="word", ngram_range=(1, 1))
    featurizer = fit_featurizer(settings, corpus)
    net = ClassifierNet("sparse", featurizer.input_dim, 3, hidden=())
    model = build_classifier_model(net, seed=0)
    rng = np.random.default_rng(1)
    kernel = rng.normal(0, 2, size=(featurizer.input_dim, 3))
    bias = np.array([0.1, -0.2, 0.3])
    model.get_layer("output").set_weights([kernel.astype(np.float32), bias.astype(np.float32)])
    record = RunRecord(kind="classifier", message="built by hand")
    trained = TrainedClassifier(
        featurizer, model, ("a", "b", "c"), net, ClassifierSettings(), record
    )
    text = "red green sky"
    x = featurizer.transform([text]).toarray()[0]
    z = x @ kernel + bias
    for target in range(3):
        # Occlusion: the change in z_t − log Σ_{j≠t} exp z_j when a word goes.
        found = occlusion(trained, text, target=target)
        for c in found:
            without = featurizer.transform([text[: c.start] + " " + text[c.end :]]).toarray()[0]
            before = log_odds_from_logits(z[None, :], target, False)[0]
            after = log_odds_from_logits((without @ kernel + bias)[None, :], target, False)[0]
            assert c.contribution == pytest.approx(before - after, rel=1e-4, abs=1e-5)
        # Gradient × input: d/dx of the same log-odds is w_t − Σ_{j≠t} q_j w_j.
        others = [j for j in range(3) if j != target]
        q = np.exp(z[others] - z[others].max())
        q /= q.sum()
        gradient = kernel[:, target] - kernel[:, others] @ q
        index = {t: j for j, t in enumerate(featurizer.vocabulary)}
        by_gradient = gradient_x_input(trained, text, target=target)
        expected = [gradient[index[c.term]] * x[index[c.term]] for c in by_gradient]
        got = [c.contribution for c in by_gradient]
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)
