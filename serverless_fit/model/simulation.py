"""Cold starts, latency and scaling from the day's traffic: a deterministic simulation per platform.

The day's shape (`model/traffic.py`) gives the arrivals; the platform gives how long an idle
instance is kept, how long one takes to start, how many requests one serves at once, how fast
new ones may be added and how many may run. Three methods (README, "Cold starts and latency"):

- **periodic**: runs at a fixed interval are all cold or all warm, in closed form;
- **exact**: random (Poisson) arrivals drawn one by one with a fixed seed, each routed to the
  newest idle instance (as SimFaaS and AWS Lambda do), for traffic of up to `EXACT_ARRIVALS`
  a day;
- **aggregated**: above that, the instances as levels of the requests in flight (Poisson,
  M/G/infinity): instance j starts cold when the count reaches its level after staying below
  it for longer than the keep-alive, the level's crossings being counted from the Poisson
  distribution; bursts add the instances they need, at the scale-out rate, up to the quota.

Latency mixes warm runs (`duration.typical`) and cold runs (the start-up, log-normal through
the profile's p50 and p99, plus the package allowance, before the run) by the cold share.
"""

from __future__ import annotations

import functools
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist

from serverless_fit.model.traffic import SECONDS_PER_HOUR, DayShape

EXACT_ARRIVALS = 200  # Poisson traffic up to this many arrivals a day is simulated one by one
EXACT_SAMPLE = 300  # the exact method simulates enough days for this many arrivals
EXACT_MAX_DAYS = 14
EXACT_MEAN = 2000.0  # up to this many requests in flight each instance is a level of its own
SEED = 20200715  # fixed: the same input gives the same figures on every machine
Z99 = NormalDist().inv_cdf(0.99)
Z999 = NormalDist().inv_cdf(0.999)
LEVEL_CUTOFF = 50.0  # exp(-50): a level this well kept is always warm
NEGLIGIBLE = 1e-12
SECONDS_PER_DAY = 24 * SECONDS_PER_HOUR


@dataclass(frozen=True)
class PlatformModel:
    """What the simulation reads from a platform profile and the workload's deployment."""

    keep_alive: float  # seconds an idle instance is kept before it is reclaimed
    init_p50: float  # seconds a new instance takes before it runs the request
    init_p99: float
    per_instance: int = 1  # requests one instance serves at once
    scale_step: int | None = None  # new instances allowed per `scale_window`; None: no limit
    scale_window: float = 10.0
    scale_requests: float | None = None  # the same step in requests a second, where it binds
    quota: int | None = None  # instances that may run at once; None: no published limit
    warm_minimum: int = 0  # instances kept warm whatever the traffic (provisioned, minimum)

    @property
    def init_sigma(self) -> float:
        """The spread of the log-normal start-up through p50 and p99."""
        if self.init_p50 <= 0 or self.init_p99 <= self.init_p50:
            return 0.0
        return math.log(self.init_p99 / self.init_p50) / Z99


@dataclass(frozen=True)
class Simulation:
    """The simulated figures for one workload on one platform."""

    cold_start_share: float  # of the requests served
    p50: float  # seconds, end to end: start-up (when cold) and the run
    p95: float
    p99: float
    peak_concurrency: float  # requests in flight at the busiest moment
    throttled_share: float  # of the requests of the worst burst (or busiest hour)
    throttled_by_rate: bool  # the scale-out rate, not the quota, throttles them
    instances_by_hour: tuple[float, ...]  # mean instances alive in each hour (UTC)
    method: str  # periodic, exact, aggregated or replay
    arrivals: int  # requests drawn one by one (exact method), else 0
    service: float  # seconds of a warm run
    init_p50: float  # the start-up after the package allowance
    init_p99: float


