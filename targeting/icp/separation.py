"""How well a score separates two groups: ROC AUC (ties count half) and a bootstrap interval."""

from __future__ import annotations

import numpy as np
from scipy.stats import rankdata


def roc_auc(won: np.ndarray, lost: np.ndarray) -> float:
    """P(a random won deal outranks a random lost one), ties counting half (the Mann-Whitney U / n1 n2)."""
    won, lost = np.asarray(won, dtype=float), np.asarray(lost, dtype=float)
    if not len(won) or not len(lost):
        return float("nan")
    ranks = rankdata(np.concatenate([won, lost]))
    u = ranks[: len(won)].sum() - len(won) * (len(won) + 1) / 2
    return float(u / (len(won) * len(lost)))


def bootstrap_auc(
    won: np.ndarray, lost: np.ndarray, *, resamples: int = 1000, seed: int = 0, level: float = 0.95
) -> tuple[float, float]:
    """A percentile bootstrap interval of `roc_auc`, resampling won and lost separately.

    Resampling each group on its own keeps both in every resample, so a small group still gives an
    interval (a wide one). The seed makes the interval reproducible.
    """
    won, lost = np.asarray(won, dtype=float), np.asarray(lost, dtype=float)
    if not len(won) or not len(lost):
        return float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    won_draws = won[rng.integers(0, len(won), (resamples, len(won)))]
    lost_draws = lost[rng.integers(0, len(lost), (resamples, len(lost)))]
    ranks = rankdata(np.concatenate([won_draws, lost_draws], axis=1), axis=1)
    u = ranks[:, : len(won)].sum(axis=1) - len(won) * (len(won) + 1) / 2
    aucs = u / (len(won) * len(lost))
    tail = (1 - level) / 2
    low, high = np.quantile(aucs, [tail, 1 - tail])
    return float(low), float(high)
