"""The word-vector pages' "Show the code": each snippet makes its vectors again, then uses them.

A snippet must run on its own, so it starts from where the vectors on screen came from
(:func:`vector_set_code`): the quick Lee model, word2vec trained on a bundled corpus with the
settings used, or the file that was loaded. Then come the ``core`` calls the page made.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.data.snippets import script, settings_call

if TYPE_CHECKING:
    from core.embeddings.projection import ProjectionSettings
    from core.embeddings.vectors import VectorSet

Imports = list[tuple[str, str]]
WORD2VEC = "core.embeddings.word2vec"
LOAD = ("core.embeddings.vector_read", "load_vectors")
UPLOADED_CORPUS = "your_corpus.txt"


def _trained_code(vector_set: VectorSet, name: str) -> tuple[Imports, str]:
    from core.data.datasets import GENSIM_CORPORA
    from core.embeddings.word2vec import QUICK_SETTINGS, Word2VecSettings

    settings = Word2VecSettings(**vector_set.settings)
    if vector_set.corpus == "lee_background" and settings == QUICK_SETTINGS:
        return (
            [(WORD2VEC, "quick_vector_set")],
            f"{name} = quick_vector_set()  # skip-gram, 50 dimensions, on the Lee news corpus",
        )
    names: set[tuple[str, str]] = {(WORD2VEC, "corpus_sentences"), (WORD2VEC, "train_vector_set")}
    call = settings_call(settings, names)
    files = {filename.removesuffix(".cor"): filename for filename in GENSIM_CORPORA.values()}
    if vector_set.corpus in files:
        names.add(("core.data.datasets", "gensim_corpus"))
        sentences = f"corpus_sentences(gensim_corpus({files[vector_set.corpus]!r}))"
    else:  # an uploaded corpus: one document per line
        sentences = (
            f"corpus_sentences(open({UPLOADED_CORPUS!r}, encoding='utf-8').read().splitlines())"
        )
    return sorted(names), (
        f"sentences = {sentences}\n"
        f"{name}, _ = train_vector_set(sentences, {vector_set.corpus!r}, {call})"
    )


def vector_set_code(vector_set: VectorSet, name: str = "vector_set") -> tuple[Imports, str]:
    """The imports and the lines that make ``vector_set`` again under the variable ``name``.

    Trained vectors are trained again with their settings on their corpus (the quick Lee model
    by its own function); loaded ones are read from their file, by the name it was loaded under.
    """
    if vector_set.corpus:
        return _trained_code(vector_set, name)
    file = vector_set.settings.get("file", f"{vector_set.name}.txt")
    options = ""
    if vector_set.settings.get("format"):
        options += f", format={vector_set.settings['format']!r}"
    if " (first " in vector_set.name and vector_set.settings.get("rows_read"):
        options += f", max_words={vector_set.settings['rows_read']}"
    return [LOAD], (
        f"# {vector_set.source}\n{name} = load_vectors({file!r}, open({file!r}, 'rb').read()"
        f"{options})"
    )


def neighbours_code(vector_set: VectorSet, word: str, topn: int) -> str:
    """The closest words to ``word``, as the Neighbours tab finds them."""
    imports, make = vector_set_code(vector_set)
    return script(
        [*imports, ("core.embeddings.similarity", "neighbours")],
        make,
        f"print(neighbours(vector_set, {word!r}, topn={topn}))  # [(word, cosine), ...] closest "
        "first\n"
        f"# gensim alone: vector_set.vectors.most_similar({word!r}, topn={topn})",
    )


def analogy_code(vector_set: VectorSet, a: str, b: str, c: str, topn: int) -> str:
    """``a : b :: c : ?`` by 3CosAdd and 3CosMul, as the Analogy tab solves it."""
    imports, make = vector_set_code(vector_set)
    return script(
        [*imports, ("core.embeddings.similarity", "analogy")],
        make,
        f"""result = analogy(vector_set, {a!r}, {b!r}, {c!r}, topn={topn})
