"""Percentiles of a stream in bounded memory: exact while the values fit, then a sketch.

Up to `EXACT_LIMIT` values are kept and the percentiles are exact (nearest rank). Past that
they are folded into logarithmic buckets (DDSketch, Masson et al., VLDB 2019): a value x > 0
falls in bucket k = ceil(log_gamma x) with gamma = (1 + a) / (1 - a), and a percentile is
answered with its bucket's 2 gamma^k / (gamma + 1), within a relative error of a = 1% of the
true nearest-rank value. Memory is then one counter per bucket in use: about 1,000 buckets
span 10 microseconds to 10 hours.
"""

from __future__ import annotations

import math
import operator
from array import array
from collections import Counter
from collections.abc import Sequence
from itertools import repeat

EXACT_LIMIT = 1_000_000  # values kept exactly: 8 MB
RELATIVE_ERROR = 0.01
GAMMA = (1 + RELATIVE_ERROR) / (1 - RELATIVE_ERROR)
LOG_GAMMA = math.log(GAMMA)
ZERO = 0.0  # `ZERO.__lt__` keeps the positive values, in C
BUCKET_SLICE = 65_536


class Quantiles:
    def __init__(self, exact_limit: int = EXACT_LIMIT) -> None:
        self.count = 0
        self.maximum = -math.inf
        self._limit = exact_limit
        self._values: array[float] | None = array("d")
        self._buckets: dict[int, int] = {}
        self._zeros = 0  # values at or below 0 (a 0 ms request)

    @property
    def exact(self) -> bool:
        return self._values is not None

    def add(self, value: float) -> None:
        self.extend([value])

    def extend(self, values: list[float]) -> None:
        """Values taken in; kept whole while the percentiles can be exact."""
        if not values:
            return
        self.count += len(values)
        self.maximum = max(self.maximum, max(values))
        if self._values is not None:
            self._values.extend(values)
            if len(self._values) > self._limit:
                kept, self._values = self._values, None
                self._bucket(kept)
            return
        self._bucket(values)

    def _bucket(self, values: Sequence[float]) -> None:
        """Values counted in their buckets, the logarithms and the counting done in C, a
        slice at a time so that folding the exact values never doubles their memory."""
        for start in range(0, len(values), BUCKET_SLICE):
            piece = values[start : start + BUCKET_SLICE]
            positive = list(filter(ZERO.__lt__, piece))
            self._zeros += len(piece) - len(positive)
            keys = Counter(
                map(math.ceil, map(operator.truediv, map(math.log, positive), repeat(LOG_GAMMA)))
            )
            for key, count in keys.items():
                self._buckets[key] = self._buckets.get(key, 0) + count

    def quantile(self, share: float) -> float:
        """The nearest-rank value at `share` (0.5 the median, 1.0 the largest)."""
        if self.count == 0:
            raise ValueError("no values")
        rank = max(1, math.ceil(share * self.count))
        if share >= 1:
            return self.maximum
        if self._values is not None:
            return sorted(self._values)[rank - 1]
        if rank <= self._zeros:
            return 0.0
        seen = self._zeros
        for key in sorted(self._buckets):
            seen += self._buckets[key]
            if seen >= rank:
                return min(2 * GAMMA**key / (GAMMA + 1), self.maximum)
        return self.maximum

    def quantiles(self, *shares: float) -> tuple[float, ...]:
        """Several percentiles with one sort."""
        if self._values is not None and self.count:
            ordered = sorted(self._values)
            return tuple(
                self.maximum if s >= 1 else ordered[max(1, math.ceil(s * self.count)) - 1]
                for s in shares
            )
        return tuple(self.quantile(share) for share in shares)
