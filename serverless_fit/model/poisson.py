"""Expectations over a Poisson count, exact for small means and approximated for large ones.

Requests in flight at a random instant, with random (Poisson) arrivals, are Poisson with mean
rate x duration (M/G/infinity); these expectations turn that into instances billed and
requests served by a fixed number of warm instances.
"""

from __future__ import annotations

import itertools
import math

EXACT_MEAN = 200.0  # up to this mean the distribution is summed term by term
TAIL_SIGMAS = 12.0  # terms beyond this many standard deviations are below 1e-30


def _pmf_terms(mean: float) -> list[tuple[int, float]]:
    """(k, P(N = k)) over every k that carries probability above about 1e-30."""
    if mean <= 0:
        return [(0, 1.0)]
    top = int(mean + TAIL_SIGMAS * math.sqrt(mean) + 20)
    # P(k) = P(k - 1) x mean / k, from P(0) = e^-mean (no underflow for means up to 700).
    terms = []
    probability = math.exp(-mean)
    for k in range(top + 1):
        terms.append((k, probability))
        probability *= mean / (k + 1)
    return terms


def _normal_cdf(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def expected_instances(mean: float, per_instance: int) -> float:
    """E[ceil(N / c)] for N ~ Poisson(mean): instances busy when each serves up to c.

    Exact summation up to a mean of 200; above it, a normal approximation of the tail sums
    (continuity corrected), and, when c is small against the spread, N / c plus the mean
    fractional part (c - 1) / 2c of a remainder that is then uniform.
    """
    if mean <= 0:
        return 0.0
    c = max(1, per_instance)
    if c == 1:
        return mean
    if mean <= EXACT_MEAN:
        return sum(p * math.ceil(k / c) for k, p in _pmf_terms(mean))
    sigma = math.sqrt(mean)
    if c <= sigma / 4:
        return mean / c + (c - 1) / (2 * c)
    # E[ceil(N/c)] = sum over j >= 0 of P(N > j c).
    low = max(0, int((mean - TAIL_SIGMAS * sigma) // c))
    high = int((mean + TAIL_SIGMAS * sigma) // c) + 1
    total = float(low)  # every j below the window has P(N > jc) = 1 to within 1e-30
    for j in range(low, high + 1):
        total += 1.0 - _normal_cdf((j * c + 0.5 - mean) / sigma)
    return total


def expected_served(mean: float, warm: int) -> float:
    """E[min(N, n)] for N ~ Poisson(mean): requests in flight that `n` warm instances hold."""
    if mean <= 0 or warm <= 0:
        return 0.0
    if warm >= mean + TAIL_SIGMAS * math.sqrt(mean) + 20:
        return mean  # beyond every count that carries probability: all are held
    if mean <= EXACT_MEAN:
        # E[min(N, n)] = sum over k < n of P(N > k), the tail kept as the terms go.
        total, tail, probability = 0.0, 1.0, math.exp(-mean)
        for k in range(warm):
            tail -= probability  # now P(N > k)
            total += max(0.0, tail)
            probability *= mean / (k + 1)
        return total
    # E[min(N, n)] = mean - E[(N - n)+], the latter for a normal of the same mean and spread
    # (no continuity correction: within 0.1% of the exact sum from a mean of 200 up).
    sigma = math.sqrt(mean)
    z = (warm - mean) / sigma
    density = math.exp(-z * z / 2) / math.sqrt(2 * math.pi)
    excess = sigma * density + (mean - warm) * (1.0 - _normal_cdf(z))
    return min(float(warm), max(0.0, mean - excess))


def expected_instances_at_least(mean: float, per_instance: int, floor: int) -> float:
    """E[max(ceil(N / c), m)] for N ~ Poisson(mean): instances billed when m are kept running.

    E[max(X, m)] = E[X] + sum over j < m of P(X <= j), and X = ceil(N / c) <= j exactly
    when N <= j c.
    """
    busy = expected_instances(mean, per_instance)
    if floor <= 0:
        return busy
    c = max(1, per_instance)
    if mean > EXACT_MEAN:
        return busy + sum(poisson_cdf(mean, j * c) for j in range(floor))
    cumulative = list(itertools.accumulate(p for _, p in _pmf_terms(mean)))
    last = len(cumulative) - 1  # beyond it the CDF is 1 to within 1e-30
    inside = [min(1.0, cumulative[j * c]) for j in range(floor) if j * c <= last]
    return busy + sum(inside) + (floor - len(inside))


def poisson_cdf(mean: float, k: int) -> float:
    """P(N <= k) for N ~ Poisson(mean): summed up to a mean of 200, else normal (continuity
    corrected)."""
    if mean <= 0:
        return 1.0
    if mean <= EXACT_MEAN:
        total, probability = 0.0, math.exp(-mean)
        for j in range(k + 1):
            total += probability
            probability *= mean / (j + 1)
            if total >= 1.0:
                return 1.0
        return min(1.0, total)
    return _normal_cdf((k + 0.5 - mean) / math.sqrt(mean))
