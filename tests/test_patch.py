"""af.patch, patch.object, patch.dict: replacements, the four ways to apply them, and undo."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import inspect
import json
import os
import re
import sys
import textwrap
import unittest
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any
from unittest import mock

import httpx
import pytest

import asyncfakes as af

APP = {
    "__init__.py": "",
    "services.py": """
        import asyncio
        from contextlib import asynccontextmanager


        class UserRepository:
            table = "users"

            async def save(self, user: dict, *, upsert: bool = False) -> int:
                await asyncio.sleep(0)
                return 1

            def count(self) -> int:
                return 42

            @classmethod
            def create(cls, dsn: str) -> "UserRepository":
                return cls()

            @staticmethod
            def normalize(name: str) -> str:
                return name.strip().lower()

            async def stream_users(self, limit: int):
                for number in range(limit):
                    yield {"id": number}

            @property
            def dsn(self) -> str:
                return "postgres://db"


        class AdminRepository(UserRepository):
            pass


        async def fetch_user(user_id: int) -> dict:
            raise ConnectionError("the real API is not reachable from tests")


        def render(user: dict) -> str:
            return f"<{user['name']}>"


        async def events(count: int):
            for number in range(count):
                yield number


        @asynccontextmanager
        async def transaction(name: str):
            yield name


        TIMEOUT = 5.0
        """,
    "profile.py": """
        from app.services import fetch_user, render


        async def show(user_id: int) -> str:
            return render(await fetch_user(user_id))
        """,
}


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """A real package `app` on sys.path (services and profile modules), removed afterwards."""
    package = tmp_path / "app"
    package.mkdir()
    for name, source in APP.items():
        (package / name).write_text(textwrap.dedent(source), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    yield importlib.import_module("app.services")
    for name in [name for name in sys.modules if name == "app" or name.startswith("app.")]:
        del sys.modules[name]


@pytest.fixture(autouse=True)
def _nothing_left_started() -> Iterator[None]:
    yield
    af.patch.stopall()


# -- the default replacement ------------------------------------------------------


async def test_an_async_function_becomes_an_awaitable_fake(app: ModuleType) -> None:
    """It replaces an async function with an awaitable fake that the code under test awaits."""
    from app import profile

    with af.patch("app.profile.fetch_user") as fetch_user:
        fetch_user.return_value = {"name": "ada"}
        assert await profile.show(7) == "<ada>"
    assert isinstance(fetch_user, af.AsyncFake)
    af.verify(fetch_user).awaited_once_with(7)
    assert profile.fetch_user is app.fetch_user


async def test_patching_the_defining_module_does_not_reach_an_importer(app: ModuleType) -> None:
    """It patches the name where it is looked up: `from x import f` copies are untouched."""
    from app import profile

    with af.patch("app.services.fetch_user"), pytest.raises(ConnectionError):
        await profile.show(7)


def test_a_sync_function_becomes_a_sync_fake(app: ModuleType) -> None:
    """It replaces a plain function with a sync fake that returns a value, not an awaitable."""
    with af.patch("app.services.render", spec=True) as render:
        render.return_value = "<fake>"
        assert app.render({"name": "ada"}) == "<fake>"
    assert isinstance(render, af.MagicFake)
    af.verify(render).called_once_with({"name": "ada"})


async def test_an_async_generator_function_becomes_an_iterator_fake(app: ModuleType) -> None:
    """It replaces an async generator function with a fake whose call can be iterated."""
    with af.patch("app.services.events") as events:
        items = [item async for item in app.events(3)]
    assert items == []
    af.verify(events).called_once_with(3)


async def test_an_async_context_manager_function_becomes_a_context_fake(app: ModuleType) -> None:
    """It replaces an @asynccontextmanager function with a fake usable in `async with`."""
    with af.patch("app.services.transaction") as transaction:
        async with app.transaction("tx"):
            pass
    af.verify(transaction).called_once_with("tx")


def test_a_class_becomes_a_callable_that_returns_a_fake_instance(app: ModuleType) -> None:
    """It replaces a class with a fake class whose instances have the real members only."""
    with af.patch("app.services.UserRepository") as repository_class:
        repository = app.UserRepository()
        assert repository is repository_class.return_value
        with pytest.raises(AttributeError):
            _ = repository.delete_everything


async def test_a_method_patched_on_its_class_is_called_without_self(app: ModuleType) -> None:
    """It replaces a method on the class; calls reach the fake without `self`, spec'd to the rest."""
    with af.patch.object(app.UserRepository, "save") as save:
        save.return_value = 5
        assert await app.UserRepository().save({"name": "ada"}) == 5
    assert isinstance(save, af.AsyncFake)
    af.verify(save).awaited_once_with({"name": "ada"})


