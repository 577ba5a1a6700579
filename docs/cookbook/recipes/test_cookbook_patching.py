"""Cookbook: patching an async function where the code under test looks it up."""

from __future__ import annotations

import asyncio

import cookbook_pricing
import pytest

import asyncfakes as af


# --8<-- [start:guide]
@pytest.mark.asyncio
async def test_patch_async_function_defined_in_the_test():
    async def real_async_func(x):
        await asyncio.sleep(0.1)
        return x * 2

    # The guide patches __name__ + ".real_async_func": a local function is not
    # an attribute of the test module, so there is nothing to patch.
    with pytest.raises(AttributeError, match=r"has no attribute 'real_async_func'"):
        af.patch(f"{__name__}.real_async_func").start()


# --8<-- [end:guide]


# --8<-- [start:corrected]
@pytest.mark.asyncio
async def test_patch_where_the_code_looks_it_up():
    with af.patch("cookbook_pricing.fetch_rate") as fetch_rate:
        fetch_rate.return_value = 1.1

        assert await cookbook_pricing.price_in("USD", 10) == 11.0

    af.verify(fetch_rate).awaited_once_with("USD")
    # The patch is undone: the original is back.
    with pytest.raises(ConnectionError):
        await cookbook_pricing.price_in("USD", 10)


@pytest.mark.asyncio
async def test_the_same_with_the_fakes_fixture(fakes: af.Sandbox):
    fetch_rate = fakes.patch("cookbook_pricing.fetch_rate")
    fetch_rate.return_value = 0.9

    assert await cookbook_pricing.price_in("GBP", 10) == 9.0
    af.verify(fetch_rate).awaited_once_with("GBP")


@pytest.mark.asyncio
async def test_the_patch_is_spec_d_from_the_original():
    with af.patch("cookbook_pricing.fetch_rate"), pytest.raises(TypeError):
        await cookbook_pricing.fetch_rate("USD", "EUR")  # the real one takes one argument


# --8<-- [end:corrected]