def percentile(q: float, cold: float, service: float, model: PlatformModel) -> float:
    """The q-quantile of latency when `cold` of the requests add a log-normal start-up."""
    warm = 1.0 - cold
    if cold <= 0 or q <= warm:
        return service
    within = min(1.0, (q - warm) / cold)
    if within >= 1.0:
        within = 1.0 - 1e-9
    sigma = model.init_sigma
    init = (
        model.init_p50 * math.exp(sigma * NormalDist().inv_cdf(within)) if sigma else model.init_p50
    )
    return service + init


def simulate(day: DayShape, service: float, model: PlatformModel) -> Simulation:
    """Cold starts, latency, concurrency and instances over the day (module docstring)."""
    return _simulate(day, service, model)


@functools.lru_cache(maxsize=4096)
def _simulate(day: DayShape, service: float, model: PlatformModel) -> Simulation:
    daily = sum(hour.mean for hour in day.hours) * SECONDS_PER_HOUR
    if day.interval is not None and day.pattern == "periodic":
        return _periodic(day, service, model)
    if daily <= EXACT_ARRIVALS:
        return _exact(day, service, model, daily)
    return _aggregated(day, service, model)


def _finish(
    day: DayShape,
    service: float,
    model: PlatformModel,
    cold: float,
    peak: float,
    throttled: float,
    by_rate: bool,
    instances: list[float],
    method: str,
    arrivals: int = 0,
) -> Simulation:
    cold = min(1.0, max(0.0, cold))
    return Simulation(
        cold_start_share=cold,
        p50=percentile(0.50, cold, service, model),
        p95=percentile(0.95, cold, service, model),
        p99=percentile(0.99, cold, service, model),
        peak_concurrency=peak,
        throttled_share=min(1.0, max(0.0, throttled)),
        throttled_by_rate=by_rate,
        instances_by_hour=tuple(round(value, 6) for value in instances),
        method=method,
        arrivals=arrivals,
        service=service,
        init_p50=model.init_p50,
        init_p99=model.init_p99,
    )


# Periodic work: closed form ---------------------------------------------------------------


def _stretches(day: DayShape) -> int:
    """Separate stretches of active hours in the (circular) day; 0 when every hour is."""
    active = [hour.mean > 0 for hour in day.hours]
    if all(active):
        return 0
    return sum(1 for i, on in enumerate(active) if on and not active[i - 1])


def _periodic(day: DayShape, service: float, model: PlatformModel) -> Simulation:
    """Runs every `interval`: k = ceil(run / interval) instances take turns, each idle for
    k x interval - run between its runs; longer than the keep-alive, every run is cold, else
    only the first k of each active stretch."""
    interval = day.interval
    assert interval is not None
    runs = sum(hour.mean for hour in day.hours) * SECONDS_PER_HOUR
    turns = max(1, math.ceil(service / interval - 1e-12))
    idle = turns * interval - service
    kept = max(0, model.warm_minimum)
    if runs <= 0 or kept >= turns:
        cold = 0.0
    elif idle > model.keep_alive:
        cold = (turns - kept) / turns
    else:
        cold = min(1.0, _stretches(day) * (turns - kept) / runs)
    alive_turns = (
        float(turns)
        if idle <= model.keep_alive
        else turns * min(1.0, (service + model.keep_alive) / (turns * interval))
    )
    instances = [
        max(float(kept), alive_turns if hour.mean > 0 else float(kept)) for hour in day.hours
    ]
    peak = float(turns)
    return _finish(day, service, model, cold, peak, 0.0, False, instances, "periodic")


# Exact: one request at a time ---------------------------------------------------------------


def _segments(day: DayShape, days: int) -> list[tuple[float, float, float]]:
    """(start, seconds, rate) pieces of the simulated days; a burst sits mid-hour."""
    pieces: list[tuple[float, float, float]] = []
    for number in range(days):
        for index, hour in enumerate(day.hours):
            start = number * SECONDS_PER_DAY + index * SECONDS_PER_HOUR
            if hour.burst_seconds > 0:
                half = (SECONDS_PER_HOUR - hour.burst_seconds) / 2
                pieces.append((start, half, hour.base))
                pieces.append((start + half, hour.burst_seconds, hour.burst_rate))
                pieces.append((start + half + hour.burst_seconds, half, hour.base))
            else:
                pieces.append((start, SECONDS_PER_HOUR, hour.mean))
    return pieces