def test_class_and_static_methods_are_spec_d_without_their_first_parameter(
    app: ModuleType,
) -> None:
    """It specs a classmethod without `cls` and a staticmethod as it is."""
    with af.patch.object(app.UserRepository, "create") as create:
        app.UserRepository.create("postgres://db")
    af.verify(create).called_once_with("postgres://db")
    with af.patch.object(app.UserRepository, "normalize") as normalize:
        app.UserRepository().normalize(" Ada ")
    af.verify(normalize).called_once_with(" Ada ")
    assert app.UserRepository.normalize(" Ada ") == "ada"


async def test_the_replacement_checks_calls_against_the_real_signature(app: ModuleType) -> None:
    """It raises, at call time, the TypeError a wrong call of the real method would, with its signature."""
    with af.patch.object(app.UserRepository, "save") as save:
        with pytest.raises(TypeError) as info:
            await app.UserRepository().save({"name": "ada"}, upsrt=True)
        af.when(save).returns(7)
        assert await app.UserRepository().save({"name": "ada"}) == 7
    first, *rest = str(info.value).splitlines()
    # Python 3.13 adds its own suggestion to the TypeError it words.
    assert first in (
        "UserRepository.save() got an unexpected keyword argument 'upsrt'",
        "UserRepository.save() got an unexpected keyword argument 'upsrt'. Did you mean 'upsert'?",
    )
    assert rest == [
        "  call:      UserRepository.save({'name': 'ada'}, upsrt=True)",
        "  signature: UserRepository.save(user, *, upsert=...)",
    ]


def test_a_patched_class_s_instances_refuse_unknown_attributes(app: ModuleType) -> None:
    """It gives instances that have the real attributes only, with the closest names."""
    with af.patch("app.services.UserRepository") as repository_class:
        repository = app.UserRepository("postgres://db")
        with pytest.raises(AttributeError, match=r"Did you mean 'count'\?"):
            _ = repository.cont
    repository_class.assert_called_once_with("postgres://db")


async def test_strict_replacements_refuse_unstubbed_calls(app: ModuleType) -> None:
    """It makes unstubbed calls fail with strict=True."""
    with af.patch("app.services.fetch_user", strict=True) as fetch_user:
        with pytest.raises(af.UnstubbedCallError):
            await app.fetch_user(1)
        af.when(fetch_user).called_with(1).returns({"name": "ada"})
        assert await app.fetch_user(1) == {"name": "ada"}


def test_a_property_is_replaced_by_a_fake_of_what_its_getter_returns(app: ModuleType) -> None:
    """It specs a patched property from its getter's result class (reading gives the fake)."""
    with af.patch.object(app.UserRepository, "dsn") as dsn:
        assert app.UserRepository().dsn is dsn
        assert dsn.upper() is not None
        with pytest.raises(AttributeError):
            _ = dsn.no_such_str_method
    assert app.UserRepository().dsn == "postgres://db"


async def test_spec_can_name_another_object(app: ModuleType) -> None:
    """It specs the replacement from the object passed as spec=."""

    class Stricter:
        async def __call__(self, user_id: int, *, fresh: bool) -> dict: ...

    with af.patch("app.services.fetch_user", spec=Stricter()) as fetch_user:
        with pytest.raises(TypeError, match=r"missing 1 required keyword-only argument: 'fresh'"):
            await app.fetch_user(1)
        af.when(fetch_user).returns({"name": "ada"})
        assert await app.fetch_user(1, fresh=True) == {"name": "ada"}


def test_spec_false_gives_an_unspecced_fake_of_the_same_kind(app: ModuleType) -> None:
    """It gives an unspec'd fake (any attribute exists) that is still async for an async original."""
    with af.patch("app.services.fetch_user", spec=False) as fetch_user:
        assert fetch_user.anything_at_all is not None
    assert isinstance(fetch_user, af.AsyncFake)
    with af.patch("app.services.render", spec=False) as render:
        assert render.anything_at_all is not None
    assert isinstance(render, af.MagicFake)


