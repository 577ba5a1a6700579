"""The module the cookbook's patching recipes test: a price lookup over an async rates client."""

from __future__ import annotations

import asyncio


async def fetch_rate(currency: str) -> float:
    """The exchange rate of `currency` to EUR (a network call in real life)."""
    await asyncio.sleep(0.1)
    raise ConnectionError("no network in the cookbook")


async def price_in(currency: str, amount_eur: float) -> float:
    """Code under test: it looks `fetch_rate` up in this module when it runs."""
    rate = await fetch_rate(currency)
    return round(amount_eur * rate, 2)
