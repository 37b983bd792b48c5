"""Small numbers withheld: no count from 1 to 4 is shown, and none can be worked out from a column's total.

`possible_values` works out, by brute force over sums rather than by the module's own reasoning, what a reader
who knows the rule could tell of each withheld count; other tests use it on the published files too."""

from __future__ import annotations

import random
from collections.abc import Sequence

import pytest

from narrative.suppression import PRIMARY, SECONDARY, protect

BIG = range(5, 200)
"""What a reader knows of a count shown as `[c]`: 5 or more (no larger than any total here)."""


def possible_values(cells: Sequence[int | str], total: int) -> list[set[int]]:
    """For each cell shown as `<5`, every value it could have, given the numbers shown, that `<5` is 1 to 4,
    `[c]` 5 or more, and that the cells add up to `total`."""
    hidden = [index for index, cell in enumerate(cells) if isinstance(cell, str)]
    left = total - sum(cell for cell in cells if isinstance(cell, int))
    ranges = {index: range(1, 5) if cells[index] == PRIMARY else BIG for index in hidden}
    found = []
    for index in hidden:
        if cells[index] != PRIMARY:
            continue
        sums = {0}
        for other in hidden:
            if other != index:
                sums = {done + value for done in sums for value in ranges[other] if done + value <= left}
        found.append({value for value in ranges[index] if left - value in sums})
    return found


def revealed(published: Sequence[int | str], total: int) -> bool:
    """Whether any withheld small count in a published column can be told exactly."""
    return any(len(values) < 2 for values in possible_values(published, total))


@pytest.mark.parametrize(("values", "published"), [
    ([12, 7, 0], (12, 7, 0, 19)),
    ([3, 10, 7], (PRIMARY, 10, SECONDARY, 20)),
    ([1, 1, 10], (PRIMARY, PRIMARY, SECONDARY, 12)),
    ([1, 2, 3, 4, 30], (PRIMARY, PRIMARY, PRIMARY, PRIMARY, 30, 40)),
    ([0, 0, 3], (0, 0, PRIMARY, PRIMARY)),
    ([5, 5, 1], (SECONDARY, SECONDARY, PRIMARY, SECONDARY)),
    ([], (0,)),
])
def test_small_counts_and_what_would_reveal_them_are_withheld(values: list[int], published: tuple) -> None:
    assert protect(values) == published


def test_without_a_total_only_small_counts_are_withheld() -> None:
    assert protect([3, 10, 7], total=False) == (PRIMARY, 10, 7)


def test_a_published_column_never_shows_or_reveals_a_small_count() -> None:
    chance = random.Random(22)
    for _ in range(3000):
        values = [chance.choice([0, 0, 1, 2, 3, 4, 5, 6, 9, 14, 30]) for _ in range(chance.randint(1, 7))]
        *cells, total = protect(values)
        for value, cell in zip(values, cells):
            assert cell == value if isinstance(cell, int) else (value in range(1, 5)) == (cell == PRIMARY), values
            assert not isinstance(cell, int) or cell not in range(1, 5), values
        if isinstance(total, int):
            assert total == sum(values)
            assert not revealed(cells, total), (values, cells)


def test_the_brute_force_sees_a_count_revealed_by_subtraction() -> None:
    assert revealed((PRIMARY, 10, 7), 20)
    assert possible_values((PRIMARY, PRIMARY, 10), 12) == [{1}, {1}]
    assert not revealed((PRIMARY, PRIMARY, PRIMARY, PRIMARY, 30), 40)
