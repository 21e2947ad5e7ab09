"""Who won, when runs are repeated: a verdict that calls a win only when the gap beats the spread.

One training run of the network is one draw of its seed: on the YouTube videos its MCC moves by
several hundredths from seed to seed, more than its usual lead or lag on the best baseline. So the
comparison is repeated over seeds (and, with groups, over every held-out group), and
:func:`paired_verdict` judges the runs together.

**The rule.** Every run scores the network and the baselines on the same test texts, so the
runs are compared in pairs: for run *i*, ``d_i = network_i - baseline_i`` on the chosen measure.
With ``n`` runs, ``d`` has a mean (the gap), a standard deviation ``sd`` and a standard error
``se = sd / sqrt(n)``. The network has **won** when the whole 95% confidence interval of the mean
gap, ``gap ± t(0.975, n - 1) · se`` (Student's t), lies above zero, and the gap is larger than
:data:`~core.classifier.baselines.TIE` too; it has **lost** when the interval lies below zero by
the same rule; otherwise the two are **level**, and the sentence gives the numbers. One run has
no spread: its verdict says it is a single run.

**Why paired, and why t.** Comparing each model's own mean ± sd would mix in what every model
shares on a run: one held-out video is harder than another for all of them, which inflates each
model's sd and calls everything level, even a network that beats the baseline on every video.
The paired differences cancel that and keep what differs between the two, mostly the network's
seed. Student's t rather than a flat "2 standard errors" because repeats are few: with 3 runs
the 95% factor is 4.30, not 2, and a flat 2 would claim wins that three seeds cannot support.
The runs share training texts, so they are not fully independent; the interval is a working
rule for a page, not an exact test.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from core.classifier.baselines import NETWORK_NAME, TIE, metric_column
from core.data.export import json_number

SINGLE_RUN_NOTE = (
    "This is a single run: repeat it over seeds to tell a gap from the luck of the seed."
)


Outcome = Literal["won", "lost", "level", "single run", "nothing to compare"]
CONFIDENCE = 0.95


@dataclass(frozen=True)
class SpreadVerdict:
    """The network against one baseline over paired runs, and the sentence that says so.

    ``gap`` is the mean of network − baseline over the ``n`` runs, ``gap_sd`` their standard
    deviation (NaN for one run) and ``margin`` what the gap had to exceed to count: the half
    width of its 95% interval, at least ``tie``. ``outcome`` is from the network's side.
    """

    outcome: Outcome
    metric: str  # display name, "MCC"
    network: str
    baseline: str
    n: int
    network_mean: float
    baseline_mean: float
    gap: float
    gap_sd: float
    margin: float
    sentence: str

    @property
    def interval(self) -> tuple[float, float]:
        """The 95% interval of the mean gap (NaN for a single run)."""
        half = t_factor(self.n) * self.gap_sd / math.sqrt(self.n) if self.n > 1 else math.nan
        return self.gap - half, self.gap + half

    def as_json(self) -> dict[str, Any]:
        """Plain JSON-ready values, NaN as ``None``."""
        low, high = self.interval
        return {
            "outcome": self.outcome,
            "metric": self.metric,
            "network": self.network,
            "baseline": self.baseline,
            "runs": self.n,
            "network_mean": json_number(self.network_mean),
            "baseline_mean": json_number(self.baseline_mean),
            "gap": json_number(self.gap),
            "gap_sd": json_number(self.gap_sd),
            "margin": json_number(self.margin),
            "interval": [json_number(low), json_number(high)],
            "rule": "won or lost only when the 95% t-interval of the mean paired gap "
            f"(network - baseline) excludes zero and the gap exceeds {TIE:g}",
            "sentence": self.sentence,
        }


def t_factor(n: int, confidence: float = CONFIDENCE) -> float:
    """Student's t quantile for a two-sided ``confidence`` interval of a mean of ``n`` values
    (``n - 1`` degrees of freedom): 12.71 for 2, 4.30 for 3, about 2 for 60."""
    from scipy.stats import t

    return float(t.ppf(0.5 + confidence / 2, n - 1))


def paired_verdict(
    network_scores: Sequence[float],
    baseline_scores: Sequence[float],
    *,
    metric: str = "MCC",
    network: str = NETWORK_NAME,
    baseline: str = "the best baseline",
    tie: float = TIE,
) -> SpreadVerdict:
    """The verdict on the network against one baseline from paired scores (the rule is in the
    module's docstring).

    ``network_scores[i]`` and ``baseline_scores[i]`` come from the same run (seed and test
    texts); runs where either is NaN (a skipped model) are left out. ``metric`` is the measure's
    display name for the sentence.
    """
    a = np.asarray(network_scores, dtype=np.float64)
    b = np.asarray(baseline_scores, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"paired scores differ in length: {a.shape} and {b.shape}")
    both = ~(np.isnan(a) | np.isnan(b))
    a, b = a[both], b[both]
    n = len(a)
    nan = math.nan
    if n == 0:
        return SpreadVerdict(
            "nothing to compare", metric, network, baseline, 0, nan, nan, nan, nan, nan,
            f"No run has a {metric} for both the {network} and {baseline}.",
        )  # fmt: skip
    d = a - b
    gap, mean_a, mean_b = float(d.mean()), float(a.mean()), float(b.mean())
    if n == 1:
        sentence = (
            f"A single run: on {metric} the {network} scored {mean_a:.3f} and {baseline} "
            f"{mean_b:.3f} ({gap:+.3f}). One run cannot tell a gap from the luck of the seed; "
            "repeat over seeds to find out."
        )
        return SpreadVerdict(
            "single run", metric, network, baseline, 1, mean_a, mean_b, gap, nan, nan, sentence
        )
    sd = float(d.std(ddof=1))
    half = t_factor(n) * sd / math.sqrt(n)
    # A hair of slack, as in verdict(), so a gap of exactly `tie` written in decimals is level.
    margin = max(half, tie + 1e-9)
    outcome: Outcome = "won" if gap > margin else "lost" if gap < -margin else "level"
    interval = f"95% interval ({gap - half:+.3f} to {gap + half:+.3f})"
    runs = f"Over {n} runs"
    if outcome == "won":
        sentence = (
            f"{runs}, the {network} beats {baseline} on {metric}: {mean_a:.3f} against "
            f"{mean_b:.3f} on average, a paired gap of {gap:+.3f} whose {interval} lies "
            "above zero: larger than the spread between runs."
        )
    elif outcome == "lost":
        sentence = (
            f"{runs}, {baseline} beats the {network} on {metric}: {mean_b:.3f} against "
            f"{mean_a:.3f} on average; the {network}'s paired gap of {gap:+.3f} has its "
            f"{interval} below zero: larger than the spread between runs."
        )
    else:
        why = (
            f"within {tie:g}, too small to call"
            if abs(gap) <= tie + 1e-9
            else f"within the spread between runs: its {interval} includes zero"
        )
        sentence = (
            f"{runs}, the {network} and {baseline} are level on {metric}: {mean_a:.3f} and "
            f"{mean_b:.3f} on average; the paired gap of {gap:+.3f} is {why}."
        )
    return SpreadVerdict(
        outcome, metric, network, baseline, n, mean_a, mean_b, gap, sd, margin, sentence
    )


def best_baseline(runs: pd.DataFrame, metric: str = "mcc") -> str | None:
    """The baseline with the highest mean ``metric`` in a runs table (one row per run and
    model, with ``run``, ``model``, ``Kind`` and the measures' display names as columns), or
    ``None`` when no baseline has a score."""
    column = metric_column(metric)
    baselines = runs[runs["Kind"] == "baseline"]
    means = pd.to_numeric(baselines[column], errors="coerce").groupby(baselines["model"]).mean()
    means = means.dropna()
    if means.empty:
        return None
    # On equal means the first baseline listed wins, as in the table.
    order = list(dict.fromkeys(baselines["model"]))
    return max((name for name in order if name in means.index), key=lambda n: means[n])


def spread_verdict(runs: pd.DataFrame, metric: str = "mcc") -> SpreadVerdict:
    """:func:`paired_verdict` of the network against the best baseline (highest mean
    ``metric``) over the runs of a runs table (see :func:`best_baseline`)."""
    column = metric_column(metric)
    networks = list(dict.fromkeys(runs.loc[runs["Kind"] == "network", "model"]))
    baseline = best_baseline(runs, metric)
    network = networks[0] if networks else NETWORK_NAME
    if not networks or baseline is None:
        nan = math.nan
        return SpreadVerdict(
            "nothing to compare", column, network, baseline or "no baseline", 0,
            nan, nan, nan, nan, nan, f"No network and baseline both have a {column} to compare.",
        )  # fmt: skip
    scores = runs.pivot(index="run", columns="model", values=column)
    return paired_verdict(
        scores[network].to_numpy(),
        scores[baseline].to_numpy(),
        metric=column,
        network=network,
        baseline=baseline,
    )


def verdict(table: pd.DataFrame, metric: str = "mcc", tie: float = TIE) -> str:
    """One sentence on who scored highest on ``metric`` in a :func:`comparison_table`, and by
    how much.

    Models within ``tie`` of the best score are called a tie, never a win. When a network row
    (``Kind`` = ``network``) neither wins nor is runner-up, its score and gap are added, so the
    sentence never lets a baseline's win pass unmentioned. Skipped models (NaN) are left out.
    The table is one run, and the sentence ends by saying so (:data:`SINGLE_RUN_NOTE`): over
    repeated runs, :func:`core.classifier.spread.spread_verdict` weighs the gap against the spread.
    """
    column = metric_column(metric)
    values = pd.to_numeric(table[column], errors="coerce").dropna()
    if values.empty:
        return f"No model has a {column} to compare."
    ranked = values.sort_values(ascending=False, kind="stable")
    if len(ranked) == 1:
        return f"Only {ranked.index[0]} has a {column} ({ranked.iloc[0]:.3f}): nothing to compare."
    best = float(ranked.iloc[0])
    # A hair of slack so that a gap of exactly `tie` written in decimals still counts as a tie.
    tied = [name for name, value in ranked.items() if best - value <= tie + 1e-9]
    networks = list(table.index[table["Kind"] == "network"]) if "Kind" in table else []

    def called(name: str) -> str:
        return f"the {name}" if name in networks else str(name)

    if len(tied) > 1:
        listed = _join([f"{called(name)} ({ranked[name]:.3f})" for name in tied])
        sentence = f"On {column}, {listed} tie: within {tie:g} of the best."
        mentioned = set(tied)
    else:
        winner, runner_up = ranked.index[0], ranked.index[1]
        second = float(ranked.iloc[1])
        sentence = (
            f"On {column}, {called(winner)} wins with {best:.3f}, {best - second:.3f} ahead "
            f"of {called(runner_up)} ({second:.3f})."
        )
        mentioned = {winner, runner_up}
    for name in networks:
        if name in mentioned or name not in ranked:
            continue
        sentence += f" The {name} scored {ranked[name]:.3f}, {best - ranked[name]:.3f} behind."
    return f"{sentence} {SINGLE_RUN_NOTE}"


def _join(items: list[str]) -> str:
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
