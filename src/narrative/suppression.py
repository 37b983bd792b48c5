"""Small numbers withheld as official statistics withhold them, so no published figure points to a few people.

A count from 1 to 4 is shown as `<5` (primary suppression). Where a column is published with its total, the
withheld counts could be worked out by subtraction; so more counts are withheld, the smallest first and shown
as `[c]` (secondary suppression), until no withheld count can be told from the total, and the total itself when
nothing else is left to withhold. Zero is shown: it points to no one. Standard library only.
"""

from __future__ import annotations

from collections.abc import Sequence

SMALL = range(1, 5)
"""Counts withheld for their own sake."""
PRIMARY = "<5"
"""Shown instead of a count from 1 to 4."""
SECONDARY = "[c]"
"""Shown instead of a larger count withheld so that a small one cannot be worked out from a total."""
MARKERS = (PRIMARY, SECONDARY)
RULE = (f"Counts from 1 to 4 are shown as '{PRIMARY}'. Where a total would let a reader work one out, another "
        f"count (the smallest) is withheld too and shown as '{SECONDARY}'; a total is withheld the same way when "
        "nothing else is left to withhold. Zero is shown as 0.")
"""The rule in words, as the impact page and the data package state it."""

Cell = int | str
"""A count as published: the number, or the marker that stands for it."""


def _determined(values: Sequence[int], hidden: Sequence[int]) -> bool:
    """Whether a reader who knows the column's total, the counts shown and this rule could tell the exact value
    of a count withheld as small: the range its withheld neighbours leave it is one number. A count withheld as
    `[c]` is 5 or more, with no upper bound."""
    left = sum(values[index] for index in hidden)
    for index in hidden:
        if values[index] not in SMALL:
            continue
        others = [other for other in hidden if other != index]
        highest = min(SMALL[-1], left - sum(SMALL[0] if values[other] in SMALL else SMALL[-1] + 1
                                            for other in others))
        bounded = all(values[other] in SMALL for other in others)
        lowest = max(SMALL[0], left - SMALL[-1] * len(others)) if bounded else SMALL[0]
        if highest == lowest:
            return True
    return False


def protect(values: Sequence[int], total: bool = True) -> tuple[Cell, ...]:
    """`values` as published, followed by their total when `total` is true (without one, only the small counts
    are withheld: there is nothing to subtract from)."""
    hidden = [index for index, value in enumerate(values) if value in SMALL]
    whole = sum(values)
    total_hidden = whole in SMALL
    if total and not total_hidden:
        while hidden and _determined(values, hidden):
            shown = [index for index, value in enumerate(values) if index not in hidden and value > 0]
            if not shown:
                total_hidden = True
                break
            hidden.append(min(shown, key=lambda index: (values[index], index)))
    cells: list[Cell] = [(PRIMARY if value in SMALL else SECONDARY) if index in hidden else value
                         for index, value in enumerate(values)]
    if total:
        cells.append(PRIMARY if whole in SMALL else SECONDARY if total_hidden else whole)
    return tuple(cells)


def protect_columns(rows: Sequence[Sequence[int]], width: int, total: bool = True) -> list[tuple[Cell, ...]]:
    """A table's rows of `width` counts as published: each column withheld as `protect` withholds it, and the
    row of the columns' totals last when `total` is true."""
    columns = [protect([row[index] for row in rows], total) for index in range(width)]
    return list(zip(*columns))


def withheld(cell: Cell) -> bool:
    return isinstance(cell, str)
