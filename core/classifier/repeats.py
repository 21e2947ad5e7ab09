"""The whole comparison, network and baselines, repeated over seeds and held-out groups.

One run of :func:`~core.classifier.report.train_and_compare` is one draw of the seed. A
:class:`RepeatResult` plans the runs (every seed on every fold: each held-out group of grouped
data such as the YouTube videos, or the one split), :func:`run_repeats` trains them in turn
through ``train_and_compare`` itself, stoppable between runs, and the result gives each model's
mean ± standard deviation of every measure over the runs (:meth:`RepeatResult.summary`), the
per-run table (:meth:`RepeatResult.runs_table`) and the spread-aware verdict
(:func:`core.classifier.spread.spread_verdict`).

Standard deviations are sample ones (``ddof=1``); one run has none (NaN, ``None`` in JSON).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from core.classifier.metrics import METRIC_COLUMNS
from core.classifier.report import TrainingRequest, TrainingResults, train_and_compare
from core.classifier.splits import TextSplit, split_by_group
from core.classifier.spread import SpreadVerdict, spread_verdict
from core.classifier.train import ClassifierResult, ClassifierSettings
from core.data.datasets import LabelledText
from core.data.export import json_number
from core.errors import DataError
from core.nn.training import RunRecord, StopFlag

# The measures in the order a repeat shows them: MCC first, the one the verdict uses.
SUMMARY_METRICS = ("mcc", "f1", "accuracy", "precision", "recall", "roc_auc", "pr_auc")
MAX_SEED = 2**31 - 1
MAX_RUNS = 100


@dataclass(frozen=True)
class Fold:
    """One train/test split of a repeat: ``name`` says what is tested (a held-out video)."""

    name: str
    split: TextSplit


def group_folds(data: LabelledText) -> list[Fold]:
    """One fold per group, each holding that group out (leave one group out, in file order).

    Raises :class:`DataError` when the texts have no groups or a single one.
    """
    if not data.groups:
        raise DataError(
            "Every group as the test set needs texts that come in groups (the YouTube "
            "videos); these texts have none.",
            "Repeat over seeds on one split instead.",
        )
    groups = list(dict.fromkeys(data.groups))
    if len(groups) < 2:
        raise DataError(
            f"These texts come from a single group ({groups[0]!r}), so none can be held out.",
            "Repeat over seeds on one split instead.",
        )
    return [Fold(group, split_by_group(data, group)) for group in groups]


def check_seeds(seeds: Sequence[int]) -> tuple[int, ...]:
    """``seeds`` as a tuple, refused with a :class:`DataError` when empty, repeated or out of
    range (0 to 2,147,483,647): a repeated seed would count the same run twice."""
    seeds = tuple(int(s) for s in seeds)
    if not seeds:
        raise DataError("No seeds to repeat over.", "Give at least one seed, such as 0 1 2.")
    repeated = sorted({s for s in seeds if seeds.count(s) > 1})
    if repeated:
        raise DataError(
            f"Seeds {repeated} are given more than once; each would count the same run twice.",
            "Give each seed once.",
        )
    wrong = [s for s in seeds if not 0 <= s <= MAX_SEED]
    if wrong:
        raise DataError(f"Seeds {wrong} are out of range.", f"Use seeds from 0 to {MAX_SEED:,}.")
    return seeds


@dataclass
class RepeatRun:
    """One finished run of a repeat: its seed, its fold's name, the comparison table it gave
    (:func:`~core.classifier.baselines.comparison_table`) and how the network's training went."""

    seed: int
    fold: str
    table: pd.DataFrame
    epochs: int
    message: str = ""