def test_new_replaces_with_that_value_and_is_not_passed_to_a_decorated_function(
    app: ModuleType,
) -> None:
    """It installs `new` itself; the decorator does not pass it as an argument."""

    @af.patch("app.services.TIMEOUT", 0.5)
    def check() -> float:
        return app.TIMEOUT

    assert check() == 0.5
    assert app.TIMEOUT == 5.0
    with af.patch.object(app, "TIMEOUT", new=1.0) as timeout:
        assert timeout == app.TIMEOUT == 1.0


async def test_a_real_library_method_is_replaced_spec_d(app: ModuleType) -> None:
    """It patches httpx.AsyncClient.get: the code under test gets the fake response."""
    response = httpx.Response(200, json={"id": 1}, request=httpx.Request("GET", "https://api/u/1"))

    async def load_user(user_id: int) -> Any:
        async with httpx.AsyncClient(base_url="https://api") as client:
            reply = await client.get(f"/u/{user_id}")
            reply.raise_for_status()
            return reply.json()

    async with af.patch.object(httpx.AsyncClient, "get") as get:
        get.return_value = response
        assert await load_user(1) == {"id": 1}
    af.verify(get).awaited_once_with("/u/1")
    assert "get" in vars(httpx.AsyncClient)
    assert inspect.iscoroutinefunction(httpx.AsyncClient.get)


# -- the ways to apply a patch ----------------------------------------------------


async def test_async_with_applies_and_undoes(app: ModuleType) -> None:
    """It works as an async context manager."""
    original = app.fetch_user
    async with af.patch("app.services.fetch_user") as fetch_user:
        assert app.fetch_user is fetch_user
    assert app.fetch_user is original


def test_decorates_a_sync_function_passing_the_replacement_last(app: ModuleType) -> None:
    """It passes the replacement after the positional arguments given, as mock.patch does."""

    @af.patch("app.services.render")
    def check(user: dict, render: Any) -> str:
        render.return_value = "<fake>"
        return app.render(user)

    assert check({"name": "ada"}) == "<fake>"
    assert app.render({"name": "ada"}) == "<ada>"


async def test_decorates_an_async_function(app: ModuleType) -> None:
    """It decorates a coroutine function: the patch lasts while the coroutine runs."""

    @af.patch("app.services.fetch_user")
    async def check(fetch_user: Any) -> Any:
        fetch_user.return_value = {"name": "ada"}
        return await app.fetch_user(1)

    assert inspect.iscoroutinefunction(check)
    assert await check() == {"name": "ada"}
    with pytest.raises(ConnectionError):
        await app.fetch_user(1)


def test_stacked_decorators_pass_replacements_bottom_up(app: ModuleType) -> None:
    """It passes stacked replacements nearest-decorator first, like unittest.mock."""

    @af.patch("app.services.render")
    @af.patch("app.services.fetch_user")
    def check(fetch_user: Any, render: Any) -> tuple[Any, Any]:
        return fetch_user, render

    fetch_user, render = check()
    assert isinstance(fetch_user, af.AsyncFake)
    assert isinstance(render, af.MagicFake)
    assert list(inspect.signature(check).parameters) == []


def test_each_call_of_a_decorated_function_gets_a_fresh_replacement(app: ModuleType) -> None:
    """It applies the patch anew for each call, so calls do not share a replacement."""

    @af.patch("app.services.render")
    def check(render: Any) -> Any:
        return render

    assert check() is not check()


def test_decorates_every_test_method_of_a_class(app: ModuleType) -> None:
    """It decorates each `test*` method of a class, and leaves the others alone."""

    @af.patch("app.services.render")
    class Checks(unittest.TestCase):
        def test_render_is_patched(self, render: Any) -> None:
            render.return_value = "<fake>"
            assert app.render({}) == "<fake>"

        def helper(self) -> str:
            return app.render({"name": "real"})

    result = unittest.TestResult()
    Checks("test_render_is_patched").run(result)
    assert (result.testsRun, result.errors, result.failures) == (1, [], [])
    assert Checks("test_render_is_patched").helper() == "<real>"


