"""Cookbook: timeouts under the `clock` fixture (virtual time for the test's body)."""

# --8<-- [start:clock]
import asyncio

import pytest

import asyncfakes as af


@pytest.mark.asyncio
async def test_times_out_after_a_second(clock):
    slow_operation = af.flaky.hanging()

    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(slow_operation(), timeout=1.0)

    assert clock.now() == 1.0
    assert af.calls(slow_operation)[0].outcome == "cancelled"


# --8<-- [end:clock]
