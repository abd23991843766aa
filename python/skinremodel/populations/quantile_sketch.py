"""Quantiles of many columns at once (one per output day) from a stream of rows, in bounded memory.

A population's prediction bands are computed chunk by chunk: each chunk's values are added to a
:class:`QuantileSketch` and dropped. Up to :data:`EXACT_ROWS` rows the sketch keeps every value
and its quantiles are exactly :func:`numpy.quantile`'s. Beyond, it is a deterministic mergeable
compactor (the scheme of Munro-Paterson and KLL without randomness): when a level holds more
than :data:`EXACT_ROWS` rows, each column is sorted and every other value moves up a level with
twice the weight (alternating which half, so the rounding errors cancel). Memory is at most
``EXACT_ROWS x columns x 8`` bytes per level, and there are ``log2(rows / EXACT_ROWS) + 1``
levels; the rank error of a quantile is at most ``levels / EXACT_ROWS`` of the rows (0.6% for
10 million rows), and is in practice far smaller (``docs/limits.md``).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["QuantileSketch", "EXACT_ROWS"]

#: Rows kept exactly, and the capacity of every level of the compactor.
EXACT_ROWS = 2048


class QuantileSketch:
    """Streaming quantiles of ``width`` columns (see the module docstring)."""

    def __init__(self, width: int, capacity: int = EXACT_ROWS) -> None:
        self.width = width
        self.capacity = capacity
        self.levels: list[NDArray[np.float64]] = [np.empty((0, width))]
        self.count = 0
        self._flip = 0

    @property
    def exact(self) -> bool:
        """True while every value is kept (no compaction yet)."""
        return len(self.levels) == 1

    @property
    def nbytes(self) -> int:
        """Bytes held by the sketch."""
        return sum(level.nbytes for level in self.levels)

    def add(self, rows: NDArray[np.float64]) -> None:
        """Add rows (shape (n, width)); NaN rows must be removed by the caller."""
        rows = np.asarray(rows, dtype=np.float64).reshape(-1, self.width)
        self.count += len(rows)
        self.levels[0] = np.concatenate([self.levels[0], rows])
        level = 0
        while level < len(self.levels):
            if len(self.levels[level]) > self.capacity:
                self._compact(level)
            level += 1

    def _compact(self, level: int) -> None:
        values = np.sort(self.levels[level], axis=0)
        keep = len(values) % 2  # an odd row out stays at this level
        pairs = values[keep:]
        up = pairs[self._flip :: 2]
        self._flip ^= 1
        self.levels[level] = values[:keep]
        if level + 1 == len(self.levels):
            self.levels.append(np.empty((0, self.width)))
        self.levels[level + 1] = np.concatenate([self.levels[level + 1], up])

    def quantiles(self, qs: NDArray[np.float64]) -> NDArray[np.float64]:
        """Quantiles ``qs`` of every column, shape (len(qs), width); NaN when empty."""
        if self.count == 0:
            return np.full((len(qs), self.width), np.nan)
        if self.exact:
            return np.asarray(np.quantile(self.levels[0], qs, axis=0))
        weights = np.concatenate([np.full(len(v), 2.0**k) for k, v in enumerate(self.levels)])
        total = weights.sum()
        out = np.empty((len(qs), self.width))
        for j in range(self.width):  # one column at a time: memory of one column's values
            column = np.concatenate([level[:, j] for level in self.levels])
            order = np.argsort(column, kind="stable")
            cumulative = np.cumsum(weights[order])
            # Inverted CDF: the smallest value whose cumulative weight reaches q of the total.
            positions = np.minimum(
                np.searchsorted(cumulative, qs * total, side="left"), len(column) - 1
            )
            out[:, j] = column[order[positions]]
        return out