@dataclass
class RepeatResult:
    """A repeated comparison: what to run (``settings`` at each of ``seeds`` on each of
    ``folds``), the runs finished so far, the part being trained (``current``) and the data
    error that stopped it, if any. It is the result of the repeat's :class:`RunRecord`."""

    settings: ClassifierSettings
    folds: tuple[Fold, ...]
    seeds: tuple[int, ...]
    word_vectors: Any = None
    runs: list[RepeatRun] = field(default_factory=list)
    current: RunRecord | None = None
    error: DataError | None = None

    def __post_init__(self) -> None:
        self.seeds = check_seeds(self.seeds)
        self.folds = tuple(self.folds)
        if not self.folds:
            raise DataError("No split to repeat the comparison on.")
        if self.total_runs > MAX_RUNS:
            raise DataError(
                f"{self.total_runs} runs asked ({len(self.seeds)} seeds × {len(self.folds)} "
                f"folds); at most {MAX_RUNS}.",
                "Use fewer seeds.",
            )

    @property
    def total_runs(self) -> int:
        return len(self.seeds) * len(self.folds)

    def plan(self) -> list[tuple[int, Fold]]:
        """Every (seed, fold) in the order they run: each seed over every fold, so a repeat
        stopped early has whole passes over the folds first."""
        return [(seed, fold) for seed in self.seeds for fold in self.folds]

    def progress(self) -> tuple[int, int]:
        """(epochs done, epochs planned) over all runs; a finished run counts in full."""
        per_run = self.settings.epochs
        current = self.current.epochs_done if self.current is not None else 0
        done = min(len(self.runs) * per_run + current, self.total_runs * per_run)
        return done, self.total_runs * per_run

    def progress_text(self) -> str:
        """``Run 2 of 6 (seed 1, test: Psy), epoch 4 of 30`` while running."""
        index = min(len(self.runs), self.total_runs - 1)
        seed, fold = self.plan()[index]
        epochs = self.current.epochs_done if self.current is not None else 0
        return (
            f"Run {index + 1} of {self.total_runs} (seed {seed}, test: {fold.name}), "
            f"epoch {epochs} of {self.settings.epochs}"
        )

    def runs_table(self) -> pd.DataFrame:
        """One row per finished run and model: ``run`` (1-based), ``seed``, ``fold``,
        ``model``, ``Kind``, the seven measures and ``Train s``."""
        columns = ["Kind", *METRIC_COLUMNS.values(), "Train s"]
        frames = []
        for number, run in enumerate(self.runs, start=1):
            frame = run.table[columns].rename_axis("model").reset_index()
            frame.insert(0, "fold", run.fold)
            frame.insert(0, "seed", run.seed)
            frame.insert(0, "run", number)
            frames.append(frame)
        if not frames:
            return pd.DataFrame(columns=["run", "seed", "fold", "model", *columns])
        return pd.concat(frames, ignore_index=True)

    def summary(self) -> pd.DataFrame:
        """One row per model (table order): ``Kind``, ``Runs`` (runs with a score), then
        ``<measure> mean`` and ``<measure> sd`` for each measure, MCC first."""
        runs = self.runs_table()
        order = list(dict.fromkeys(runs["model"]))
        grouped = runs.groupby("model", sort=False)
        table = pd.DataFrame(index=pd.Index(order, name="model"))
        table["Kind"] = grouped["Kind"].first()
        table["Runs"] = grouped["MCC"].count().astype(int)
        for name in (METRIC_COLUMNS[m] for m in SUMMARY_METRICS):
            scores = runs[name].astype(float).groupby(runs["model"], sort=False)
            table[f"{name} mean"] = scores.mean()
            table[f"{name} sd"] = scores.std(ddof=1)
        return table

    def verdict(self, metric: str = "mcc") -> SpreadVerdict:
        """The network against the best baseline over the finished runs
        (:func:`~core.classifier.spread.spread_verdict`)."""
        return spread_verdict(self.runs_table(), metric)

    def as_json(self, metric: str = "mcc") -> dict[str, Any]:
        """Seeds, folds, each model's ``mean`` and ``sd`` per measure (``models.<name>.mcc``),
        every run's scores (``runs``) and the verdict; NaN as ``None``."""
        summary = self.summary()
        models = {
            str(name): {
                "kind": row["Kind"],
                "runs": int(row["Runs"]),
                **{
                    m: {
                        "mean": json_number(row[f"{METRIC_COLUMNS[m]} mean"]),
                        "sd": json_number(row[f"{METRIC_COLUMNS[m]} sd"]),
                    }
                    for m in SUMMARY_METRICS
                },
            }
            for name, row in summary.iterrows()
        }
        back = {v: k for k, v in METRIC_COLUMNS.items()}
        runs = [
            {
                "run": int(row["run"]),
                "seed": int(row["seed"]),
                "fold": row["fold"],
                "model": row["model"],
                "kind": row["Kind"],
                **{back[c]: json_number(row[c]) for c in METRIC_COLUMNS.values()},
                "train_seconds": json_number(row["Train s"]),
            }
            for _, row in self.runs_table().iterrows()
        ]
        return {
            "seeds": list(self.seeds),
            "folds": [fold.name for fold in self.folds],
            "runs_planned": self.total_runs,
            "runs_done": len(self.runs),
            "models": models,
            "runs": runs,
            "verdict": self.verdict(metric).as_json(),
        }


