"""The simulated latency of a result in words, as the reports print it."""

from __future__ import annotations

from serverless_fit.format.units import Duration
from serverless_fit.report import Latency


def _ms(milliseconds: float) -> str:
    return str(Duration.from_seconds(milliseconds / 1000))


def _share(share: float) -> str:
    if share == 0:
        return "0%"
    return f"{share:.2%}" if share >= 0.0001 else "under 0.01%"


def latency_text(latency: Latency) -> str:
    """'p99 475ms against the 300ms objective (misses it), p50 50ms; 13.7% of requests cold...'"""
    p99 = f"p99 {_ms(latency.p99)}"
    if latency.objective_p99 is not None:
        verdict = "misses it" if latency.p99 > latency.objective_p99 else "meets it"
        p99 += f" against the {_ms(latency.objective_p99)} objective ({verdict})"
    cold = (
        f"{_share(latency.cold_start_share)} of requests start cold"
        if latency.cold_start_share is not None
        else "every request taken as cold (no keep-alive published)"
    )
    parts = [
        f"{p99}, p95 {_ms(latency.p95)}, p50 {_ms(latency.p50)}",
        f"{cold}, start-up {_ms(latency.startup_p50)} at p50",
        f"up to {latency.peak_concurrency:,.0f} in flight",
    ]
    replayed = latency.method == "replay"
    if latency.throttled_share > 0:
        of = "the logged requests" if replayed else "the worst burst"
        parts.append(f"{_share(latency.throttled_share)} of {of} throttled")
    if replayed:
        return f"{'; '.join(parts)} (replayed from the log's own arrivals)"
    batch = f", batches of {latency.batch}" if latency.batch > 1 else ""
    return f"{'; '.join(parts)} (simulated, {latency.method}{batch})"
