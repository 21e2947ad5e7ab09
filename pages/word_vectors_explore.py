"""Explore word vectors: nearest neighbours, analogies, the odd one out, pair similarity."""

import pandas as pd
import streamlit as st

from core.data.display import escape_markdown
from core.data.export import escape_table
from core.embeddings import similarity as ws
from core.embeddings import snippets
from core.embeddings.analogy_picks import (
    FEW_OCCURRENCES,
    AnalogyPick,
    answerable_analogies,
    too_rare,
    word_evidence,
)
from core.errors import DataError
from core.figures.word_vectors import neighbours_figure, odd_one_out_figure
from pages.ui.display import show_code
from pages.ui.patches import require_navigation
from pages.ui.stores import choose_vector_set
from pages.ui.uploads import show_data_error

require_navigation()

st.title("Explore word vectors")
st.markdown(
    "A word2vec model gives every word of its vocabulary a vector. Words used in similar "
    "contexts end up pointing in similar directions, and **cosine similarity** measures "
    "exactly that: the cosine of the angle between two vectors, from **1** (same direction) "
    "through **0** (unrelated) to **-1** (opposite). It ignores the vectors' lengths, so a "
    "frequent word and a rare one can still be close."
)
st.page_link(
    "pages/text_to_numbers.py",
    label="Cosine similarity between whole documents: Text → numbers",
    icon=":material/pin:",
)

vectors = choose_vector_set("Word vectors", key="explore_vectors")
if vectors is None:
    st.stop()

# First visit: start every box on words this vocabulary knows. Set before the widgets exist,
# so that suggestion buttons can later change them through st.session_state.
analogy_default = ws.default_analogy(vectors)
pair_default = ws.default_pair(vectors)
for key, value in {
    "explore_word": ws.default_neighbour_word(vectors),
    "explore_topn": 10,
    "explore_a": analogy_default[0],
    "explore_b": analogy_default[1],
    "explore_c": analogy_default[2],
    "explore_analogy_topn": 5,
    "explore_odd_words": " ".join(ws.default_odd_words(vectors)),
    "explore_pair_1": pair_default[0],
    "explore_pair_2": pair_default[1],
}.items():
    st.session_state.setdefault(key, value)


def use_word(key: str, old: str, new: str) -> None:
    """Put ``new`` in place of ``old`` in the text box ``key`` (a word or a list of words)."""
    value = st.session_state.get(key, "")
    words = ws.split_words(value)
    if len(words) <= 1:
        st.session_state[key] = new
        return
    cleaned = [new if w == old or w.lower() == old.lower() else w for w in words]
    st.session_state[key] = (", " if "," in value else " ").join(cleaned)


def show_word_error(error: DataError, key: str) -> None:
    """The error, then the closest spellings as buttons that put the word in box ``key``."""
    show_data_error(error)
    suggestions = getattr(error, "suggestions", [])
    if suggestions:
        st.caption("Use one of the closest spellings instead:")
        row = st.container(horizontal=True)
        for i, suggestion in enumerate(suggestions):
            row.button(
                escape_markdown(suggestion),
                key=f"{key}_suggestion_{i}",
                on_click=use_word,
                args=(key, error.word, suggestion),
                icon=":material/spellcheck:",
            )


def count_column(words: list[str]) -> dict:
    """How often each word occurred in training, when the vectors know it."""
    if not vectors.has_counts:
        return {}
    return {"corpus count": [vectors.count(w) for w in words]}


if len(vectors) < ws.LARGE_VOCABULARY:
    st.caption(
        f"These vectors know {len(vectors):,} words. A small corpus gives rough answers: most "
        "words were seen only a few times, so their neighbours mix real relations with chance "
        "co-occurrences. Vectors trained on millions of sentences do much better."
    )

neighbours_tab, analogy_tab, odd_tab, pair_tab = st.tabs(
    ["Neighbours", "Analogy", "Odd one out", "Similarity of two words"]
)