def test_the_decorated_signature_hides_the_replacement_parameters(app: ModuleType) -> None:
    """It hides the parameters the replacements fill, so pytest looks only for real fixtures."""

    @af.patch("app.services.render")
    def test_method(self: Any, render: Any, tmp_path: Path) -> None: ...

    assert list(inspect.signature(test_method).parameters) == ["self", "tmp_path"]


def test_start_and_stop(app: ModuleType) -> None:
    """It applies on start() (returning the replacement) and undoes on stop()."""
    patcher = af.patch("app.services.render")
    assert not patcher.started
    render = patcher.start()
    assert app.render is render
    assert patcher.started
    patcher.stop()
    assert app.render({"name": "ada"}) == "<ada>"
    assert not patcher.started
    assert repr(patcher) == "<Patch af.patch('app.services.render') stopped>"


def test_stopall_undoes_started_patches_latest_first(app: ModuleType) -> None:
    """It undoes every started patch, the latest first, so nested ones restore the original."""
    original = app.render
    first = af.patch("app.services.render").start()
    second = af.patch("app.services.render").start()
    assert app.render is second
    assert first is not second
    af.patch.stopall()
    assert app.render is original


def test_a_stopped_patch_can_be_started_again(app: ModuleType) -> None:
    """It can be started again after stop()."""
    patcher = af.patch("app.services.render")
    patcher.start()
    patcher.stop()
    assert patcher.start() is app.render
    patcher.stop()


# -- undo leaves no trace -------------------------------------------------------


def test_patching_an_inherited_method_leaves_the_subclass_as_it_was(app: ModuleType) -> None:
    """It deletes the attribute from the subclass on undo: its __dict__ is exactly as before."""
    before = dict(vars(app.AdminRepository))
    with af.patch.object(app.AdminRepository, "save"):
        assert "save" in vars(app.AdminRepository)
        assert "save" in vars(app.UserRepository)
    assert dict(vars(app.AdminRepository)) == before
    assert app.AdminRepository.save is app.UserRepository.save


def test_patching_through_an_instance_leaves_its_dict_as_it_was(app: ModuleType) -> None:
    """It deletes the instance attribute on undo: the class's method shows through again."""
    repository = app.UserRepository()
    with af.patch.object(repository, "count", new=lambda: 0):
        assert repository.count() == 0
        assert app.UserRepository().count() == 42
    assert vars(repository) == {}
    assert repository.count() == 42


def test_descriptors_are_restored_as_they_were(app: ModuleType) -> None:
    """It restores a classmethod, a staticmethod and a property as the same descriptor objects."""
    stored = {name: vars(app.UserRepository)[name] for name in ("create", "normalize", "dsn")}
    for name in stored:
        with af.patch.object(app.UserRepository, name, new=None):
            assert vars(app.UserRepository)[name] is None
    assert {name: vars(app.UserRepository)[name] for name in stored} == stored
    assert app.UserRepository().dsn == "postgres://db"


def test_nested_patches_of_one_attribute_undo_last_in_first_out(app: ModuleType) -> None:
    """It restores each level on the way out."""
    original = app.render
    with af.patch("app.services.render") as outer:
        with af.patch("app.services.render") as inner:
            assert app.render is inner
        assert app.render is outer
    assert app.render is original


@pytest.mark.parametrize("order", ["first-then-second", "second-then-first"])
def test_stopping_out_of_order_still_restores_the_original(app: ModuleType, order: str) -> None:
    """It hands what a patch saved to the one above when stopped out of order."""
    before = dict(vars(app.AdminRepository))
    first = af.patch.object(app.AdminRepository, "count", new=lambda: 1)
    second = af.patch.object(app.AdminRepository, "count", new=lambda: 2)
    first.start()
    second.start()
    for patcher in (first, second) if order == "first-then-second" else (second, first):
        patcher.stop()
    assert dict(vars(app.AdminRepository)) == before


def test_an_exception_undoes_the_patch(app: ModuleType) -> None:
    """It undoes the patch when the block or the decorated function raises."""

    @af.patch("app.services.render")
    def explode(render: Any) -> None:
        raise KeyError("boom")

    with pytest.raises(KeyError):
        explode()
    with pytest.raises(KeyError), af.patch("app.services.render"):
        raise KeyError("boom")
    assert app.render({"name": "ada"}) == "<ada>"


