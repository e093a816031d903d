"""Expectations over a Poisson count: against brute-force sums and closed forms."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from serverless_fit.model.poisson import expected_instances, expected_served


def _pmf(mean: float) -> list[float]:
    top = int(mean + 30 * math.sqrt(mean) + 60)
    return [math.exp(k * math.log(mean) - mean - math.lgamma(k + 1)) for k in range(top)]


def brute_instances(mean: float, per_instance: int) -> float:
    return sum(p * math.ceil(k / per_instance) for k, p in enumerate(_pmf(mean)))


def brute_served(mean: float, warm: int) -> float:
    return sum(p * min(k, warm) for k, p in enumerate(_pmf(mean)))


def test_closed_forms() -> None:
    # One request an instance: instances busy = requests in flight.
    assert expected_instances(3.7, 1) == 3.7
    # Unbounded sharing: an instance is busy whenever any request is, 1 - e^-m.
    assert expected_instances(0.761, 10_000) == pytest.approx(-math.expm1(-0.761), rel=1e-12)
    assert expected_instances(0, 80) == 0
    # Warm instances never hold more than the requests there are, nor more than their count.
    assert expected_served(2.0, 10_000) == pytest.approx(2.0, rel=1e-12)
    assert expected_served(500.0, 1) == pytest.approx(1.0, rel=1e-9)


@settings(max_examples=200, deadline=None)
@given(
    mean=st.floats(min_value=0.01, max_value=5000),
    per_instance=st.integers(min_value=1, max_value=1000),
)
def test_instances_agree_with_the_brute_force_sum_within_half_a_percent(
    mean: float, per_instance: int
) -> None:
    exact = brute_instances(mean, per_instance)
    assert expected_instances(mean, per_instance) == pytest.approx(exact, rel=5e-3, abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(
    mean=st.floats(min_value=0.01, max_value=5000), warm=st.integers(min_value=1, max_value=8000)
)
def test_served_agrees_with_the_brute_force_sum_within_half_a_percent(
    mean: float, warm: int
) -> None:
    exact = brute_served(mean, warm)
    assert expected_served(mean, warm) == pytest.approx(exact, rel=5e-3, abs=1e-9)
