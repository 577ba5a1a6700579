"""Fakes for the service's three dependencies, spec'd against the real classes.

Every fixture builds its fake through `fakes`, asyncfakes' per-test `Sandbox`:
after each passing test it fails the test for a call that was never awaited,
a pool connection that was not released, or a response body left half-read,
naming the line.
"""

from __future__ import annotations

import asyncpg
import httpx
import pytest
import redis.asyncio as redis

import asyncfakes as af
from profiles import ProfileService


@pytest.fixture
def http(fakes: af.Sandbox) -> httpx.AsyncClient:
    """The users API client: every method keeps httpx's signature and kind."""
    return fakes.fake(httpx.AsyncClient, name="http")


@pytest.fixture
def cache(fakes: af.Sandbox) -> redis.Redis:
    """redis: a miss for every key unless a test stubs a hit."""
    cache = fakes.fake(redis.Redis, name="cache")
    af.when(cache.get).returns(None)
    af.when(cache.set).returns(True)
    return cache


@pytest.fixture
def db(fakes: af.Sandbox) -> af.FakePool[asyncpg.Connection]:
    """The Postgres pool: asyncpg's surface, its errors, and fake connections."""
    return fakes.pool(spec=asyncpg.Pool, size=5, name="db")


@pytest.fixture
def service(
    http: httpx.AsyncClient, cache: redis.Redis, db: af.FakePool[asyncpg.Connection]
) -> ProfileService:
    """The service under test, with its real settings (backoff 0.5 s, 4 at a time)."""
    return ProfileService(http, cache, db)  # type: ignore[arg-type]