# ------------------------------------------------------------------ neighbours
with neighbours_tab:
    with st.form("explore_neighbours_form"):
        left, right = st.columns([3, 1])
        left.text_input("Word", key="explore_word")
        right.number_input(
            "How many neighbours",
            min_value=1,
            max_value=50,
            step=1,
            key="explore_topn",
            help="gensim's topn: the number of closest words to list.",
        )
        st.form_submit_button("Find neighbours", icon=":material/search:")
    try:
        found = ws.neighbours(
            vectors, st.session_state["explore_word"], int(st.session_state["explore_topn"])
        )
    except DataError as error:
        show_word_error(error, "explore_word")
    else:
        word = ws.resolve_word(vectors, st.session_state["explore_word"])
        st.subheader(f"Closest words to '{word}'")
        words = [w for w, _ in found]
        table = pd.DataFrame(
            {"word": words, "cosine": [s for _, s in found], **count_column(words)},
            index=pd.RangeIndex(1, len(words) + 1, name="rank"),
        )
        table_col, chart_col = st.columns([2, 3])
        table_col.dataframe(
            escape_table(table),
            column_config={"cosine": st.column_config.NumberColumn(format="%.3f")},
        )
        with chart_col:
            st.plotly_chart(neighbours_figure(found, word), key="explore_neighbours_chart")
        st.caption(
            "gensim's most_similar: the cosine of the word's vector with every other vector, "
            "highest first, the word itself left out. The table beside the chart holds its data."
        )
    show_code(
        snippets.neighbours_code(
            vectors, st.session_state["explore_word"], int(st.session_state["explore_topn"])
        )
    )


# ------------------------------------------------------------------ analogy
def use_analogy(pick: AnalogyPick) -> None:
    """Put an answerable analogy's three words in the boxes."""
    st.session_state.update(explore_a=pick.a, explore_b=pick.b, explore_c=pick.c)


def show_answerable_analogies(vectors) -> None:
    """On request, the test-file analogies these vectors answer, each one click from the boxes."""
    with st.expander("Analogies these vectors answer", icon=":material/lightbulb:"):
        st.caption(
            "From gensim's questions-words.txt (19,544 questions in 14 sections): the questions "
            "these vectors answer correctly, from the sections where they score best."
        )
        memo = st.session_state.setdefault("_answerable", {})
        if vectors.name not in memo:
            if not st.button("Find them", key="explore_find_answerable"):
                return
            memo[vectors.name] = answerable_analogies(vectors)
        picks = memo[vectors.name]
        if not picks:
            st.info("These vectors answer none of the test questions.", icon=":material/info:")
        for index, pick in enumerate(picks):
            st.button(pick.text, key=f"explore_pick_{index}", on_click=use_analogy, args=(pick,))


with analogy_tab:
    st.markdown(
        "**a : b :: c : ?** reads *a is to b as c is to ?*. If the relation from *a* to *b* is "
        "a direction in the space, adding it to *c* should land near the answer. Two ways "
        "of scoring a candidate word *x* (all vectors normalised to length 1):"
    )
    add_col, mul_col = st.columns(2)
    with add_col:
        st.markdown("**3CosAdd** (gensim `most_similar`)")
        st.latex(r"\arg\max_x \; \cos(x,\; b - a + c)")
        st.caption(
            "One sum of cosines: cos(x, b) − cos(x, a) + cos(x, c). A single large "
            "similarity can dominate, so the answer is often just a neighbour of b or c."
        )
    with mul_col:
        st.markdown("**3CosMul** (gensim `most_similar_cosmul`)")
        st.latex(r"\arg\max_x \; \frac{\cos'(x, b)\,\cos'(x, c)}{\cos'(x, a) + 0.000001}")
        st.caption(
            "Cosines shifted to [0, 1] as cos' = (1 + cos) / 2 and multiplied (Levy and "
            "Goldberg, 2014): x must be close to b and to c at once, and far from a."
        )
    with st.form("explore_analogy_form"):
        cols = st.columns([2, 2, 2, 1])
        cols[0].text_input("a", key="explore_a")
        cols[1].text_input("b", key="explore_b")
        cols[2].text_input("c", key="explore_c")
        cols[3].number_input("Answers", min_value=1, max_value=20, key="explore_analogy_topn")
        st.form_submit_button("Solve the analogy", icon=":material/calculate:")
    try:
        result = ws.analogy(
            vectors,
            st.session_state["explore_a"],
            st.session_state["explore_b"],
            st.session_state["explore_c"],
            topn=int(st.session_state["explore_analogy_topn"]),
        )
    except DataError as error:
        # Point the suggestion buttons at the box that holds the unknown word.
        key = "explore_a"
        for candidate in ("explore_a", "explore_b", "explore_c"):
            if st.session_state[candidate].strip().lower() == getattr(error, "word", "").lower():
                key = candidate
                break
        show_word_error(error, key)
    else:
        st.subheader(f"{result.a} : {result.b} :: {result.c} : ?")
        add_col, mul_col = st.columns(2)
        for column, name, answers, score in (
            (add_col, "3CosAdd", result.add, "cosine"),
            (mul_col, "3CosMul", result.mul, "3CosMul score"),
        ):
            with column:
                st.markdown(f"**{name}**: " + (f"*{answers[0][0]}*" if answers else "no answer"))
                st.dataframe(
                    escape_table(
                        pd.DataFrame(
                            {"word": [w for w, _ in answers], score: [s for _, s in answers]},
                            index=pd.RangeIndex(1, len(answers) + 1, name="rank"),
                        )
                    ),
                    column_config={score: st.column_config.NumberColumn(format="%.3f")},
                )
        st.caption(
            f"{result.a}, {result.b} and {result.c} are left out of the answers. A 3CosMul "
            "score above 1 means x is closer to b and c together than to a."
        )
        shown_words = [result.a, result.b, result.c, *(w for w, _ in result.add[:1])]
        evidence = word_evidence(vectors, shown_words)
        rare = too_rare(evidence)
        st.markdown(
            ("**Why the answer may be off:** " if rare else "**How often these words were seen:** ")
            + "; ".join(escape_markdown(e.describe()) for e in evidence)
            + (
                f". word2vec needs many contexts for a word (say {FEW_OCCURRENCES} or more) "
                "before its vector carries a relation; a small corpus answers few analogies."
                if rare
                else "."
            )
        )
    show_answerable_analogies(vectors)
    st.page_link(
        "pages/word_vectors_io.py",
        label="Load vectors trained on a large corpus (word2vec text or binary), which answer "
        "the classic analogies",
        icon=":material/upload_file:",
    )
    show_code(
        snippets.analogy_code(
            vectors,
            *(st.session_state[key] for key in ("explore_a", "explore_b", "explore_c")),
            topn=int(st.session_state["explore_analogy_topn"]),
        )
    )

