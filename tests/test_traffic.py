"""The day's shape: hourly rates that keep the average, bursts that keep each hour's mean."""

from __future__ import annotations

from typing import Any

import pytest

from serverless_fit.format.workload import Traffic
from serverless_fit.model.traffic import DEFAULT_BURST_SECONDS, day_shape


def shape(**fields: Any) -> Any:
    found = day_shape(Traffic.model_validate(fields))
    assert found is not None
    return found


def test_active_hours_are_a_window_centred_on_the_day() -> None:
    day = shape(average="40/s", active_hours_per_day=16)
    busy = [i for i, hour in enumerate(day.hours) if hour.mean > 0]
    assert busy == list(range(4, 20))
    assert all(day.hours[i].mean == pytest.approx(60.0) for i in busy)  # 40 x 24 / 16
    assert day.mean == pytest.approx(40.0)
    assert day.source == "16 active hours a day"


def test_a_fraction_of_an_hour_is_a_partly_active_last_hour() -> None:
    day = shape(average="10/s", active_hours_per_day=2.5)
    assert [round(h.mean, 6) for h in day.hours if h.mean] == [96.0, 96.0, 48.0]
    assert day.mean == pytest.approx(10.0)


def test_a_profile_overrides_the_window_and_keeps_the_average() -> None:
    weights = [0] * 6 + [1, 2, 4, 4, 2, 1] + [0] * 12
    day = shape(average="14/s", active_hours_per_day=24, profile=weights)
    assert day.source == "traffic.profile"
    assert day.mean == pytest.approx(14.0)
    assert day.hours[8].mean == pytest.approx(14 * 24 * 4 / 14)


def test_spiky_bursts_keep_each_hours_mean() -> None:
    day = shape(pattern="spiky", average="40/s", peak="900/s", active_hours_per_day=16)
    hour = day.hours[10]
    assert hour.burst_rate == 900 and hour.burst_seconds == DEFAULT_BURST_SECONDS
    assert hour.base == pytest.approx((60 * 3600 - 900 * 60) / 3540)
    carried = sum(rate * seconds for rate, seconds in hour.segments())
    assert carried == pytest.approx(hour.mean * 3600)
    assert day.hours[2].burst_seconds == 0  # no traffic at night, no bursts
    assert hour.top == 900


def test_a_burst_longer_than_the_hours_traffic_is_shortened() -> None:
    day = shape(pattern="spiky", average="1/s", peak="1000/s", burst="1h")
    hour = day.hours[0]
    assert hour.burst_seconds == pytest.approx(3.6)  # 3,600 requests at 1,000/s
    assert hour.base == pytest.approx(0.0)


def test_with_a_profile_bursts_come_in_the_busiest_hours() -> None:
    weights = [1] * 12 + [3] + [1] * 11
    day = shape(pattern="spiky", average="10/s", peak="500/s", profile=weights)
    assert [i for i, h in enumerate(day.hours) if h.burst_seconds] == [12]


def test_periodic_work_has_an_interval() -> None:
    assert shape(pattern="periodic", average="1/day").interval == pytest.approx(86400)
    twelve = shape(pattern="periodic", average="12/h", active_hours_per_day=12)
    assert twelve.interval == pytest.approx(150)
    assert shape(average="1/h", interval="10min").interval == 600
    assert shape(average="1/h").interval is None


def test_scaling_moves_every_rate() -> None:
    day = shape(pattern="spiky", average="10/s", peak="100/s")
    double = day.scaled(2.0)
    assert double.mean == pytest.approx(20.0) and double.peak == 200
    assert double.hours[3].base == pytest.approx(day.hours[3].base * 2)