@dataclass
class _Instance:
    created: float
    busy: list[float]  # when each request it holds is done
    idle_since: float  # when its last request is done


def run_exact(
    arrivals: Sequence[float],
    warm_run: Callable[[int], float],
    cold_run: Callable[[int], float],
    model: PlatformModel,
    horizon: float,
) -> tuple[int, int, int, list[float]]:
    """Route each arrival to a kept-warm instance with room, else to the newest instance with
    room, else start one (cold) if the scale-out rate and the quota allow, else throttle it.
    `warm_run(i)` and `cold_run(i)` give the seconds arrival i takes, warm or cold; each is
    called once for an arrival served, never for one throttled.
    Returns (cold, throttled, peak in flight, instance-seconds in each hour of the day)."""
    if model.per_instance == 1 and model.warm_minimum == 0:
        return _run_single(arrivals, warm_run, cold_run, model, horizon)
    per = model.per_instance
    kept = [_Instance(-math.inf, [], -math.inf) for _ in range(model.warm_minimum)]
    alive: list[_Instance] = []
    hourly = [0.0] * 24
    step = model.scale_step
    tokens = float(step or 0)
    refill = (step or 0) / model.scale_window
    last_time = 0.0
    cold = throttled = peak = 0
    for index, time in enumerate(arrivals):
        if step is not None:
            tokens = min(float(step), tokens + (time - last_time) * refill)
        last_time = time
        survivors = []
        for instance in alive:
            instance.busy = [end for end in instance.busy if end > time]
            if not instance.busy and instance.idle_since + model.keep_alive < time:
                _spread(hourly, instance.created, instance.idle_since + model.keep_alive)
            else:
                survivors.append(instance)
        alive = survivors
        for instance in kept:
            instance.busy = [end for end in instance.busy if end > time]
        in_flight = sum(len(i.busy) for i in alive) + sum(len(i.busy) for i in kept)
        chosen = next((i for i in kept if len(i.busy) < per), None)
        if chosen is None:
            chosen = next((i for i in reversed(alive) if len(i.busy) < per), None)
        if chosen is not None:
            end = time + warm_run(index)
            chosen.busy.append(end)
            chosen.idle_since = max(chosen.idle_since, end)
            peak = max(peak, in_flight + 1)
            continue
        busy_instances = sum(1 for i in alive if i.busy) + sum(1 for i in kept if i.busy)
        if model.quota is not None and busy_instances >= model.quota:
            throttled += 1
            continue
        if step is not None:
            if tokens < 1.0:
                throttled += 1
                continue
            tokens -= 1.0
        cold += 1
        end = time + cold_run(index)
        alive.append(_Instance(time, [end], end))
        peak = max(peak, in_flight + 1)
    for instance in alive:
        _spread(hourly, instance.created, min(horizon, instance.idle_since + model.keep_alive))
    return cold, throttled, peak, hourly