def mean_sd_table(summary: pd.DataFrame, digits: int = 3) -> pd.DataFrame:
    """:meth:`RepeatResult.summary` for reading: ``Kind``, ``Runs`` and one ``0.901 ± 0.012``
    cell per measure (MCC first); a measure without a value reads ``–``, one run has no sd."""

    def cell(mean: float, sd: float) -> str:
        if pd.isna(mean):
            return "–"
        return f"{mean:.{digits}f}" if pd.isna(sd) else f"{mean:.{digits}f} ± {sd:.{digits}f}"

    shown = summary[["Kind", "Runs"]].copy()
    for m in SUMMARY_METRICS:
        name = METRIC_COLUMNS[m]
        shown[name] = [
            cell(mean, sd)
            for mean, sd in zip(summary[f"{name} mean"], summary[f"{name} sd"], strict=True)
        ]
    return shown


def run_repeats(
    result: RepeatResult,
    *,
    record: RunRecord | None = None,
    stop_flag: StopFlag | None = None,
    on_run: Callable[[RepeatRun, TrainingResults], None] | None = None,
) -> RunRecord:
    """Train and compare every run of ``result``'s plan in turn, appending each to ``result.runs``.

    Each run is :func:`~core.classifier.report.train_and_compare` on its fold with the settings'
    seed replaced, in a run record of its own (``result.current`` while it trains).
    ``on_run(run, results)`` gets each finished run. The stop flag is obeyed between runs and
    inside one (at the end of a batch); a run stopped while training is left out, so every run
    counted trained in full. A data error or a failed training ends the repeat ``failed``.
    Returns ``record`` (a new one when ``None``), ended ``complete``, ``stopped`` or ``failed``,
    with the network's mean and sd of each measure as its metrics.
    """
    record = record or RunRecord(kind="classifier repeats")
    record.result = result
    stop_flag = stop_flag or StopFlag()
    total = result.total_runs
    for index, (seed, fold) in enumerate(result.plan()):
        if stop_flag.is_set():
            break
        settings = replace(result.settings, seed=seed)
        part = RunRecord(
            kind="classifier", result=ClassifierResult(settings, fold.split, result.word_vectors)
        )
        part.total_epochs = settings.epochs
        result.current = part
        results = train_and_compare(
            TrainingRequest(fold.split, settings, result.word_vectors),
            record=part,
            stop_flag=stop_flag,
        )
        record.device = record.device or part.device
        where = f"Run {index + 1} (seed {seed}, test: {fold.name})"
        if results.error is not None:
            result.error = results.error
            record.finish("failed", f"{where}: {results.error.message} {results.error.hint}")
            break
        if results.comparison is None:
            record.finish("failed", f"{where} failed: {part.message}")
            break
        if part.status == "stopped":  # stopped mid-training: a partial network is not a run
            break
        run = RepeatRun(seed, fold.name, results.comparison.table, part.epochs_done, part.message)
        result.runs.append(run)
        if on_run is not None:
            on_run(run, results)
    result.current = None
    done = len(result.runs)
    if record.status == "running":
        if done < total:
            record.finish("stopped", f"Stopped after {done} of {total} runs.")
        else:
            record.finish("complete", f"{total} runs.")
    record.metrics = network_means(result)
    return record


def network_means(result: RepeatResult) -> dict[str, float]:
    """The network's ``MCC mean``, ``MCC sd`` and the other measures' means, for the Runs page."""
    if not result.runs:
        return {}
    summary = result.summary()
    row = summary[summary["Kind"] == "network"].iloc[0]
    values = {"MCC mean": float(row["MCC mean"]), "MCC sd": float(row["MCC sd"])}
    for m in SUMMARY_METRICS[1:]:
        values[f"{METRIC_COLUMNS[m]} mean"] = float(row[f"{METRIC_COLUMNS[m]} mean"])
    return values