# ------------------------------------------------------------------ odd one out
with odd_tab:
    st.markdown(
        "Which word does not belong? Each word is compared with the **mean of the others** "
        "(all vectors normalised first); the one with the lowest cosine is the odd one out."
    )
    with st.form("explore_odd_form"):
        st.text_input("Words, separated by spaces or commas", key="explore_odd_words")
        st.form_submit_button("Find the odd one out", icon=":material/rule:")
    try:
        odd = ws.doesnt_match(vectors, ws.split_words(st.session_state["explore_odd_words"]))
    except DataError as error:
        show_word_error(error, "explore_odd_words")
    else:
        st.subheader(f"The odd one out: '{odd.odd}'")
        table = pd.DataFrame(
            {
                "word": [w for w, _ in odd.scores],
                "cosine with the mean of the others": [s for _, s in odd.scores],
            }
        )
        table_col, chart_col = st.columns([2, 3])
        table_col.dataframe(
            escape_table(table),
            hide_index=True,
            column_config={
                "cosine with the mean of the others": st.column_config.NumberColumn(format="%.3f")
            },
        )
        with chart_col:
            st.plotly_chart(odd_one_out_figure(odd.scores, odd.odd), key="explore_odd_chart")
        st.caption(
            f"'{odd.odd}' has the lowest cosine with the average direction of the other words. "
            "gensim's doesnt_match does the same with the mean of all the words, itself included."
        )

# ------------------------------------------------------------------ two words
with pair_tab:
    with st.form("explore_pair_form"):
        left, right = st.columns(2)
        left.text_input("First word", key="explore_pair_1")
        right.text_input("Second word", key="explore_pair_2")
        st.form_submit_button("Compare", icon=":material/compare_arrows:")
    try:
        first = ws.resolve_word(vectors, st.session_state["explore_pair_1"])
    except DataError as error:
        show_word_error(error, "explore_pair_1")
    else:
        try:
            second = ws.resolve_word(vectors, st.session_state["explore_pair_2"])
        except DataError as error:
            show_word_error(error, "explore_pair_2")
        else:
            cosine = ws.similarity(vectors, first, second)
            cols = st.columns(3)
            cols[0].metric(f"cos({first}, {second})", f"{cosine:.3f}")
            cols[0].caption(f"An angle of {ws.cosine_to_degrees(cosine):.0f}° between the vectors.")
            if first != second:
                others = len(vectors) - 1
                for col, word, other in ((cols[1], first, second), (cols[2], second, first)):
                    rank = ws.neighbour_rank(vectors, word, other)
                    col.metric(f"Rank of '{other}' among the neighbours of '{word}'", f"{rank:,}")
                    col.caption(f"out of {others:,} other words")
            st.caption(
                "A cosine on its own is hard to read: in some models every pair scores above "
                "0.5. The rank says how the pair compares with every other word; it need not be "
                "the same both ways."
            )
