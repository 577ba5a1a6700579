"""Before: pytest-mock's `mocker`. It passes against all three bugs."""

import pytest
from profile_service import UserApi, refresh_profile


@pytest.mark.asyncio
async def test_refresh_caches_the_name(mocker):
    fetch_user = mocker.patch.object(UserApi, "fetch_user", return_value={"name": "Ada"})
    cache = mocker.AsyncMock()

    assert await refresh_profile(UserApi(), cache, 1) == "Ada"

    fetch_user.assert_awaited_once_with(1, timeout=5)
    cache.set.assert_called_once_with("user:1", "Ada", ttl=60)
    cache.delete.assert_awaited_once_with("stale:1")
