"""After its first READY, `hackbot run` keeps the start-up objects out of the garbage
collector's full collections (bot/app.py::freeze_startup_objects)."""

from __future__ import annotations

import gc

from bot.app import GC_THRESHOLDS, freeze_startup_objects


class Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector frees it


def test_start_up_objects_are_frozen_and_later_garbage_is_still_collected() -> None:
    assert gc.get_freeze_count() == 0
    thresholds = gc.get_threshold()
    try:
        kept = [Node() for _ in range(1000)]
        freeze_startup_objects()
        frozen = gc.get_freeze_count()
        assert frozen >= len(kept)
        later = [Node() for _ in range(1000)]
        del later
        assert gc.collect() >= 1000  # created after the freeze: collected as usual
        assert gc.get_freeze_count() == frozen
        assert gc.get_threshold() == GC_THRESHOLDS
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
