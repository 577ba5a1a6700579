"""Before: unittest.mock.patch and AsyncMock. It passes against all three bugs."""

import unittest
from unittest import mock

from profile_service import UserApi, refresh_profile


class RefreshProfileTest(unittest.IsolatedAsyncioTestCase):
    @mock.patch.object(UserApi, "fetch_user", new_callable=mock.AsyncMock)
    async def test_refresh_caches_the_name(self, fetch_user):
        fetch_user.return_value = {"name": "Ada"}
        cache = mock.AsyncMock()

        name = await refresh_profile(UserApi(), cache, 1)

        self.assertEqual(name, "Ada")
        fetch_user.assert_awaited_once_with(1, timeout=5)
        cache.set.assert_called_once_with("user:1", "Ada", ttl=60)
        cache.delete.assert_awaited_once_with("stale:1")