async def test_cancellation_undoes_the_patch(app: ModuleType) -> None:
    """It undoes the patch when the task running the block or the decorated coroutine is cancelled."""
    entered = asyncio.Event()

    async def block() -> None:
        async with af.patch("app.services.fetch_user"):
            entered.set()
            await asyncio.sleep(3600)

    @af.patch("app.services.render")
    async def decorated(render: Any) -> None:
        entered.set()
        await asyncio.sleep(3600)

    for coroutine_function in (block, decorated):
        entered.clear()
        task = asyncio.create_task(coroutine_function())
        await entered.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    with pytest.raises(ConnectionError):
        await app.fetch_user(1)
    assert app.render({"name": "ada"}) == "<ada>"


def test_a_patch_that_cannot_be_applied_leaves_nothing_behind(app: ModuleType) -> None:
    """It builds the replacement before touching the target: a failure changes nothing."""
    before = dict(vars(app.UserRepository))
    with pytest.raises(TypeError), af.patch.object(app.UserRepository, "table", scope="task"):
        pass
    assert dict(vars(app.UserRepository)) == before
    assert af.patch.object(app.UserRepository, "table", new="x").started is False


# -- patch.dict ---------------------------------------------------------------------


def test_patch_dict_sets_items_and_restores_the_whole_mapping() -> None:
    """It sets items (values and keywords) and restores the mapping exactly, removed keys too."""
    settings = {"debug": False, "name": "app"}
    with af.patch.dict(settings, {"debug": True}, extra=1) as patched:
        assert patched is settings
        assert settings == {"debug": True, "name": "app", "extra": 1}
        del settings["name"]
    assert settings == {"debug": False, "name": "app"}


def test_patch_dict_clear_and_a_dotted_path() -> None:
    """It clears the mapping first with clear=True, and resolves a dotted path to the mapping."""
    with af.patch.dict("os.environ", {"ONLY": "this"}, clear=True):
        assert dict(os.environ) == {"ONLY": "this"}
    assert "ONLY" not in os.environ
    assert "PATH" in os.environ


async def test_patch_dict_decorates_like_mock_patch_dict() -> None:
    """It decorates sync and async functions without passing an argument, as mock.patch.dict does."""
    settings: dict[str, int] = {}

    @af.patch.dict(settings, a=1)
    def sync_check() -> dict[str, int]:
        return dict(settings)

    @mock.patch.dict(settings, a=1)
    def mock_check() -> dict[str, int]:
        return dict(settings)

    @af.patch.dict(settings, a=2)
    async def async_check() -> dict[str, int]:
        return dict(settings)

    assert sync_check() == mock_check() == {"a": 1}
    assert await async_check() == {"a": 2}
    assert settings == {}


def test_patch_dict_is_restored_when_an_update_fails() -> None:
    """It restores the mapping when setting the items fails half way."""

    class Picky(dict[str, int]):
        def __setitem__(self, key: str, value: int) -> None:
            if key == "bad":
                raise ValueError("no")
            super().__setitem__(key, value)

    settings = Picky(a=1)
    with pytest.raises(ValueError, match=r"^no$"), af.patch.dict(settings, {"b": 2, "bad": 3}):
        pass
    assert settings == {"a": 1}


def test_patch_dict_is_undone_by_stopall() -> None:
    """It is undone by stopall() when started."""
    settings = {"a": 1}
    af.patch.dict(settings, a=2).start()
    af.patch.stopall()
    assert settings == {"a": 1}


# -- task scope -------------------------------------------------------------------------


async def test_task_scope_is_invisible_to_a_concurrent_sibling_task(app: ModuleType) -> None:
    """It patches for the current task and its children; a sibling running meanwhile sees the original."""
    patched_in = asyncio.Event()
    checked = asyncio.Event()
    seen: dict[str, str] = {}

    async def patched_task() -> None:
        with af.patch("app.services.render", scope="task") as render:
            render.return_value = "<fake>"
            patched_in.set()
            seen["patched task"] = app.render({"name": "ada"})
            seen["its child"] = await asyncio.create_task(_render_later())
            await checked.wait()

    async def _render_later() -> str:
        return app.render({"name": "ada"})

    async def sibling() -> None:
        await patched_in.wait()
        seen["sibling"] = app.render({"name": "ada"})
        checked.set()

    await asyncio.gather(patched_task(), sibling())
    assert seen == {"patched task": "<fake>", "its child": "<fake>", "sibling": "<ada>"}
    assert "render" in vars(app)
    assert app.render({"name": "ada"}) == "<ada>"


