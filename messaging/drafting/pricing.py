"""Prices per 1M tokens (input, output) in USD, for `--max-cost` and the cost figures.

OpenAI's list prices for standard processing as published when this table was written; a model
not listed (a local vLLM or Ollama model, a gateway's) has no known price: give `--price-in` and
`--price-out`, or run without `--max-cost` (its cost is then reported as unknown).
"""

from __future__ import annotations

PRICES_PER_1M: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
}


def known_price(
    model: str, price_in: float | None = None, price_out: float | None = None
) -> tuple[float, float] | None:
    """The (input, output) price of `model` per 1M tokens: the ones given, else the table's, else None."""
    if price_in is not None and price_out is not None:
        return price_in, price_out
    table = PRICES_PER_1M.get(model)
    if table is None:
        return None
    return (price_in if price_in is not None else table[0], price_out if price_out is not None else table[1])


def cost_usd(price: tuple[float, float] | None, tokens_in: int, tokens_out: int) -> float:
    """What a call cost (0.0 without a known price)."""
    if price is None:
        return 0.0
    return (tokens_in * price[0] + tokens_out * price[1]) / 1_000_000
