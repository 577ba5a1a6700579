"""Fakes for the service's three dependencies, spec'd against the real classes."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx
import pytest
import redis.asyncio as redis

import asyncfakes as af
from profiles import ProfileService


@pytest.fixture
def http() -> Any:
    """The users API client: `AsyncClient.get` is a coroutine method, so it is an AsyncFake."""
    return af.AsyncFake(spec=httpx.AsyncClient, name="http")


@pytest.fixture
def cache() -> Any:
    """redis: its commands are plain methods returning awaitables, so they are set up by hand."""
    cache = af.MagicFake(spec=redis.Redis, name="cache")
    cache.get = af.AsyncFake(return_value=None)
    cache.set = af.AsyncFake(return_value=True)
    return cache


@pytest.fixture
def conn() -> Any:
    """One Postgres connection; `transaction()` is an async context manager."""
    return af.MagicFake(spec=asyncpg.Connection, name="conn")


@pytest.fixture
def db(conn: Any) -> Any:
    """The Postgres pool: `async with db.acquire() as conn` hands out `conn`."""
    db = af.MagicFake(spec=asyncpg.Pool, name="db")
    db.acquire.return_value.__aenter__.return_value = conn
    return db


@pytest.fixture
def service(http: Any, cache: Any, db: Any) -> ProfileService:
    """The service under test, with a short backoff."""
    return ProfileService(http, cache, db, backoff=0.01)