async def test_task_scope_keeps_binding_and_the_call_site(app: ModuleType) -> None:
    """It routes method calls to the fake (without self) and records the caller's line."""
    async with af.patch.object(app.UserRepository, "save", scope="task") as save:
        line = inspect.currentframe().f_lineno + 1  # type: ignore[union-attr]
        await app.UserRepository().save({"name": "ada"})
    af.verify(save).awaited_once_with({"name": "ada"})
    assert af.calls(save)[0].site == f"{os.path.relpath(__file__)}:{line}"
    assert "save" in vars(app.UserRepository)
    assert inspect.iscoroutinefunction(app.UserRepository.save)


async def test_nested_task_scoped_patches_undo_in_order(app: ModuleType) -> None:
    """It stacks task-scoped patches: the inner one wins until it ends."""
    original = vars(app)["render"]
    with af.patch("app.services.render", new=lambda user: "outer", scope="task"):
        with af.patch("app.services.render", new=lambda user: "inner", scope="task"):
            assert app.render({}) == "inner"
        assert app.render({}) == "outer"
    assert vars(app)["render"] is original


# -- bad input: every message in full -------------------------------------------------


def test_a_misspelled_target_names_the_module_and_the_closest_names(app: ModuleType) -> None:
    """It names the module, the missing attribute and the close names."""
    with pytest.raises(AttributeError) as info, af.patch("app.services.fetch_usr"):
        pass
    assert str(info.value) == (
        "af.patch('app.services.fetch_usr'): module 'app.services' has no attribute "
        "'fetch_usr'. Did you mean 'fetch_user'?"
    )


def test_a_misspelled_method_names_the_class_and_several_close_names(app: ModuleType) -> None:
    """It lists up to three close names of the class."""
    with pytest.raises(AttributeError) as info:
        af.patch.object(app.UserRepository, "sav").start()
    assert str(info.value) == (
        "af.patch.object(UserRepository, 'sav'): class 'UserRepository' has no attribute "
        "'sav'. Did you mean 'save'?"
    )


def test_a_misspelled_submodule_is_suggested_from_the_package(app: ModuleType) -> None:
    """It suggests submodules of a package, imported or not."""
    with pytest.raises(AttributeError) as info, af.patch("app.servics.fetch_user"):
        pass
    assert str(info.value) == (
        "af.patch('app.servics.fetch_user'): module 'app' has no attribute 'servics'. "
        "Did you mean 'services'?"
    )


def test_a_target_with_no_close_name_says_what_to_check(app: ModuleType) -> None:
    """It says what to check when nothing is close."""
    with pytest.raises(AttributeError) as info, af.patch("app.services.zzzz"):
        pass
    assert str(info.value) == (
        "af.patch('app.services.zzzz'): module 'app.services' has no attribute 'zzzz'. "
        "Check the spelling, and patch the name where the code under test looks it up."
    )


def test_a_module_that_is_not_importable() -> None:
    """It names the module that cannot be imported and what a target looks like."""
    with pytest.raises(ModuleNotFoundError) as info, af.patch("nowhere_at_all.fetch"):
        pass
    assert str(info.value) == (
        "af.patch('nowhere_at_all.fetch'): cannot import module 'nowhere_at_all' (no module "
        "of that name is installed). The target is the dotted path under which the code under "
        "test looks the name up, such as 'app.services.fetch_user'."
    )


