"""Runs: every training of this session, overlaid and compared, exportable and deletable."""

import streamlit as st

from core.data.export import escape_table
from core.figures.runs import runs_overlay_figure
from core.nn.runs import (
    ALL_KINDS,
    curves_frame,
    differing_settings,
    labelled_curves,
    of_kind,
    run_kinds,
    runs_csv,
    runs_frame,
    runs_json,
    telling_labels,
)
from pages.ui.live_jobs import settle_run
from pages.ui.patches import require_navigation
from pages.ui.stores import session_runs


def short_number(value):
    """A float as a person writes it: 10.01, 0.1, 300 (Styler's default is 10.010000)."""
    if not isinstance(value, float):
        return value
    return f"{value:.0f}" if value.is_integer() else f"{value:.4g}"


require_navigation()

st.title("Runs")
st.markdown(
    "Every training of this session is a run: the playground, word2vec, the classifier and the "
    "other training pages add one each time you press Train. Pick runs to overlay their curves "
    "and compare their settings and results; the settings that differ are highlighted. Runs "
    "live in your browser session only: nobody else sees them, and they are gone when the "
    "session ends, unless you export them."
)

runs = session_runs()
for record in runs:
    settle_run(record)  # a run left mid-training is stopped and marked so, never complete
if not runs:
    st.info(
        "No runs yet. Train something, for example on the Playground, then come back.",
        icon=":material/info:",
    )
    st.page_link("pages/playground.py", label="Playground", icon=":material/scatter_plot:")
    st.stop()

kinds = run_kinds(runs)
kind = st.selectbox(
    "Kind of run",
    [*kinds, ALL_KINDS],
    help="Runs of one kind share their curves' scale and their settings; the latest run's kind "
    "comes first.",
    key="runs_kind",
)
runs_of_kind = of_kind(runs, kind)
number_of = {r.run_id: r.number or i + 1 for i, r in enumerate(runs)}
labels = telling_labels(runs_of_kind, [number_of[r.run_id] for r in runs_of_kind])
selection_key = f"runs_selected_{kind}_{runs_of_kind[-1].run_id if runs_of_kind else ''}"
chosen = st.multiselect(
    "Runs to compare",
    list(labels),
    default=list(labels)[-3:],
    format_func=labels.get,
    # A new run of this kind is a new choice, so it starts selected with the latest ones.
    key=selection_key,
)
if kind == ALL_KINDS and len({r.kind for r in runs if r.run_id in chosen}) > 1:
    st.caption(
        "These runs are of different kinds: their losses measure different things, on "
        "different scales. Pick one kind above to compare like with like."
    )
selected = [r for r in runs_of_kind if r.run_id in chosen]
if not selected:
    st.info("Pick at least one run above.", icon=":material/info:")
    st.stop()
numbers = [number_of[r.run_id] for r in selected]

curve_names = sorted({name for r in selected for name in r.history})
default_curves = [n for n in ("loss", "val_loss") if n in curve_names] or curve_names[:1]
shown = st.multiselect("Curves", curve_names, default=default_curves, key="runs_curves")
curves = labelled_curves({labels[r.run_id]: r for r in selected}, shown)
if curves:
    st.plotly_chart(
        runs_overlay_figure(
            curves,
            y_title=", ".join(shown),
            dashed=[name for name in curves if name.rsplit(" · ", 1)[1].startswith("val_")],
        ),
        key="runs_overlay",
    )
    with st.expander("Curve data"):
        st.dataframe(curves_frame(curves))

frame = runs_frame(selected, numbers)
differing = differing_settings(frame)
st.subheader("Settings and results")
if len(selected) > 1:
    st.caption(
        f"{len(differing)} setting(s) differ between these runs, highlighted."
        if differing
        else "These runs share every setting."
    )


table = escape_table(frame)
styled = table.style.apply(
    lambda column: (
        ["background-color: rgba(244, 162, 97, 0.35)"] * len(column)
        if column.name in differing
        else [""] * len(column)
    )
).format(short_number, na_rep="–")
st.dataframe(styled, placeholder="–")

left, middle, right = st.columns(3)
left.download_button(
    "Runs as CSV",
    runs_csv(selected, numbers),
    file_name="runs.csv",
    mime="text/csv",
    icon=":material/download:",
    key="runs_csv",
)
middle.download_button(
    "Runs as JSON (with curves)",
    runs_json(selected, numbers),
    file_name="runs.json",
    mime="application/json",
    icon=":material/download:",
    key="runs_json",
)


def delete_selected() -> None:
    keep = [r for r in session_runs() if r.run_id not in set(chosen)]
    st.session_state["runs"] = keep
    st.session_state.pop(selection_key, None)


right.button(
    f"Delete the {len(selected)} selected run(s)",
    on_click=delete_selected,
    icon=":material/delete:",
    key="runs_delete",
)
