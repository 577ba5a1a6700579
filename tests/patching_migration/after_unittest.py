"""After: the same test with af.AsyncFakesTestCase. It fails for each bug, one by one."""

from profile_service import Cache, UserApi, refresh_profile

import asyncfakes as af


class RefreshProfileTest(af.AsyncFakesTestCase):
    async def test_refresh_caches_the_name(self):
        fetch_user = self.fakes.patch.object(UserApi, "fetch_user")  # spec'd: no new_callable
        af.when(fetch_user).returns({"name": "Ada"})
        cache = self.fakes.fake(Cache)  # a fake with Cache's members only

        name = await refresh_profile(UserApi(), cache, 1)

        self.assertEqual(name, "Ada")
        af.verify(fetch_user).awaited_once_with(1)
        af.verify(cache.set).awaited_once_with("user:1", "Ada", ttl=60)
        af.verify(cache.delete_key).awaited_once_with("stale:1")