def test_a_module_whose_own_import_fails_reports_that_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It lets the real error of a module that exists but fails to import through."""
    (tmp_path / "broken_module.py").write_text("import not_installed_dependency\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModuleNotFoundError, match=r"^No module named 'not_installed_dependency'$"):
        af.patch("broken_module.anything").start()


@pytest.mark.parametrize("target", ["fetch_user", "app.", ".fetch", "app..fetch"])
def test_a_target_that_is_not_a_dotted_path(target: str) -> None:
    """It refuses a target without a module part, at once."""
    with pytest.raises(TypeError) as info:
        af.patch(target)
    assert str(info.value) == (
        f"af.patch({target!r}): the target must be a dotted path 'module.name', such as "
        "'app.services.fetch_user'."
    )


def test_a_target_that_is_not_a_string(app: ModuleType) -> None:
    """It says to pass a string, or to use patch.object for an object."""
    with pytest.raises(TypeError) as info:
        af.patch(app.fetch_user)  # type: ignore[call-overload]
    assert str(info.value) == (
        "af.patch() takes the dotted path of the target as a string, such as "
        "'app.services.fetch_user', but got a function: fetch_user. To patch an attribute "
        "of an object, use af.patch.object(obj, 'name')."
    )


def test_an_attribute_name_that_is_not_a_string(app: ModuleType) -> None:
    """It refuses a non-string attribute name of patch.object."""
    with pytest.raises(TypeError) as info:
        af.patch.object(app.UserRepository, 3)  # type: ignore[call-overload]
    assert str(info.value) == (
        "af.patch.object() takes the attribute's name as a string, but got an int."
    )


def test_stop_twice_and_stop_before_start(app: ModuleType) -> None:
    """It refuses a second stop() and a stop() before start()."""
    patcher = af.patch("app.services.render")
    with pytest.raises(RuntimeError) as never:
        patcher.stop()
    assert str(never.value) == (
        "af.patch('app.services.render'): stop() called on a patch that was never started. "
        "Start it first (start(), `with`, or as a decorator)."
    )
    patcher.start()
    patcher.stop()
    with pytest.raises(RuntimeError) as twice:
        patcher.stop()
    assert str(twice.value) == (
        "af.patch('app.services.render'): stop() called on a patch that is already stopped. "
        "Each start() takes exactly one stop()."
    )


def test_start_twice(app: ModuleType) -> None:
    """It refuses to start a started patch."""
    patcher = af.patch("app.services.render")
    patcher.start()
    with pytest.raises(RuntimeError) as info:
        patcher.start()
    assert str(info.value) == (
        "af.patch('app.services.render'): this patch is already applied (started, or inside "
        "its `with` block); stop it, or leave the block, before applying it again."
    )
    patcher.stop()
    with patcher, pytest.raises(RuntimeError) as nested:
        patcher.__enter__()
    assert str(nested.value) == str(info.value)


def test_a_builtin_type_cannot_be_patched_and_nothing_changes() -> None:
    """It explains that a built-in type is immutable and where to patch instead."""
    with pytest.raises(TypeError) as info, af.patch.object(str, "upper"):
        pass
    assert str(info.value) == (
        "af.patch.object(str, 'upper'): str is a built-in or immutable type, so 'upper' "
        "cannot be replaced on it. Patch the name where the code under test looks it up "
        "instead (the module that imports it, or a function of your own that calls it)."
    )
    assert "a".upper() == "A"
    with pytest.raises(TypeError, match=r"^af.patch\('datetime.datetime.now'\): datetime "):
        af.patch("datetime.datetime.now").start()


def test_an_instance_without_a_dict_cannot_be_patched() -> None:
    """It explains why an attribute of a __slots__ instance cannot be replaced."""

    class Point:
        __slots__ = ("x",)

        def norm(self) -> int:
            return 1

    point = Point()
    with pytest.raises(AttributeError) as info, af.patch.object(point, "norm"):
        pass
    assert str(info.value) == (
        "af.patch.object(<test_an_instance_without_a_dict_cannot_be_patched.<locals>.Point "
        "object>, 'norm'): 'norm' cannot be replaced on "
        "'test_an_instance_without_a_dict_cannot_be_patched.<locals>.Point' object: it does "
        "not accept new attributes (a read-only attribute, a property without a setter, or "
        "__slots__). Patch it on the class: af.patch.object("
        "test_an_instance_without_a_dict_cannot_be_patched.<locals>.Point, 'norm')."
    )
    assert point.norm() == 1


def test_a_class_that_refuses_the_new_attribute() -> None:
    """It passes on the reason a (non-built-in) class refused the replacement."""
    import enum

    class Color(enum.Enum):
        RED = 1

    with pytest.raises(TypeError) as info, af.patch.object(Color, "RED", new=2):
        pass
    # The class's own words (here Enum's) differ between Python versions.
    prefix = "test_a_class_that_refuses_the_new_attribute.<locals>.Color"
    assert re.match(
        rf"^af\.patch\.object\({re.escape(prefix)}, 'RED'\): 'RED' cannot be replaced on "
        rf"class '{re.escape(prefix)}' \(AttributeError: .+\)\.$",
        str(info.value),
    )
    assert Color.RED.value == 1


def test_a_value_cannot_be_patched_with_task_scope(app: ModuleType) -> None:
    """It patches only callables with scope='task', and says so."""
    with pytest.raises(TypeError) as info, af.patch("app.services.TIMEOUT", scope="task"):
        pass
    assert str(info.value) == (
        "af.patch('app.services.TIMEOUT'): scope='task' patches callables (functions, "
        "methods, classes), and TIMEOUT is a float. Use scope='global' for a value."
    )


def test_an_unknown_scope_and_strict_without_spec_are_refused() -> None:
    """It refuses an unknown scope and strict=True without a spec, at once."""
    with pytest.raises(ValueError) as scope:
        af.patch("json.dumps", scope="thread")  # type: ignore[call-overload]
    assert (
        str(scope.value)
        == "af.patch('json.dumps'): scope must be 'global' or 'task', not 'thread'."
    )
    with pytest.raises(TypeError) as strict:
        af.patch("json.dumps", spec=False, strict=True)
    assert str(strict.value) == (
        "af.patch('json.dumps'): strict=True needs a spec'd replacement; drop spec=False."
    )
    with pytest.raises(TypeError) as both:
        af.patch("json.dumps", None, strict=True)
    assert str(both.value) == (
        "af.patch('json.dumps'): strict=True applies to the default replacement; "
        "pass either new= or strict=True, not both."
    )


def test_patch_dict_of_something_that_is_not_a_mapping() -> None:
    """It refuses a non-mapping for patch.dict."""
    with pytest.raises(TypeError) as info:
        af.patch.dict([("a", 1)])  # type: ignore[call-overload]
    assert str(info.value) == (
        "af.patch.dict() takes a mutable mapping or the dotted path of one, but got a list: "
        "<list object>."
    )


def test_json_module_is_left_as_it_was() -> None:
    """It leaves a stdlib module's namespace exactly as before after every kind of use."""
    before = dict(vars(json))
    with af.patch("json.dumps"), af.patch.object(json, "loads", new=None):
        pass
    patcher = af.patch.object(json, "JSONDecoder")
    patcher.start()
    patcher.stop()
    with contextlib.suppress(ZeroDivisionError), af.patch("json.dumps"):
        _ = 1 / 0
    assert vars(json) == before


