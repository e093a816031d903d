"""Dimension scores, the overall score with each finding's contribution, verdict, confidence."""

from __future__ import annotations

from dataclasses import dataclass

from serverless_fit.report import DimensionScore, Finding, Verdict

BASE_SCORE = 50.0
# How much a point of impact in each dimension moves the overall score. Hard limits and
# money count fully; lock-in, testability and operations are real but negotiable.
WEIGHTS: dict[str, float] = {
    "latency": 1.0,
    "duration": 1.0,
    "resources": 1.0,
    "state": 1.0,
    "cost": 1.0,
    "portability": 0.8,
    "operations": 0.6,
    "testability": 0.5,
}
GOOD_FIT_MIN = 60.0
POOR_FIT_BELOW = 35.0


@dataclass(frozen=True)
class Score:
    score: float
    unclamped: float
    verdict: Verdict
    dimensions: tuple[DimensionScore, ...]


def signed_impact(severity: str, impact: int) -> int:
    return impact if severity == "benefit" else -impact


def contribution(severity: str, dimension: str, impact: int) -> float:
    """Points a finding adds to the overall score (negative for limits)."""
    return round(signed_impact(severity, impact) * WEIGHTS[dimension], 1)


def _clamp(value: float) -> float:
    return min(100.0, max(0.0, value))


def score(findings: tuple[Finding, ...]) -> Score:
    active = [f for f in findings if not f.waived]
    unclamped = round(BASE_SCORE + sum(f.contribution for f in active), 1)
    overall = _clamp(unclamped)
    dimensions = tuple(
        DimensionScore(
            name,
            _clamp(
                BASE_SCORE
                + sum(signed_impact(f.severity, f.impact) for f in active if f.dimension == name)
            ),
            weight,
        )
        for name, weight in WEIGHTS.items()
    )
    return Score(overall, unclamped, verdict(overall, active), dimensions)


def verdict(overall: float, active: list[Finding]) -> Verdict:
    severities = {f.severity for f in active}
    if "blocker" in severities or overall < POOR_FIT_BELOW:
        return "poor-fit"
    if "risk" in severities or overall < GOOD_FIT_MIN:
        return "fit-with-mitigations"
    return "good-fit"


def confidence(assessed: int, not_assessed: int) -> float:
    """Share of the applicable rules that the fields given let the engine decide."""
    total = assessed + not_assessed
    return round(assessed / total, 2) if total else 1.0