print(result.add)  # 3CosAdd: most_similar(positive=[{b!r}, {c!r}], negative=[{a!r}])
print(result.mul)  # 3CosMul: most_similar_cosmul(positive=[{b!r}, {c!r}], negative=[{a!r}])""",
    )


def evaluation_code(model_a: VectorSet, model_b: VectorSet | None, restrict_vocab: int) -> str:
    """The benchmarks of one model, or of two side by side, as the Evaluate page runs them."""
    imports, make = vector_set_code(model_a, "model_a")
    blocks = [make]
    evaluate = f"""evaluation_a = evaluate(model_a, restrict_vocab={restrict_vocab})
print(evaluation_a.analogy_table())  # questions-words.txt: accuracy and OOV share by section
print(evaluation_a.pairs_table())  # Spearman on WordSim-353 and SimLex-999"""
    imports.append(("core.embeddings.evaluation", "evaluate"))
    if model_b is not None:
        more, make_b = vector_set_code(model_b, "model_b")
        imports += [*more, ("core.embeddings.evaluation", "compare")]
        blocks.append(make_b)
        evaluate += (
            f"\nevaluation_b = evaluate(model_b, restrict_vocab={restrict_vocab})\n"
            "print(compare([evaluation_a, evaluation_b]))  # one row per benchmark"
        )
    return script(imports, *blocks, evaluate)


def projection_code(
    vector_set: VectorSet,
    settings: ProjectionSettings,
    highlight: str | None,
    colour_by: str | None,
    k: int,
) -> str:
    """The words chosen, their projection and the table the Project page draws its map from."""
    imports, make = vector_set_code(vector_set)
    names: set[tuple[str, str]] = set()
    call = settings_call(settings, names)
    projection = "core.embeddings.projection"
    return script(
        [
            *imports,
            *names,
            (projection, "projection_words"),
            (projection, "run_projection"),
            (projection, "word_matrix"),
            ("core.embeddings.projection_table", "projection_frame"),
        ],
        make,
        f"""settings = {call}
words = projection_words(vector_set, settings, {highlight!r}, {colour_by!r}, k={k})
projection = run_projection(word_matrix(vector_set, words), settings, progress=print)
frame = projection_frame(vector_set, settings, projection.coords, {highlight!r}, {colour_by!r}, k={k})
print(frame.head())  # a word per row: its coordinates, frequency and what the map marks""",
    )


EXAMPLE_FILE = b"3 4\ncat 0.1 0.2 0.3 0.4\ndog 0.2 0.1 0.3 0.5\nbook -0.3 0.4 0.1 0.0\n"


def vectors_io_code(vector_set: VectorSet | None, projector_words: int | None = None) -> str:
    """Export ``vector_set`` as the page's downloads and read the text file back; with no
    vectors, read a small word2vec text file written inline."""
    if vector_set is None:
        return script(
            [LOAD],
            f"""# A word2vec text file's bytes: open("vectors.txt", "rb").read(). A small one instead:
data = {EXAMPLE_FILE!r}
vectors = load_vectors("vectors.txt", data)  # checked line by line; pickles are refused
print(len(vectors), "words x", vectors.dimension, "dimensions:", vectors.top_words(3))""",
        )
    imports, make = vector_set_code(vector_set)
    count = len(vector_set) if projector_words is None else projector_words
    return script(
        [*imports, LOAD, ("core.embeddings", "vector_write")],
        make,
        f"""text = vector_write.to_word2vec_text(vector_set)  # the .txt download
binary = vector_write.to_word2vec_binary(vector_set)  # the .bin download
vectors_tsv, metadata_tsv = vector_write.to_projector_tsv(vector_set, vector_set.top_words({count}))

# Import: the text file read back, as the upload box reads it
loaded = load_vectors("vectors.txt", text)
print(len(loaded), "words x", loaded.dimension, "dimensions")""",
    )