def _run_single(
    arrivals: Sequence[float],
    warm_run: Callable[[int], float],
    cold_run: Callable[[int], float],
    model: PlatformModel,
    horizon: float,
) -> tuple[int, int, int, list[float]]:
    """`run_exact` for instances that serve one request at a time and none kept warm: the
    same routing, on two parallel lists (when each instance was created and is free again),
    oldest first."""
    keep = model.keep_alive
    created: list[float] = []
    free_at: list[float] = []
    hourly = [0.0] * 24
    step = model.scale_step
    quota = model.quota
    tokens = float(step or 0)
    refill = (step or 0) / model.scale_window
    last_time = 0.0
    cold = throttled = peak = 0
    for index, time in enumerate(arrivals):
        if step is not None:
            tokens = min(float(step), tokens + (time - last_time) * refill)
            last_time = time
        expiry = time - keep
        if free_at and min(free_at) < expiry:
            kept_created, kept_free = [], []
            for born, free in zip(created, free_at, strict=True):
                if free < expiry:
                    _spread(hourly, born, free + keep)
                else:
                    kept_created.append(born)
                    kept_free.append(free)
            created, free_at = kept_created, kept_free
        busy = 0
        chosen = -1
        for slot in range(len(free_at) - 1, -1, -1):  # the newest first
            if free_at[slot] <= time:
                if chosen < 0:
                    chosen = slot
            else:
                busy += 1
        if chosen >= 0:
            free_at[chosen] = time + warm_run(index)
            peak = max(peak, busy + 1)
            continue
        if (quota is not None and busy >= quota) or (step is not None and tokens < 1.0):
            throttled += 1
            continue
        if step is not None:
            tokens -= 1.0
        cold += 1
        created.append(time)
        free_at.append(time + cold_run(index))
        peak = max(peak, busy + 1)
    for born, free in zip(created, free_at, strict=True):
        _spread(hourly, born, min(horizon, free + keep))
    return cold, throttled, peak, hourly


