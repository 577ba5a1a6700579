"""Random programs of calls, awaits, cancellations and exceptions across tasks record exactly.

Each example is a small asyncio program: a few tasks, each running a list of
steps against a few fakes. The program observes what really happens (through
the fakes' side effects and through what its awaits return or raise) and
checks that the core recorded the same thing: one record per call, in the order
the calls were made, with the right awaited flag, outcome, result, exception,
times, task, contexts and concurrency.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any, Literal

from hypothesis import event, given, settings
from hypothesis import strategies as st

import asyncfakes as af
from asyncfakes._recorder import Journal, activate, deactivate, get_track

Mode = Literal["now", "later", "held", "close", "spawn"]
Behaviour = Literal["return", "raise"]


@dataclass(frozen=True)
class Call:
    """Call async fake `fake`; `mode` says what the program does with the coroutine.

    now: await it at once; later: hand it to whichever task next runs an
    AwaitLater step (or to the end of the program); held: keep it, never
    awaited; close: close it unstarted; spawn: run it as a task and cancel
    that task after `cancel_after` loop iterations.
    """

    fake: int
    mode: Mode
    behaviour: Behaviour
    ticks: int
    cancel_after: int = 0


@dataclass(frozen=True)
class SyncCall:
    """Call the sync fake, which raises when `raises`."""

    raises: bool


@dataclass(frozen=True)
class Yield:
    """Let other tasks run for `ticks` loop iterations."""

    ticks: int


@dataclass(frozen=True)
class AwaitLater:
    """Await the oldest coroutine left for later by any task, if there is one."""


@dataclass(frozen=True)
class Enter:
    """Enter fake async context manager number `context` (`await cm.__aenter__()`)."""

    context: int


@dataclass(frozen=True)
class Exit:
    """Leave the innermost context this task entered, if any."""


Step = Call | SyncCall | Yield | AwaitLater | Enter | Exit

ASYNC_FAKES = 3
CONTEXTS = 2

calls = st.builds(
    Call,
    fake=st.sampled_from([0, 0, 0, 1, 2]),  # mostly one fake, so calls overlap
    mode=st.sampled_from(["now", "now", "later", "held", "close", "spawn", "spawn"]),
    behaviour=st.sampled_from(["return", "return", "raise"]),
    ticks=st.integers(0, 4),
    cancel_after=st.integers(0, 5),
)
steps = st.one_of(
    calls,
    calls,
    calls,
    st.builds(SyncCall, raises=st.booleans()),
    st.builds(Yield, ticks=st.integers(1, 3)),
    st.just(AwaitLater()),
    st.builds(Enter, context=st.integers(0, CONTEXTS - 1)),
    st.just(Exit()),
)
programs = st.lists(st.lists(steps, max_size=12), min_size=2, max_size=4)


@dataclass
class Made:
    """One call as the program made and observed it."""

    target: Any
    args: tuple[Any, ...]
    task: str
    inside: tuple[Any, ...]
    mode: str = "sync"
    started: bool = False  # the side effect began running
    ended: str | None = None  # the side effect's own end: returned, raised or cancelled
    error: BaseException | None = None
    observed: str | None = None  # what the awaiting code saw: returned, raised, cancelled
    value: Any = None


@dataclass
class World:
    """The fakes, and everything the program observed independently of the core."""

    client: af.AsyncFake = field(default_factory=lambda: af.AsyncFake(name="client"))
    fetch: af.AsyncFake = field(default_factory=lambda: af.AsyncFake(name="fetch"))
    ping: af.MagicFake = field(default_factory=lambda: af.MagicFake(name="ping"))
    contexts: list[af.AsyncFake] = field(
        default_factory=lambda: [af.AsyncFake(name=f"cm{n}") for n in range(CONTEXTS)]
    )
    made: list[Made] = field(default_factory=list[Made])
    by_id: dict[int, Made] = field(default_factory=dict[int, Made])
    live: list[int] = field(default_factory=lambda: [0] * ASYNC_FAKES)
    most: list[int] = field(default_factory=lambda: [0] * ASYNC_FAKES)
    later: deque[tuple[Made, Coroutine[Any, Any, Any]]] = field(
        default_factory=deque[tuple[Made, Coroutine[Any, Any, Any]]]
    )
    held: list[tuple[Made, Coroutine[Any, Any, Any]]] = field(
        default_factory=list[tuple[Made, Coroutine[Any, Any, Any]]]
    )
    spawned: list[tuple[Made, asyncio.Task[Any]]] = field(
        default_factory=list[tuple[Made, asyncio.Task[Any]]]
    )
    ids: itertools.count[int] = field(default_factory=itertools.count)

    def __post_init__(self) -> None:
        for index, fake in enumerate(self.async_fakes):
            fake.side_effect = self.effect(index)
        self.ping.side_effect = self.sync_effect

    @property
    def async_fakes(self) -> list[af.AsyncFake]:
        return [self.client.get, self.client.post, self.fetch]

    def effect(self, index: int) -> Any:
        async def run(call_id: int, ticks: int, behaviour: Behaviour) -> Any:
            made = self.by_id[call_id]
            made.started = True
            self.live[index] += 1
            self.most[index] = max(self.most[index], self.live[index])
            try:
                for _ in range(ticks):
                    await asyncio.sleep(0)
            except asyncio.CancelledError:
                made.ended = "cancelled"
                raise
            finally:
                self.live[index] -= 1
            if behaviour == "raise":
                made.ended = "raised"
                made.error = ValueError(call_id)
                raise made.error
            made.ended = "returned"
            return ("r", call_id)

        return run

    def sync_effect(self, call_id: int, raises: bool) -> Any:
        made = self.by_id[call_id]
        made.started = True
        if raises:
            made.ended = "raised"
            made.error = KeyError(call_id)
            raise made.error
        made.ended = "returned"
        return ("s", call_id)

    def note(self, target: Any, args: tuple[Any, ...], stack: list[Any], mode: str) -> Made:
        made = Made(target, args, _task_name(), tuple(stack), mode)
        self.made.append(made)
        return made


def _task_name() -> str:
    task = asyncio.current_task()
    assert task is not None
    return task.get_name()


async def _observe(made: Made, awaitable: Any) -> None:
    try:
        made.value = await awaitable
    except ValueError as error:
        made.observed, made.value = "raised", error
    else:
        made.observed = "returned"


async def _run_task(world: World, steps: list[Step]) -> None:
    stack: list[Any] = []
    for step in steps:
        if isinstance(step, Call):
            call_id = next(world.ids)
            fake = world.async_fakes[step.fake]
            args = (call_id, step.ticks, step.behaviour)
            world.by_id[call_id] = made = Made(None, args, "", ())
            coroutine = fake(*args)
            # Nothing may run between the call and this note: it fixes the order.
            made.target, made.task, made.inside, made.mode = (
                fake,
                _task_name(),
                tuple(stack),
                step.mode,
            )
            world.made.append(made)
            if step.mode == "now":
                await _observe(made, coroutine)
            elif step.mode == "later":
                world.later.append((made, coroutine))
            elif step.mode == "held":
                world.held.append((made, coroutine))
            elif step.mode == "close":
                coroutine.close()
            else:
                task = asyncio.create_task(coroutine)
                world.spawned.append((made, task))
                for _ in range(step.cancel_after):
                    await asyncio.sleep(0)
                task.cancel()
        elif isinstance(step, SyncCall):
            call_id = next(world.ids)
            world.by_id[call_id] = made = Made(world.ping, (call_id, step.raises), "", ())
            made.task, made.inside = _task_name(), tuple(stack)
            world.made.append(made)
            try:
                made.value = world.ping(call_id, step.raises)
            except KeyError as error:
                made.observed, made.value = "raised", error
            else:
                made.observed = "returned"
        elif isinstance(step, Yield):
            for _ in range(step.ticks):
                await asyncio.sleep(0)
        elif isinstance(step, AwaitLater):
            if world.later:
                await _observe(*world.later.popleft())
        elif isinstance(step, Enter):
            context = world.contexts[step.context]
            made = world.note(context.__aenter__, (), stack, "now")
            await _observe(made, context.__aenter__())
            stack.append(context)
        elif stack:
            context = stack[-1]
            made = world.note(context.__aexit__, (None, None, None), stack, "now")
            await _observe(made, context.__aexit__(None, None, None))
            stack.pop()
    while stack:
        context = stack.pop()
        made = world.note(context.__aexit__, (None, None, None), [*stack, context], "now")
        await _observe(made, context.__aexit__(None, None, None))


def _expected_calls(program: list[list[Step]], world: World) -> list[int]:
    """How many times each async fake is called by the program, known before it runs."""
    counts = [0] * ASYNC_FAKES
    for task_steps in program:
        for step in task_steps:
            if isinstance(step, Call):
                counts[step.fake] += 1
    return counts


async def _run(program: list[list[Step]], world: World) -> list[Any]:
    expected = _expected_calls(program, world)
    watchers = [
        asyncio.create_task(af.wait_for_calls(fake, count))
        for fake, count in zip(world.async_fakes, expected)
        if count
    ]
    tasks = [
        asyncio.create_task(_run_task(world, steps), name=f"T{index}")
        for index, steps in enumerate(program)
    ]
    await asyncio.gather(*tasks)
    while world.later:
        await _observe(*world.later.popleft())
    for made, task in world.spawned:
        try:
            made.value = await task
        except asyncio.CancelledError:
            made.observed = "cancelled"
            event("a spawned call was cancelled " + ("running" if made.started else "unstarted"))
        except ValueError as error:
            made.observed, made.value = "raised", error
        else:
            made.observed = "returned"
    # Every call has been made: each watcher is woken within a loop iteration or two.
    for _ in range(3):
        await asyncio.sleep(0)
    asleep = [watcher for watcher in watchers if not watcher.done()]
    for watcher in asleep:
        watcher.cancel()
    waited = await asyncio.gather(*watchers, return_exceptions=True)
    assert not asleep, f"{len(asleep)} wait_for_calls() never woke up"
    return waited


def _check_record(record: af.CallRecord, made: Made) -> None:
    assert record.target is made.target
    assert record.args == made.args
    assert record.kwargs == {}
    assert record.task_name == made.task
    assert record.inside == made.inside
    if made.mode == "held":
        assert (record.awaited, record.outcome, record.ended_at) == (False, "pending", None)
        assert (record.result, record.exception) == (None, None)
        return
    if made.mode == "close" or (made.mode == "spawn" and not made.started):
        # Closed, or its task cancelled, before it ever ran.
        assert (record.awaited, record.outcome, record.ended_at) == (False, "cancelled", None)
        assert (record.result, record.exception) == (None, None)
        return
    assert record.awaited is (made.mode != "sync")
    assert record.ended_at is not None
    assert record.ended_at >= record.started_at
    if made.ended is not None:
        # The side effect's own account agrees with what the caller observed.
        assert made.observed == made.ended
    assert record.outcome == made.observed
    if made.observed == "returned":
        assert (record.result, record.exception) == (made.value, None)
    elif made.observed == "raised":
        assert record.result is None
        assert record.exception is made.value
        assert made.error is None or made.error is made.value
    else:
        assert record.result is None
        assert isinstance(record.exception, asyncio.CancelledError)


def _check(program: list[list[Step]], world: World, journal: Journal, waited: Any) -> None:
    made = world.made
    records = journal.calls
    # One record per call, in the order the calls were made, numbered in that order.
    assert [(r.target, r.args) for r in records] == [(m.target, m.args) for m in made]
    seqs = [r.seq for r in records]
    assert all(a < b for a, b in itertools.pairwise(seqs))
    for record, one in zip(records, made):
        _check_record(record, one)
    # Each fake lists exactly its own calls, in order.
    fakes = [*world.async_fakes, world.ping]
    fakes += [c.__aenter__ for c in world.contexts] + [c.__aexit__ for c in world.contexts]
    for fake in fakes:
        mine = [r for r in records if r.target is fake]
        assert af.calls(fake) == mine
    # Concurrency, as counted by the side effects themselves.
    event(f"highest concurrency: {max(world.most)}")
    for index, fake in enumerate(world.async_fakes):
        assert af.max_concurrency(fake) == world.most[index]
        track = get_track(fake)
        assert track is not None
        assert track.in_flight == 0
        assert track.waiters is None
    # Only the calls still held unawaited are reported as such.
    assert journal.unawaited() == [r for r, m in zip(records, made) if m.mode == "held"]
    # Every watcher saw all calls of its fake.
    expected = [n for n in _expected_calls(program, world) if n]
    watched = [f for f, n in zip(world.async_fakes, _expected_calls(program, world)) if n]
    assert [len(w) for w in waited] == expected
    for fake, records_seen in zip(watched, waited):
        assert records_seen == af.calls(fake)


def _run_in_new_loop(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run `coroutine` in a loop of its own, leaving the thread's current loop alone.

    Unlike `asyncio.run`, this does not reset the current event loop, which a
    pytest plugin may have created for the test.
    """
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coroutine)
    finally:
        loop.close()


@settings(max_examples=200, deadline=None, derandomize=True)
@given(programs)
def test_random_programs_are_recorded_exactly(program: list[list[Step]]) -> None:
    """It records every call of a random multi-task program exactly as it happened."""
    world = World()
    journal = Journal()
    activate(journal)
    try:
        waited = _run_in_new_loop(_run(program, world))
        _check(program, world, journal, waited)
    finally:
        deactivate(journal)
        for _, coroutine in world.held:
            coroutine.close()
    assert all(r.outcome != "pending" for r in journal.calls)
