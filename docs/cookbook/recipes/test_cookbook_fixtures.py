"""Cookbook: async fixtures, database fixtures and HTTP client fixtures, with asyncfakes."""

from __future__ import annotations

# --8<-- [start:imports]
import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from cookbook_users import User, UserRepository, app, get_repository, warm_up
from sqlalchemy.ext.asyncio import AsyncSession

import asyncfakes as af

# --8<-- [end:imports]


# --8<-- [start:async-fixture]
class Mailer:
    async def send(self, to: str, subject: str) -> None: ...


async def send_welcome(mailer: Mailer, user: dict) -> None:
    await mailer.send(user["email"], subject="Welcome!")


@pytest_asyncio.fixture
async def mailer(fakes: af.Sandbox) -> AsyncIterator[Mailer]:
    """A mailer whose `send` is a fake, for one test; undone and checked after it."""
    fakes.patch.object(Mailer, "send")
    yield Mailer()
    # Nothing to clean up by hand: the `fakes` fixture undoes the patch after
    # the test and fails it if a call to a fake was never awaited.


@pytest.mark.asyncio
async def test_welcome_mail(mailer: Mailer) -> None:
    await send_welcome(mailer, {"email": "ada@example.com"})

    af.verify(Mailer.send).awaited_once_with("ada@example.com", subject="Welcome!")


# --8<-- [end:async-fixture]


# --8<-- [start:session-fixture]
@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def shared_async_resource() -> AsyncIterator[dict]:
    """Session-scoped: set up once, in the session's event loop."""
    shared = await warm_up()
    yield shared


@pytest.mark.asyncio(loop_scope="session")
async def test_with_shared_fixture(shared_async_resource: dict) -> None:
    assert shared_async_resource["initialized"] is True
    # The test runs in the loop the fixture was made in.
    assert shared_async_resource["setup_time"] <= asyncio.get_running_loop().time()


# --8<-- [end:session-fixture]


# --8<-- [start:db-fixture]
@pytest.fixture
def session() -> AsyncSession:
    """An AsyncSession fake: its coroutine methods are awaitable, `add` is not."""
    session = af.fake(AsyncSession, name="session")
    af.when(session.get).returns(None)
    return session


@pytest.mark.asyncio
async def test_add_commits_then_refreshes(fakes: af.Sandbox, session: AsyncSession) -> None:
    user = await UserRepository(session).add("Test User", "test@example.com")

    assert (user.name, user.email) == ("Test User", "test@example.com")
    af.verify(session.add).called_once_with(user)
    af.assert_in_order(session.add, session.commit, session.refresh)
    af.verify(session.refresh).awaited_once_with(user)


@pytest.mark.asyncio
async def test_get_asks_the_session_by_primary_key(session: AsyncSession) -> None:
    assert await UserRepository(session).get(42) is None

    af.verify(session.get).awaited_once_with(User, 42)


# --8<-- [end:db-fixture]


# --8<-- [start:http-fixture]
@pytest.fixture
def users() -> UserRepository:
    return af.fake(UserRepository, name="users")


@pytest_asyncio.fixture
async def async_http_client(users: UserRepository) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client that calls the app in process, with the repository faked."""
    app.dependency_overrides[get_repository] = lambda: users
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client
    app.dependency_overrides.clear()


@pytest.mark.asyncio
async def test_async_api_endpoint(
    async_http_client: httpx.AsyncClient, users: UserRepository
) -> None:
    john = User(id=1, name="John", email="john@example.com")
    af.when(users.add).called_with("John", "john@example.com").returns(john)

    response = await async_http_client.post(
        "/users", json={"name": "John", "email": "john@example.com"}
    )

    assert response.status_code == 201
    assert response.json() == {"id": 1, "name": "John", "email": "john@example.com"}
    af.verify(users.add).awaited_once_with("John", "john@example.com")


@pytest.mark.asyncio
async def test_an_unknown_user_is_a_404(
    async_http_client: httpx.AsyncClient, users: UserRepository
) -> None:
    af.when(users.get).returns(None)

    response = await async_http_client.get("/users/7")

    assert (response.status_code, response.json()) == (404, {"detail": "no user 7"})
    af.verify(users.get).awaited_once_with(7)


# --8<-- [end:http-fixture]
