"""After: the `fakes` fixture, converted line by line. It fails for each bug, one by one."""

import pytest
from profile_service import Cache, UserApi, refresh_profile


@pytest.mark.asyncio
async def test_refresh_caches_the_name(fakes):
    fetch_user = fakes.patch.object(UserApi, "fetch_user")
    fetch_user.return_value = {"name": "Ada"}
    cache = fakes.fake(Cache)

    assert await refresh_profile(UserApi(), cache, 1) == "Ada"

    fetch_user.assert_awaited_once_with(1)
    cache.set.assert_called_once_with("user:1", "Ada", ttl=60)  # kept as it was
    cache.delete_key.assert_awaited_once_with("stale:1")
