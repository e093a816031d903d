from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from serverless_fit.format.units import (
    Duration,
    Money,
    Rate,
    Size,
    UnitError,
    parse_duration,
    parse_rate,
    parse_size,
)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("300ms", 0.3), ("1.5s", 1.5), ("15min", 900), ("15m", 900), ("2h", 7200), ("1d", 86400)],
)
def test_durations_parse_to_seconds(text: str, seconds: float) -> None:
    assert parse_duration(text).seconds == pytest.approx(seconds)


@pytest.mark.parametrize(
    ("text", "count"),
    [("512MiB", 512 * 1024**2), ("1GB", 1e9), ("200KiB", 200 * 1024), ("10TB", 1e13), ("7B", 7)],
)
def test_sizes_parse_to_bytes(text: str, count: float) -> None:
    assert parse_size(text).bytes == pytest.approx(count)


@pytest.mark.parametrize(
    ("text", "per_second"),
    [
        ("40/s", 40),
        ("2.5M/month", 2.5e6 / (730 * 3600)),
        ("300/day", 300 / 86400),
        ("4k/s", 4000),
        ("1B/month", 1e9 / (730 * 3600)),
        ("6/min", 0.1),
        ("36/h", 0.01),
    ],
)
def test_rates_parse_per_second(text: str, per_second: float) -> None:
    assert parse_rate(text).per_second == pytest.approx(per_second)


@pytest.mark.parametrize("text", ["300", "3 seconds", "-1s", "1.5", "ms", "1e3ms", "5 sec"])
def test_bad_durations_are_refused(text: str) -> None:
    with pytest.raises(UnitError) as caught:
        parse_duration(text)
    assert "ms" in caught.value.allowed


@pytest.mark.parametrize("text", ["40/sec", "40", "40/s/s", "4K/s", "/s"])
def test_bad_rates_are_refused(text: str) -> None:
    with pytest.raises(UnitError):
        parse_rate(text)


def test_quantities_compare_across_units() -> None:
    assert parse_duration("1s") == parse_duration("1000ms")
    assert parse_duration("900ms") < parse_duration("1s")
    assert parse_size("1GiB") > parse_size("1GB")
    assert parse_rate("60/min") == parse_rate("1/s")


def test_quantities_of_different_kinds_do_not_compare() -> None:
    with pytest.raises(TypeError):
        _ = parse_duration("1s") < parse_size("1MiB")  # type: ignore[operator]


def test_derived_values_pick_a_readable_unit() -> None:
    assert str(Duration.from_seconds(0.2875)) == "288ms"
    assert str(Duration.from_seconds(2400)) == "40min"
    assert str(Size.from_bytes(3 * 1024**3)) == "3GiB"
    assert str(Rate.from_per_second(94.5)) == "94.5/s"
    assert str(Rate.from_per_second(0.001)) == "3.6/h"
    assert str(Money.usd(1234.5)) == "$1,234.50"


amounts = st.one_of(
    st.integers(min_value=0, max_value=10**9).map(str),
    st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False).map(
        lambda d: format(d.normalize(), "f")
    ),
)


@given(amounts, st.sampled_from(list(Duration.factors)))
def test_duration_format_round_trips(amount: str, unit: str) -> None:
    parsed = parse_duration(f"{amount}{unit}")
    assert parse_duration(str(parsed)) == parsed
    assert str(parse_duration(str(parsed))) == str(parsed)


@given(amounts, st.sampled_from(list(Size.factors)))
def test_size_format_round_trips(amount: str, unit: str) -> None:
    parsed = parse_size(f"{amount}{unit}")
    assert parse_size(str(parsed)) == parsed


@given(
    amounts,
    st.sampled_from(["", "k", "M", "B"]),
    st.sampled_from(["s", "min", "h", "day", "month"]),
)
def test_rate_format_round_trips(amount: str, multiplier: str, period: str) -> None:
    parsed = parse_rate(f"{amount}{multiplier}/{period}")
    assert parse_rate(str(parsed)) == parsed


@given(st.floats(min_value=1e-6, max_value=1e7, allow_nan=False))
def test_derived_rates_parse_back(per_second: float) -> None:
    rate = Rate.from_per_second(per_second)
    assert parse_rate(str(rate)).per_second == pytest.approx(per_second, rel=0.01)
