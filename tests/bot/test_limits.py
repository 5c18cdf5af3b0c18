"""The per-member cooldown (a state machine against a model) and the in-flight cap."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from bot.errors import Busy, TooFast
from bot.limits import Cooldown, InFlight, Limits
from retrieval.settings import Settings

RATE, PER = 3, 10.0


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class CooldownMachine(RuleBasedStateMachine):
    """Accepted questions never exceed RATE in any PER-second window, and no question is
    refused unless RATE were accepted in the last PER seconds."""

    def __init__(self) -> None:
        super().__init__()
        self.clock = Clock()
        self.cooldown = Cooldown(RATE, PER, self.clock)
        self.accepted: dict[int, list[float]] = {}

    @rule(seconds=st.floats(min_value=0, max_value=8, allow_nan=False))
    def wait(self, seconds: float) -> None:
        self.clock.now += seconds

    @rule(member=st.integers(1, 3))
    def ask(self, member: int) -> None:
        recent = [t for t in self.accepted.get(member, []) if t > self.clock.now - PER]
        try:
            self.cooldown.hit(member)
        except TooFast as exc:
            assert len(recent) >= RATE
            assert exc.retry_after == pytest.approx(min(recent) + PER - self.clock.now)
            return
        assert len(recent) < RATE
        self.accepted.setdefault(member, []).append(self.clock.now)

    @invariant()
    def never_more_than_rate_per_window(self) -> None:
        for times in self.accepted.values():
            for start in times:
                assert sum(start <= t < start + PER for t in times) <= RATE


TestCooldown = CooldownMachine.TestCase
TestCooldown.settings = settings(max_examples=60, stateful_step_count=40, deadline=None)


def test_cooldown_message_says_when_to_try_again():
    clock = Clock()
    cooldown = Cooldown(1, 30, clock)
    cooldown.hit(7)
    clock.now += 5
    with pytest.raises(TooFast, match="try again in 25 s"):
        cooldown.hit(7)
    cooldown.hit(8)  # other members are unaffected


async def test_in_flight_caps_concurrent_answers_and_refuses_after_waiting():
    cap = InFlight(2, wait_s=0.05)
    peak, release = 0, asyncio.Event()

    async def answer() -> None:
        nonlocal peak
        async with cap.slot():
            peak = max(peak, cap.running)
            await release.wait()

    tasks = [asyncio.create_task(answer()) for _ in range(2)]
    await asyncio.sleep(0)
    with pytest.raises(Busy, match="try again"):
        async with cap.slot():
            pass
    release.set()
    await asyncio.wait_for(asyncio.gather(*tasks), 1)
    assert peak == 2 and cap.running == 0
    async with cap.slot():  # a freed slot is usable again
        assert cap.running == 1


def test_limits_follow_settings():
    limits = Limits.from_settings(Settings(cooldown_s=5, cooldown_questions=2, max_in_flight=7))
    assert (limits.cooldown.rate, limits.cooldown.per, limits.in_flight.limit) == (2, 5, 7)
