"""Vectorized helpers the sample generators share: seeded draws and list columns from masks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import polars as pl
import pyarrow as pa


def sigmoid(x: np.ndarray) -> np.ndarray:
    """The logistic function, used to turn additive log-odds into probabilities."""
    return 1.0 / (1.0 + np.exp(-x))


def pick(rng: np.random.Generator, weights: Sequence[float], n: int) -> np.ndarray:
    """Draw `n` indices into `weights` with probability proportional to each weight."""
    p = np.asarray(weights, dtype=float)
    return rng.choice(len(p), size=n, p=p / p.sum())


def gather(values: Sequence[str | None], index: np.ndarray) -> pl.Series:
    """Strings at `index`, looked up in Polars so 10M rows never become Python objects."""
    return pl.Series(values=list(values), dtype=pl.String).gather(index)


def logit_table(
    keys: Sequence[str],
    industries: Sequence[str],
    table: Mapping[str, tuple[float, float, Mapping[str, float]]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Base log-odds, size slopes and an industry-boost matrix (one extra zero row for null).

    Args:
        keys: The vocabulary in column order.
        industries: The industry vocabulary in row order.
        table: key -> (log-odds at the median size, slope per log-employee, {industry: boost}).

    Returns:
        (base, slope, boost) with shapes (k,), (k,), (len(industries) + 1, k).
    """
    base = np.array([table[key][0] for key in keys])
    slope = np.array([table[key][1] for key in keys])
    boost = np.zeros((len(industries) + 1, len(keys)))
    for j, key in enumerate(keys):
        for industry, add in table[key][2].items():
            boost[industries.index(industry), j] = add
    return base, slope, boost


def top_k_mask(rng: np.random.Generator, weights: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Per row, `k[row]` distinct columns drawn without replacement in proportion to `weights`.

    Gumbel top-k: adding Gumbel noise to log-weights and keeping the k largest is a weighted
    sample without replacement, done for all rows at once with one sort.
    """
    uniform = rng.random(weights.shape, dtype=np.float32)
    keys = np.log(weights).astype(np.float32) - np.log(-np.log(uniform + np.float32(1e-12)))
    ordered = np.sort(keys, axis=1)
    cut = ordered[np.arange(keys.shape[0]), np.clip(keys.shape[1] - k, 0, keys.shape[1] - 1)]
    return (keys >= cut[:, None]) & (k[:, None] > 0)


def bernoulli(rng: np.random.Generator, log_odds: np.ndarray) -> np.ndarray:
    """A boolean draw per cell with probability sigmoid(log_odds), in float32 to halve memory."""
    return rng.random(log_odds.shape, dtype=np.float32) < sigmoid(log_odds.astype(np.float32))


def list_column(mask: np.ndarray, vocabulary: Sequence[str]) -> pl.Series:
    """A List(String) column holding, per row, the vocabulary entries whose mask is set.

    Rows with no entry get an empty list (never null): "no known pain point" is a fact here.
    """
    rows, cols = np.nonzero(mask)
    offsets = np.zeros(mask.shape[0] + 1, dtype=np.int64)
    np.cumsum(mask.sum(axis=1), out=offsets[1:])
    values = gather(vocabulary, cols.astype(np.uint32)).to_arrow()
    array = pa.LargeListArray.from_arrays(pa.array(offsets), values)
    return pl.Series(pl.from_arrow(array)).cast(pl.List(pl.String))
