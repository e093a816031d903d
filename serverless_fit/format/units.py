"""Durations, sizes and rates: parse the workload format's unit strings and format them back."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import ClassVar

SECONDS_PER_MONTH = 730 * 3600  # cloud price lists count a month as 730 hours

_AMOUNT = r"(\d+(?:\.\d+)?|\.\d+)"
_PLAIN_RE = re.compile(rf"^\s*{_AMOUNT}\s*([A-Za-z]+)\s*$")
_RATE_RE = re.compile(rf"^\s*{_AMOUNT}\s*([kMB]?)\s*/\s*([A-Za-z]+)\s*$")


class UnitError(ValueError):
    """A unit string that does not parse; `allowed` says what would."""

    def __init__(self, found: str, allowed: str) -> None:
        super().__init__(f"found {found!r}; allowed: {allowed}")
        self.found = found
        self.allowed = allowed


def format_number(amount: float) -> str:
    """Shortest exact text for an amount: integers without a point, others as written."""
    if math.isfinite(amount) and amount == int(amount) and abs(amount) < 1e15:
        return str(int(amount))
    return f"{amount:.10g}"


def nice_amount(amount: float) -> float:
    """Round a derived amount to what a reader needs: about three significant digits."""
    magnitude = abs(amount)
    if magnitude >= 100:
        return float(round(amount))
    if magnitude >= 10:
        return round(amount, 1)
    if magnitude >= 1:
        return round(amount, 2)
    return float(f"{amount:.3g}")


@dataclass(frozen=True, eq=False)
class Quantity:
    """An amount in a named unit; compared and hashed by its value in the base unit."""

    amount: float
    unit: str
    # The amount in the base unit, worked out once: comparisons read it constantly.
    base: float = field(init=False, repr=False, compare=False)

    kind: ClassVar[str] = "quantity"
    factors: ClassVar[dict[str, float]] = {}

    def __post_init__(self) -> None:
        object.__setattr__(self, "base", self.amount * self.factors[self.unit])

    def __str__(self) -> str:
        if math.isinf(self.amount):
            return "unlimited"
        return f"{format_number(self.amount)}{self.unit}"

    def _key(self, other: object) -> float:
        if not isinstance(other, Quantity) or other.kind != self.kind:
            raise TypeError(f"cannot compare {self.kind} with {type(other).__name__}")
        return other.base

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Quantity) or other.kind != self.kind:
            return NotImplemented
        return math.isclose(self.base, other.base, rel_tol=1e-12, abs_tol=1e-15)

    def __hash__(self) -> int:
        return hash((self.kind, round(self.base, 9)))

    def __lt__(self, other: object) -> bool:
        return self.base < self._key(other) and not self == other

    def __le__(self, other: object) -> bool:
        return self.base <= self._key(other) or self == other

    def __gt__(self, other: object) -> bool:
        return self.base > self._key(other) and not self == other

    def __ge__(self, other: object) -> bool:
        return self.base >= self._key(other) or self == other


class Duration(Quantity):
    kind: ClassVar[str] = "duration"
    factors: ClassVar[dict[str, float]] = {
        "ms": 0.001,
        "s": 1.0,
        "m": 60.0,
        "min": 60.0,
        "h": 3600.0,
        "d": 86400.0,
    }
    allowed: ClassVar[str] = "a number and a unit: ms, s, m or min, h, d (e.g. 300ms, 1.5s, 15min)"

    @property
    def seconds(self) -> float:
        return self.base

    @classmethod
    def from_seconds(cls, seconds: float) -> Duration:
        """A readable duration for a derived value."""
        for unit, limit in (("ms", 1.0), ("s", 120.0), ("min", 7200.0), ("h", 172800.0)):
            if seconds < limit:
                return cls(nice_amount(seconds / cls.factors[unit]), unit)
        return cls(nice_amount(seconds / 86400.0), "d")


class Size(Quantity):
    kind: ClassVar[str] = "size"
    factors: ClassVar[dict[str, float]] = {
        "B": 1.0,
        "KB": 1e3,
        "MB": 1e6,
        "GB": 1e9,
        "TB": 1e12,
        "KiB": 1024.0,
        "MiB": 1024.0**2,
        "GiB": 1024.0**3,
        "TiB": 1024.0**4,
    }
    allowed: ClassVar[str] = (
        "a number and a unit: B, KB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB "
        "(powers of 1024), e.g. 512MiB"
    )

    @property
    def bytes(self) -> float:
        return self.base

    @property
    def gib(self) -> float:
        return self.base / 1024.0**3

    @classmethod
    def from_bytes(cls, count: float) -> Size:
        for unit in ("TiB", "GiB", "MiB", "KiB"):
            if count >= cls.factors[unit]:
                return cls(nice_amount(count / cls.factors[unit]), unit)
        return cls(nice_amount(count), "B")


_RATE_MULTIPLIERS = {"": 1.0, "k": 1e3, "M": 1e6, "B": 1e9}
_RATE_PERIODS = {"s": 1.0, "min": 60.0, "h": 3600.0, "day": 86400.0, "month": SECONDS_PER_MONTH}


class Rate(Quantity):
    """Events per period; `unit` is the multiplier and period as written, such as `M/month`."""

    kind: ClassVar[str] = "rate"
    factors: ClassVar[dict[str, float]] = {
        f"{mult}/{period}": _RATE_MULTIPLIERS[mult] / seconds
        for mult in _RATE_MULTIPLIERS
        for period, seconds in _RATE_PERIODS.items()
    }
    allowed: ClassVar[str] = (
        "a count, optionally with k, M or B, a slash and a period: /s, /min, /h, /day, /month "
        "(e.g. 40/s, 2.5M/month, 300/day)"
    )

    @property
    def per_second(self) -> float:
        return self.base

    @property
    def per_month(self) -> float:
        return self.base * SECONDS_PER_MONTH

    @classmethod
    def from_per_second(cls, per_second: float) -> Rate:
        for period in ("s", "min", "h", "day"):
            count = per_second * _RATE_PERIODS[period]
            if count >= 1:
                return cls._with_multiplier(count, period)
        return cls._with_multiplier(per_second * _RATE_PERIODS["month"], "month")

    @classmethod
    def _with_multiplier(cls, count: float, period: str) -> Rate:
        for mult in ("B", "M", "k"):
            if count >= _RATE_MULTIPLIERS[mult]:
                return cls(nice_amount(count / _RATE_MULTIPLIERS[mult]), f"{mult}/{period}")
        return cls(nice_amount(count), f"/{period}")


class Money(Quantity):
    """US dollars, printed to the cent."""

    kind: ClassVar[str] = "money"
    factors: ClassVar[dict[str, float]] = {"USD": 1.0}

    def __str__(self) -> str:
        return f"${self.amount:,.2f}"

    @classmethod
    def usd(cls, amount: float) -> Money:
        return cls(amount, "USD")


MAX_AMOUNT_DIGITS = 15  # more digits than any measurement has; also bounds the amount


def _amount(digits: str, text: str) -> float:
    if len(digits.replace(".", "").lstrip("0")) > MAX_AMOUNT_DIGITS:
        raise UnitError(text, f"an amount of at most {MAX_AMOUNT_DIGITS} digits")
    return float(digits)


def parse_duration(text: str) -> Duration:
    match = _PLAIN_RE.match(text)
    if match is None or match.group(2) not in Duration.factors:
        raise UnitError(text, Duration.allowed)
    return Duration(_amount(match.group(1), text), match.group(2))


def parse_size(text: str) -> Size:
    match = _PLAIN_RE.match(text)
    if match is None or match.group(2) not in Size.factors:
        raise UnitError(text, Size.allowed)
    return Size(_amount(match.group(1), text), match.group(2))


def parse_rate(text: str) -> Rate:
    match = _RATE_RE.match(text)
    if match is None or match.group(3) not in _RATE_PERIODS:
        raise UnitError(text, Rate.allowed)
    return Rate(_amount(match.group(1), text), f"{match.group(2)}/{match.group(3)}")


_PERCENT_RE = re.compile(rf"^\s*{_AMOUNT}\s*%\s*$")
PERCENT_ALLOWED = "a percentage from 0% to 100%, written with % (e.g. 60%)"


def parse_percent(text: str) -> float:
    """`60%` as the share 0.6; more than 100% or no % sign is refused."""
    match = _PERCENT_RE.match(text)
    if match is None:
        raise UnitError(text, PERCENT_ALLOWED)
    share = _amount(match.group(1), text) / 100.0
    if share > 1.0:
        raise UnitError(text, PERCENT_ALLOWED)
    return share


PARSERS = {"duration": parse_duration, "size": parse_size, "rate": parse_rate}

EXAMPLE_UNITS = {"duration": "ms", "size": "MiB", "rate": "/s"}
