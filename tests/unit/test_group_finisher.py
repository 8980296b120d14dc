"""Work finished in groups in the background while the producer goes on: what ingestion
uses to index the versions already read while the next one is being read."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import pytest

from docservice.services.group_finisher import GroupFinisher


def test_quick_items_are_finished_in_groups_and_all_before_the_block_ends() -> None:
    groups: list[list[int]] = []
    gate = threading.Event()

    def finish(group: Sequence[int]) -> None:
        gate.wait(5)  # the first group takes a while: the next ones gather meanwhile
        groups.append(list(group))

    with GroupFinisher[int](finish, min_group=3, max_wait_s=60) as finisher:
        for item in range(8):
            finisher.add(item)
        gate.set()
    assert sorted(item for group in groups for item in group) == list(range(8))
    assert len(groups) < 8
    assert finisher.unfinished() == []


def test_an_item_does_not_wait_for_a_slow_producer() -> None:
    finished = threading.Event()
    with GroupFinisher[int](lambda group: finished.set(), min_group=8,
                            max_wait_s=0.1) as finisher:
        finisher.add(1)
        assert finished.wait(5)  # while the producer is still busy with the next item


def test_an_error_is_raised_once_everything_else_is_finished() -> None:
    done: list[int] = []

    def finish(group: Sequence[int]) -> None:
        if 2 in group:
            raise RuntimeError("index refused the group")
        done.extend(group)

    finisher = GroupFinisher[int](finish, min_group=1, max_wait_s=0)
    with pytest.raises(RuntimeError, match="index refused"), finisher:
        for item in range(1, 4):
            finisher.add(item)
            while finisher.unfinished():  # one group per item
                time.sleep(0.01)
    assert done == [1, 3]
