"""The application the cookbook's fixture recipes test: a FastAPI users API over SQLAlchemy."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    email: Mapped[str]


class UserRepository:
    """Users in the database, through an `AsyncSession`."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, name: str, email: str) -> User:
        user = User(name=name, email=email)
        self.session.add(user)
        await self.session.commit()
        await self.session.refresh(user)
        return user

    async def get(self, user_id: int) -> User | None:
        return await self.session.get(User, user_id)


async def get_session() -> AsyncIterator[AsyncSession]:  # pragma: no cover - replaced in tests
    """The request's database session (wired to a real engine in production)."""
    raise RuntimeError("no database configured")
    yield


def get_repository(session: Annotated[AsyncSession, Depends(get_session)]) -> UserRepository:
    return UserRepository(session)


Users = Annotated[UserRepository, Depends(get_repository)]


class NewUser(BaseModel):
    name: str
    email: str


app = FastAPI()


@app.post("/users", status_code=201)
async def create_user(new: NewUser, users: Users) -> dict:
    user = await users.add(new.name, new.email)
    return {"id": user.id, "name": user.name, "email": user.email}


@app.get("/users/{user_id}")
async def read_user(user_id: int, users: Users) -> dict:
    user = await users.get(user_id)
    if user is None:
        raise HTTPException(status_code=404, detail=f"no user {user_id}")
    return {"id": user.id, "name": user.name, "email": user.email}


async def warm_up() -> dict:
    """Something expensive done once per test session (the guide's shared resource)."""
    await asyncio.sleep(0.01)
    return {"initialized": True, "setup_time": asyncio.get_running_loop().time()}
