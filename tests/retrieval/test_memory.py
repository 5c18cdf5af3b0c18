"""Process-level start-up settings: the garbage collector's pause around start-up work."""

from __future__ import annotations

import gc

import pytest

from retrieval.memory import collector_paused


@pytest.fixture
def collector():
    """The collector's state as the test found it, restored after (nothing left frozen)."""
    enabled = gc.isenabled()
    yield
    gc.unfreeze()
    gc.enable() if enabled else gc.disable()


def test_paused_inside_and_enabled_again_after(collector):
    gc.enable()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off(collector):
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()


def test_what_start_up_made_is_frozen_even_when_it_fails(collector):
    gc.unfreeze()
    gc.enable()
    with pytest.raises(RuntimeError), collector_paused():
        made = [[n] for n in range(1000)]
        raise RuntimeError(len(made))
    assert gc.get_freeze_count() >= 1000
    assert gc.isenabled()
