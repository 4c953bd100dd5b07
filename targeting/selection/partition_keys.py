"""Account ids repeated across partitions: found from small hashes, settled on the ids themselves.

A single pass keeps the first row of an account id (`import_accounts`), so across partitions the
account stays in the first partition that holds it and each later partition drops it, counted as a
duplicate. Each partition first sends the 64-bit hashes of its distinct ids (8 bytes an account,
not its rows); distinct hashes are distinct ids, so only a hash two partitions share needs its ids
looked at, and those few ids decide exactly which partitions drop what.
"""

from __future__ import annotations

import polars as pl


def key_hashes(accounts: pl.LazyFrame) -> pl.Series:
    """The distinct 64-bit hashes of a partition's account ids (Polars' fixed-seed hash)."""
    return accounts.select(pl.col("account_id").hash().unique()).collect(engine="streaming").to_series()


def shared_hashes(hashes: list[pl.Series]) -> pl.Series:
    """The hashes held by more than one partition (each partition's hashes are distinct)."""
    if not hashes:
        return pl.Series("account_id", [], dtype=pl.UInt64)
    every = pl.concat([h.rename("account_id") for h in hashes])
    counted = every.value_counts()
    return counted.filter(pl.col("count") > 1)["account_id"]


def ids_with_hashes(accounts: pl.LazyFrame, hashes: pl.Series) -> list[str]:
    """A partition's distinct account ids whose hash is one of `hashes`."""
    if hashes.is_empty():
        return []
    found = accounts.filter(pl.col("account_id").hash().is_in(hashes.implode())).select(pl.col("account_id").unique())
    return sorted(found.collect()["account_id"].to_list())


def later_repeats(ids: list[list[str]]) -> list[list[str]]:
    """For each partition, in order, the ids an earlier partition already holds: it drops them.

    Args:
        ids: per partition, the candidate ids it holds (`ids_with_hashes`).
    """
    seen: set[str] = set()
    drops = []
    for held in ids:
        drops.append(sorted(set(held) & seen))
        seen.update(held)
    return drops