def test_a_class_decorator_patches_inherited_tests_on_the_subclass_only(app: ModuleType) -> None:
    """It patches the `test*` methods a class inherits, as unittest.mock does; the base keeps its own."""

    class Base(unittest.TestCase):
        def test_inherited(self, *replacements: Any) -> None:
            self.seen = (app.render({"name": "real"}), len(replacements))

    @af.patch("app.services.render", new=lambda context: "<patched>")
    class Patched(Base):
        pass

    @af.patch.object(app, "render", new=lambda context: "<base>")
    class Decorated(unittest.TestCase):
        def test_own(self, *replacements: Any) -> None:
            self.seen = (app.render({}), len(replacements))

    @af.patch("app.services.render", new=lambda context: "<sub>")
    class Sub(Decorated):
        pass

    def run(case: unittest.TestCase) -> tuple[str, int]:
        result = unittest.TestResult()
        case.run(result)
        assert (result.errors, result.failures) == ([], [])
        seen: tuple[str, int] = getattr(case, "seen")
        return seen

    assert run(Patched("test_inherited")) == ("<patched>", 0)
    assert run(Base("test_inherited")) == ("<real>", 0)
    assert run(Decorated("test_own")) == ("<base>", 0)
    assert run(Sub("test_own")) == ("<sub>", 0)  # applied last, as an outer decorator
    assert Decorated.test_own is not Sub.test_own
    assert len(getattr(Decorated.test_own, "_af_patchings")) == 1
