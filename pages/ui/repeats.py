"""The classifier page's repeated comparison: trained live as one job, shown as mean ± sd.

:func:`start_repeats` runs :func:`core.classifier.repeats.run_repeats` through the live-training
worker (progress bar, Stop button, the current run's curves); :func:`show_repeats` shows how it
ended, the spread-aware verdict, each model's mean ± sd and every run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from core.classifier.repeats import RepeatResult, mean_sd_table, run_repeats
from core.classifier.spread import t_factor
from core.nn.training import RunRecord, StopFlag
from pages.ui.live_jobs import run_live_training, settle_run
from pages.ui.uploads import show_data_error

RULE = (
    "Each run trains the network with its own seed and scores it and the baselines on the same "
    "test texts, so runs are compared in pairs (network − best baseline). A win or a loss is "
    "called only when the 95% interval of the mean paired gap (Student's t) excludes zero and "
    "the gap is over 0.005; otherwise the two are level. Standard deviations are over runs."
)


def start_repeats(
    repeat: RepeatResult,
    settings: dict[str, Any],
    draw: Callable[[RunRecord, str], None],
    key: str,
) -> RunRecord:
    """Run every (seed, fold) of ``repeat`` live, kept under ``key`` like a single run.

    ``settings`` describe the repeat on the Runs page; ``draw(record, key_prefix)`` draws the
    curves of the run in progress. Stop ends the repeat after the runs already finished.
    """
    record = RunRecord(kind="classifier repeats", settings=settings, result=repeat)
    record.total_epochs = repeat.progress()[1]

    def train(group: RunRecord, stop_flag: StopFlag) -> None:
        run_repeats(group.result_as(RepeatResult), record=group, stop_flag=stop_flag)

    def draw_current(group: RunRecord, key_prefix: str) -> None:
        current = group.result_as(RepeatResult).current
        if current is not None:
            draw(current, key_prefix)

    return run_live_training(
        train,
        record,
        draw_current,
        key=key,
        progress_of=lambda group: group.result_as(RepeatResult).progress(),
        progress_text=lambda group: group.result_as(RepeatResult).progress_text(),
    )


def show_repeat_status(record: RunRecord) -> None:
    """How the repeat ended: complete, stopped after some runs, or failed with the reason."""
    settle_run(record)
    repeat = record.result_as(RepeatResult)
    done, total = len(repeat.runs), repeat.total_runs
    shape = f"{len(repeat.seeds)} seed(s) × {len(repeat.folds)} test set(s)"
    if repeat.error is not None:
        show_data_error(repeat.error)
    elif record.status == "failed":
        st.error(f"**The repeat failed** after {done} of {total} runs. {record.message}")
    elif record.status == "stopped":
        st.warning(
            f"**Stopped** after {done} of {total} runs ({shape}). The numbers below are over "
            "the runs that finished; a run stopped while training is left out.",
            icon=":material/stop_circle:",
        )
    else:
        st.success(
            f"**Complete**: {total} runs ({shape}) in {record.duration:.1f} s on {record.device}.",
            icon=":material/check_circle:",
        )


def show_repeats(record: RunRecord) -> None:
    """The repeat's status, then its verdict, the mean ± sd table and every run's scores."""
    show_repeat_status(record)
    repeat = record.result_as(RepeatResult)
    if not repeat.runs:
        return
    verdict = repeat.verdict()
    st.markdown(f"**{verdict.sentence}**")
    factor = f" (t factor {t_factor(verdict.n):.2f} for {verdict.n} runs)" if verdict.n > 1 else ""
    st.caption(RULE + factor)
    st.markdown("**Mean ± standard deviation over the runs**, MCC first")
    st.dataframe(mean_sd_table(repeat.summary()))
    with st.expander("Every run"):
        runs = repeat.runs_table()
        st.dataframe(
            runs,
            hide_index=True,
            column_config={
                column: st.column_config.NumberColumn(format="%.3f")
                for column in runs.columns
                if pd.api.types.is_float_dtype(runs[column])
            },
        )
    st.caption(
        "The trained networks of a repeat are not kept: train a single run to try texts on it, "
        "see its curves and mistakes, or save it."
    )
