"""Spec'd fakes of sqlalchemy.ext.asyncio.AsyncSession driving a real repository."""

from __future__ import annotations

import pytest
from sqlalchemy import String, select
from sqlalchemy.engine import Result
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, AsyncSessionTransaction
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

import asyncfakes as af


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))


class Accounts:
    """A repository as it is written against SQLAlchemy's asyncio extension."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create(self, name: str) -> User:
        user = User(name=name)
        async with self.session.begin():
            self.session.add(user)
        await self.session.refresh(user)
        return user

    async def find(self, name: str) -> User | None:
        result = await self.session.execute(select(User).where(User.name == name))
        return result.scalar_one_or_none()


async def test_create_adds_inside_a_transaction() -> None:
    """session.begin() gives a fake transaction entered with `async with`; add() is sync."""
    session = af.fake(AsyncSession)
    user = await Accounts(session).create("ada")
    assert user.name == "ada"
    transaction = session.begin()
    assert isinstance(transaction, AsyncSessionTransaction)
    af.verify(session.add).called_once_with(user)
    af.verify(session.refresh).awaited_once_with(user)
    assert [str(call) for call in session.mock_calls] == [
        "call.begin()",
        "call.begin().__aenter__()",
        f"call.add({user!r})",
        "call.begin().__aexit__(None, None, None)",
        f"call.refresh({user!r})",
        "call.begin()",
    ]


async def test_find_through_a_stubbed_result() -> None:
    """execute() is stubbed with a fake Result whose methods are stubbed in turn."""
    session = af.fake(AsyncSession)
    result = af.fake(Result)
    ada = User(id=1, name="ada")
    af.when(result.scalar_one_or_none).returns(ada)
    af.when(session.execute).returns(result)
    assert await Accounts(session).find("ada") is ada
    (call,) = af.calls(session.execute)
    assert call.bound is not None
    assert str(call.bound.arguments["statement"]) == str(select(User).where(User.name == "ada"))


async def test_integrity_errors_leave_the_transaction() -> None:
    """refresh() failing with SQLAlchemy's own error reaches the caller."""
    session = af.fake(AsyncSession)
    af.when(session.refresh).raises(IntegrityError("INSERT", {}, Exception("duplicate")))
    with pytest.raises(IntegrityError):
        await Accounts(session).create("ada")


async def test_the_session_as_a_context_manager() -> None:
    """`async with fake(AsyncSession) as s` gives the fake itself."""
    session = af.fake(AsyncSession)
    async with session as entered:
        assert entered is session
        await entered.commit()
    af.verify(session.commit).awaited_once_with()
    with pytest.raises(AttributeError, match=r"Did you mean 'commit'\?$"):
        session.comit


@pytest.mark.asyncio
async def test_a_parameterised_sessionmaker_is_faked_as_its_class() -> None:
    """af.fake(async_sessionmaker[AsyncSession]) checks calls against async_sessionmaker."""
    from sqlalchemy.ext.asyncio import async_sessionmaker

    maker = af.fake(async_sessionmaker[AsyncSession])
    assert af.calls(maker) == []
    assert isinstance(maker, af.MagicFake)
    with pytest.raises(AttributeError, match=r"^async_sessionmaker has no attribute 'sesion'"):
        maker.sesion
    maker.configure(expire_on_commit=False)
    with pytest.raises(TypeError) as raised:
        maker.begin(1)
    assert str(raised.value) == (
        "async_sessionmaker.begin() takes 0 positional arguments but 1 was given\n"
        "  call:      async_sessionmaker.begin(1)\n"
        "  signature: async_sessionmaker.begin()"
    )
    assert [r.describe() for r in af.calls(maker.configure)] == [
        "async_sessionmaker.configure(expire_on_commit=False)"
    ]