def _spread(hourly: list[float], start: float, end: float, density: float = 1.0) -> None:
    """Add `density` instances from `start` to `end` to the hours of the day they fall in."""
    start = max(0.0, start)
    hour = int(start // SECONDS_PER_HOUR)
    if end <= (hour + 1) * SECONDS_PER_HOUR:  # most lifetimes fall within one hour
        if end > start:
            hourly[hour % 24] += (end - start) * density
        return
    while start < end:
        hour_end = (math.floor(start / SECONDS_PER_HOUR) + 1) * SECONDS_PER_HOUR
        piece = min(end, hour_end) - start
        hourly[int(start // SECONDS_PER_HOUR) % 24] += piece * density
        start += piece


def _poisson_arrivals(
    pieces: list[tuple[float, float, float]], days: int, rng: random.Random
) -> list[float]:
    """Arrival times over `days` repeats of the day's (start, seconds, rate) pieces, by time
    rescaling: unit exponential gaps in expected-arrivals space, mapped back through the
    piecewise-constant rate (one draw per arrival, whatever the number of pieces)."""
    arrivals: list[float] = []
    append, draw, log = arrivals.append, rng.random, math.log
    budget = -log(1.0 - draw())  # expected arrivals until the next one
    for number in range(days):
        offset = number * SECONDS_PER_DAY
        for start, seconds, rate in pieces:
            expected = rate * seconds
            used = 0.0
            while budget <= expected - used:
                used += budget
                append(offset + start + used / rate)
                budget = -log(1.0 - draw())
            budget -= expected - used
    return arrivals


def _exact(day: DayShape, service: float, model: PlatformModel, daily: float) -> Simulation:
    days = 1 if daily <= 0 else min(EXACT_MAX_DAYS, max(1, math.ceil(EXACT_SAMPLE / daily)))
    rng = random.Random(SEED)
    one_day = [piece for piece in _segments(day, 1) if piece[2] > 0]
    top = max((rate for _, _, rate in one_day), default=0.0)
    worst = [(start, start + seconds) for start, seconds, rate in one_day if rate >= top]
    arrivals = _poisson_arrivals(one_day, days, rng)
    sigma = model.init_sigma
    mu = math.log(model.init_p50) if model.init_p50 > 0 else 0.0

    def cold_run(_: int) -> float:
        init = math.exp(rng.gauss(mu, sigma)) if sigma and model.init_p50 > 0 else model.init_p50
        return init + service

    horizon = days * SECONDS_PER_DAY
    cold, throttled, peak, hourly = run_exact(arrivals, lambda _: service, cold_run, model, horizon)
    served = len(arrivals) - throttled
    share = cold / served if served else 0.0
    instances = [seconds / (days * SECONDS_PER_HOUR) + model.warm_minimum for seconds in hourly]
    in_worst = 0
    if throttled:
        in_worst = sum(1 for t in arrivals if any(a <= t % SECONDS_PER_DAY < b for a, b in worst))
    throttled_share = min(1.0, throttled / in_worst) if in_worst else 0.0
    return _finish(
        day,
        service,
        model,
        share,
        float(peak),
        throttled_share,
        model.quota is None or peak < model.quota * model.per_instance,
        instances,
        "exact",
        len(arrivals),
    )


# Aggregated: levels of the requests in flight -----------------------------------------------


@dataclass(frozen=True)
class _Levels:
    """One stationary piece: instances 1..full always alive, then blocks of `block` instances,
    each alive with the probability in `alive` and starting cold `colds` times a second."""

    full: int
    alive: tuple[float, ...]
    colds: tuple[float, ...]
    block: int = 1
    # Worked out once: the day's pieces read them many times.
    count: float = field(init=False, compare=False)  # instances alive on average
    cold_total: float = field(init=False, compare=False)  # cold starts a second

    def __post_init__(self) -> None:
        object.__setattr__(self, "count", self.full + self.block * sum(self.alive))
        object.__setattr__(self, "cold_total", self.block * sum(self.colds))

    def cold_rate(self, kept: int) -> float:
        """Cold starts a second on instances above the `kept` warm ones (which take the
        lowest levels)."""
        if kept <= self.full:
            return self.cold_total
        return self.block * sum(self.colds[(kept - self.full) // self.block :])


def _log_pmf(mean: float, k: int) -> float:
    return k * math.log(mean) - mean - math.lgamma(k + 1)


def _normal_cdf(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


@functools.lru_cache(maxsize=4096)
def _levels(rate: float, service: float, keep_alive: float, per: int) -> _Levels:
    """Instance j is needed when the requests in flight N ~ Poisson(rate x service) reach
    L = (j - 1) per + 1. N rises to L u = rate P(N = L - 1) times a second and stays below it
    for P(N < L) / u on average; taking that stay as exponential, the instance is reclaimed
    before the next rise (which then starts cold) with probability exp(-u K / P(N < L)).

    Up to a mean of `EXACT_MEAN` in flight every instance is its own level, with P(N < L)
    summed exactly; above it, blocks of instances a twentieth of a standard deviation wide
    share one level, with P(N < L) from the normal approximation."""
    mean = rate * service
    if mean <= 0:
        return _Levels(0, (), ())
    sigma = math.sqrt(mean)
    log_scale = math.log(rate * keep_alive) if keep_alive > 0 else -math.inf
    threshold = math.log(LEVEL_CUTOFF)

    def kept(k: int) -> bool:
        # Above the mode, P(N < L) is at least about a half: a level this often crossed is
        # never left long enough to be reclaimed.
        return log_scale + _log_pmf(mean, k) > threshold

    low = math.floor(mean)
    # Below 12 standard deviations under the mean the count is never found: always alive.
    start = max(0, math.floor(mean - 12 * sigma - 10))
    if kept(low):
        high = int(mean + 40 * sigma + 60)
        while low < high:
            middle = (low + high) // 2
            if kept(middle):
                low = middle + 1
            else:
                high = middle
        start = low
    full = math.ceil(start / per)  # instances whose level L - 1 lies below `start`
    ceiling = max(1.0, rate * max(keep_alive, 1.0))
    exact = mean <= EXACT_MEAN
    block = 1 if exact else max(1, math.ceil(sigma / 20 / per))
    levels: list[tuple[float, float]] = []  # (P(N = L - 1), P(N <= L - 1)) per block
    if exact:
        pmf: list[float] = []
        k, log_p = full * per, _log_pmf(mean, full * per)
        while True:
            p = math.exp(log_p)
            pmf.append(p)
            if k > mean and p * ceiling < NEGLIGIBLE:
                break
            k += 1
            log_p += math.log(mean) - math.log(k)
        above = [0.0] * (len(pmf) + 1)  # P(N > k) from the top down
        for index in range(len(pmf) - 1, -1, -1):
            above[index] = above[index + 1] + pmf[index]
        levels = [(pmf[i], max(0.0, 1.0 - above[i + 1])) for i in range(0, len(pmf), per)]
    else:
        j = full + 1
        while True:
            level = (j - 1) * per
            p = math.exp(_log_pmf(mean, level))
            levels.append((p, _normal_cdf((level + 0.5 - mean) / sigma)))
            if level > mean and p * ceiling < NEGLIGIBLE:
                break
            j += block
    alive: list[float] = []
    colds: list[float] = []
    for p, below in levels:
        crossings = rate * p
        exponent = crossings * keep_alive / below if below > 0 else math.inf
        reclaimed = math.exp(-exponent) if exponent < 700 else 0.0
        alive.append(1.0 - below * reclaimed)
        colds.append(crossings * reclaimed)
    while alive and alive[-1] < NEGLIGIBLE:
        alive.pop()
        colds.pop()
    return _Levels(full, tuple(alive), tuple(colds), block)


def _ramp_throttled(
    before: float, demand: float, seconds: float, run: float, startup: float, model: PlatformModel
) -> float:
    """Share of a piece's requests turned away (fluid). The piece needs `demand` instances
    (rate x run / requests per instance) and finds `before`. Each instance it adds holds its
    first requests for the start-up and the run, so while the first ones start (for
    startup + run seconds) the instances in use grow by the excess rate each second until
    they reach the capacity, and the excess is turned away from then until the first ones are
    done. After that, capacity (`before`, gaining `scale_step` at once and every
    `scale_window`, up to the quota) serves up to itself / demand of the requests."""
    if demand <= 0 or seconds <= 0 or before >= demand:
        return 0.0
    cap = float(model.quota) if model.quota is not None else math.inf
    step = float(model.scale_step) if model.scale_step is not None else math.inf
    if model.scale_requests is not None and run > 0:
        # Requests a second more per step, as instances: short runs need fewer instances
        # for the same rate, so this form binds first for them.
        step = min(step, model.scale_requests * run / model.per_instance)
    window = model.scale_window
    turned = 0.0  # seconds' worth of the piece's rate turned away
    held = startup + run
    first = min(cap, before + step)  # capacity in the first scale-out window
    growth = (demand - before) / run if run > 0 else math.inf  # instances taken a second
    reach = (first - before) / growth if growth > 0 else math.inf
    busy_until = min(seconds, held, window)
    if reach < busy_until:
        turned += (busy_until - reach) * (demand - before) / demand
    t = busy_until
    while t < seconds:
        steps = math.floor(t / window + 1e-9)
        capacity = min(cap, before + step * (steps + 1))
        if capacity >= demand or capacity >= cap:
            turned += (seconds - t) * max(0.0, 1.0 - capacity / demand)
            break
        end = min(seconds, (steps + 1) * window)
        turned += (end - t) * (1.0 - capacity / demand)
        t = end
    return min(1.0, turned / seconds)


def _aggregated(day: DayShape, service: float, model: PlatformModel) -> Simulation:
    per = model.per_instance
    pieces: list[tuple[float, float]] = []  # (rate, seconds) through the day; bursts mid-hour
    for hour in day.hours:
        if hour.burst_seconds > 0:
            half = (SECONDS_PER_HOUR - hour.burst_seconds) / 2
            pieces += [(hour.base, half), (hour.burst_rate, hour.burst_seconds), (hour.base, half)]
        else:
            pieces.append((hour.mean, SECONDS_PER_HOUR))
    levels = [_levels(rate, service, model.keep_alive, per) for rate, _ in pieces]
    cap = float(model.quota) if model.quota is not None else math.inf
    kept = model.warm_minimum
    cold = arrivals = 0.0
    worst, by_rate, peak = 0.0, False, 0.0
    instances = [0.0] * 24
    clock = 0.0
    for index, ((rate, seconds), now) in enumerate(zip(pieces, levels, strict=True)):
        before = levels[index - 1]  # the day wraps: the first piece follows the last
        mean = rate * service
        arrivals += rate * seconds
        # Instances this piece needs beyond those the last one left alive start cold, as far
        # as the quota leaves room; then its own reclaimed levels start cold again. (A busier
        # piece's levels are each at least as alive as a quieter one's, so the new instances
        # are the difference of the counts.)
        added = max(0.0, max(now.count, kept) - max(before.count, kept))
        cold += min(added, max(0.0, cap - before.count)) + now.cold_rate(kept) * seconds
        demand = mean / per
        share = _ramp_throttled(
            max(before.count, float(kept)), demand, seconds, service, model.init_p50, model
        )
        if share > worst:
            worst, by_rate = share, demand <= cap
        if mean > 0:
            peak = max(peak, mean + Z999 * math.sqrt(mean))
        # Instances the last piece had beyond this one's linger for the keep-alive.
        lingering = max(0.0, before.count - now.count)
        _spread(instances, clock, clock + seconds, max(float(kept), now.count))
        _spread(instances, clock, clock + min(model.keep_alive, seconds), lingering)
        clock += seconds
    share = cold / arrivals if arrivals > 0 else 0.0
    hourly = [value / SECONDS_PER_HOUR for value in instances]
    return _finish(day, service, model, share, peak, worst, by_rate, hourly, "aggregated")


# Replay: a log's own arrivals ----------------------------------------------------------------


def replay(arrivals: Sequence[float], runs: Sequence[float], model: PlatformModel) -> Simulation:
    """A trace replayed (README, "Replaying a trace"): its arrivals, in seconds from midnight
    UTC of its first day and in order, each taking its own logged run (seconds), routed as
    the exact method routes drawn ones. Start-ups are drawn from the profile's log-normal with
    the fixed seed; the percentiles are the requests' own latencies (nearest rank)."""
    rng = random.Random(SEED)
    sigma = model.init_sigma
    mu = math.log(model.init_p50) if model.init_p50 > 0 else 0.0
    latencies: list[float] = []

    def warm_run(index: int) -> float:
        latencies.append(runs[index])
        return runs[index]

    def cold_run(index: int) -> float:
        init = math.exp(rng.gauss(mu, sigma)) if sigma and model.init_p50 > 0 else model.init_p50
        latencies.append(init + runs[index])
        return init + runs[index]

    days = max(1, math.ceil(max(arrivals, default=0.0) / SECONDS_PER_DAY))
    horizon = days * SECONDS_PER_DAY
    cold, throttled, peak, hourly = run_exact(arrivals, warm_run, cold_run, model, horizon)
    served = len(arrivals) - throttled
    latencies.sort()

    def rank(share: float) -> float:
        if not latencies:
            return 0.0
        return latencies[max(1, math.ceil(share * len(latencies))) - 1]

    ordered = sorted(runs)
    typical = ordered[len(ordered) // 2] if ordered else 0.0
    instances = [seconds / (days * SECONDS_PER_HOUR) + model.warm_minimum for seconds in hourly]
    return Simulation(
        cold_start_share=cold / served if served else 0.0,
        p50=rank(0.50),
        p95=rank(0.95),
        p99=rank(0.99),
        peak_concurrency=float(peak),
        throttled_share=throttled / len(arrivals) if arrivals else 0.0,
        throttled_by_rate=model.quota is None or peak < model.quota * model.per_instance,
        instances_by_hour=tuple(round(value, 6) for value in instances),
        method="replay",
        arrivals=len(arrivals),
        service=typical,
        init_p50=model.init_p50,
        init_p99=model.init_p99,
    )
