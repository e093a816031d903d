"""`measure`: each documented log format read, figures from generated logs against the truth
they were generated from, bad lines counted, bad files refused, the sketch's error bound."""

from __future__ import annotations

import gzip
import json
import math
import os
import random
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from serverless_fit.measure.figures import Figures, Measurement
from serverless_fit.measure.quantiles import RELATIVE_ERROR, Quantiles
from serverless_fit.measure.reader import LogSummary, read_logs
from tests import logs
from tests.conftest import ROOT
from tests.test_cli import run

DOCUMENTED = ROOT / "tests" / "data" / "logs"


def measured(*paths: Path) -> tuple[Figures, LogSummary]:
    measurement = Measurement()
    summary = read_logs(paths, measurement.add)
    return measurement.figures(), summary


@pytest.mark.parametrize(
    "name,format_name,records,duration_max,payload_max",
    [
        # The examples of each provider's documentation page, as they print them.
        ("alb-documented.log", "AWS Application Load Balancer access log", 3, 171, 366),
        ("cloudfront-documented.log", "Amazon CloudFront standard log", 3, 1, 392),
        ("nginx-documented.log", "Common/Combined Log Format with request time", 2, 250, 2326),
        ("apache-documented.log", "Common/Combined Log Format with request time", 2, 123.456, 2326),
        ("lambda-documented.log", "AWS Lambda REPORT lines (CloudWatch Logs text)", 2, 12.34, None),
    ],
)
def test_each_documented_format_is_detected_and_read(
    name: str, format_name: str, records: int, duration_max: float, payload_max: int | None
) -> None:
    figures, summary = measured(DOCUMENTED / name)
    assert summary.formats() == [format_name] and summary.bad == 0
    assert summary.records == records
    assert figures.duration is not None
    assert figures.duration.maximum == pytest.approx(duration_max)
    if payload_max is None:
        assert figures.payload is None
    else:
        assert figures.payload is not None and figures.payload.maximum == payload_max


def test_documented_lambda_lines_give_memory_and_the_cold_start() -> None:
    figures, _ = measured(DOCUMENTED / "lambda-documented.log")
    assert figures.memory_size_mb == 128 and figures.invocations == 2
    assert figures.cold_starts == 1 and figures.init is not None
    assert figures.init.p50 == 194.61


def test_alb_arrival_is_the_request_creation_time() -> None:
    figures, _ = measured(DOCUMENTED / "alb-documented.log")
    # request_creation_time 22:22:48.364, not the response's 22:23:00.186641
    assert figures.first == pytest.approx(1530570168.364)


def test_a_diurnal_api_in_nginx_format(tmp_path: Path) -> None:
    truth = logs.diurnal_nginx(tmp_path / "access.log.gz", days=2)
    figures, summary = measured(tmp_path / "access.log.gz")
    traffic = figures.traffic
    assert traffic is not None and summary.records == len(truth.arrivals)
    # the log's times are whole seconds
    first, last = math.floor(min(truth.arrivals)), math.floor(max(truth.arrivals))
    assert traffic.average_per_second == pytest.approx((len(truth.arrivals) - 1) / (last - first))
    assert truth.rate() == pytest.approx(2.25, rel=0.02)  # 12 h at 4/s, 12 h at 0.5/s
    assert traffic.pattern == "steady" and traffic.interval is None
    assert traffic.active_hours_per_day == 24
    day, night = traffic.profile[12], traffic.profile[2]
    assert day / night == pytest.approx(8, rel=0.1)  # 4/s against 0.5/s
    assert sum(traffic.profile) == pytest.approx(1)
    assert figures.duration is not None and figures.duration.exact
    assert figures.duration.p50 == pytest.approx(logs.nearest_rank(truth.durations, 0.5))
    assert figures.duration.p99 == pytest.approx(logs.nearest_rank(truth.durations, 0.99))
    assert figures.payload is not None and figures.payload.maximum == max(truth.sizes)


def test_a_periodic_job_in_csv(tmp_path: Path) -> None:
    truth = logs.periodic_csv(tmp_path / "job.csv")
    figures, _ = measured(tmp_path / "job.csv")
    traffic = figures.traffic
    assert traffic is not None and traffic.pattern == "periodic"
    assert traffic.interval is not None and abs(traffic.interval - 900) <= 3
    assert figures.duration is not None
    assert figures.duration.maximum == max(truth.durations)


def test_a_spiky_burst_in_alb_logs(tmp_path: Path) -> None:
    truth = logs.spiky_alb(tmp_path / "alb.log")
    figures, _ = measured(tmp_path / "alb.log")
    traffic = figures.traffic
    assert traffic is not None and traffic.pattern == "spiky"
    seconds: dict[int, int] = {}
    for moment in truth.arrivals:
        seconds[math.floor(moment)] = seconds.get(math.floor(moment), 0) + 1
    assert traffic.peak_second == max(seconds.values())
    minutes: dict[int, int] = {}
    for moment in truth.arrivals:
        minutes[math.floor(moment) // 60] = minutes.get(math.floor(moment) // 60, 0) + 1
    assert traffic.peak_minute == max(minutes.values())
    assert traffic.peak_minute / 60 > 4 * traffic.average_per_second


def test_an_existing_java_function_with_cold_starts(tmp_path: Path) -> None:
    truth = logs.java_lambda_json(tmp_path / "events.json", count=2000, cold_every=20)
    figures, summary = measured(tmp_path / "events.json")
    assert summary.formats() == ["AWS Lambda REPORT lines (filter-log-events JSON)"]
    assert figures.invocations == 2000 and figures.cold_starts == len(truth.inits) == 100
    assert figures.init is not None
    assert figures.init.p50 == logs.nearest_rank(truth.inits, 0.5)
    assert figures.init.p99 == logs.nearest_rank(truth.inits, 0.99)
    assert figures.memory_size_mb == 1024
    assert figures.traffic is not None
    assert figures.traffic.average_per_second == pytest.approx(1 / 30)


def test_files_from_several_nodes_in_any_order(tmp_path: Path) -> None:
    """Two load-balancer nodes' logs given latest first: the same figures as one file."""
    truth = logs.spiky_alb(tmp_path / "all.log")
    lines = (tmp_path / "all.log").read_text().splitlines()
    (tmp_path / "b.log").write_text("\n".join(lines[1::2]) + "\n")
    (tmp_path / "a.log").write_text("\n".join(lines[0::2]) + "\n")
    whole, _ = measured(tmp_path / "all.log")
    split, summary = measured(tmp_path / "b.log", tmp_path / "a.log")
    assert summary.records == len(truth.arrivals)
    assert split.traffic == whole.traffic


def test_bad_lines_are_counted_and_shown_with_their_numbers(tmp_path: Path) -> None:
    logs.diurnal_nginx(tmp_path / "access.log.gz", days=1)
    with gzip.open(tmp_path / "access.log.gz", "rt") as source:
        lines = source.read().splitlines()
    lines[9] = "not a log line"
    lines[19] = lines[19][:30]  # truncated
    lines.insert(50, "\x00\x01binary")
    (tmp_path / "corrupt.log").write_text("\n".join(lines) + "\n")
    out_file = tmp_path / "w.yaml"
    code, _, err = run("measure", str(tmp_path / "corrupt.log"), "-o", str(out_file))
    assert code == 0, err
    assert f"{tmp_path / 'corrupt.log'}:10: skipped: not a log line" in err
    assert f"{tmp_path / 'corrupt.log'}:20: skipped: " in err
    assert "(3 bad lines)" in err and "Traceback" not in err
    assert "# Bad lines skipped: 3" in out_file.read_text()


def test_the_written_workload_is_valid_commented_and_assessable(tmp_path: Path) -> None:
    logs.diurnal_nginx(tmp_path / "access.log.gz", days=2)
    target = tmp_path / "orders.yaml"
    code, _, err = run(
        "measure", str(tmp_path / "access.log.gz"), "-o", str(target),
        "--name", "orders", "--archetype", "api",
    )  # fmt: skip
    assert code == 0, err
    text = target.read_text()
    data = yaml.safe_load(text)
    assert data["name"] == "orders" and data["archetype"] == "api"
    assert data["traffic"]["pattern"] == "steady" and len(data["traffic"]["profile"]) == 24
    assert data["duration"]["typical"].endswith("ms")
    assert "# Measured by serverless-fit measure from" in text
    assert "Common/Combined Log Format with request time" in text
    assert "  average: 2.2" in text and "# (requests - 1) / logged period" in text
    assert run("assess", str(target))[0] == 0


@pytest.mark.parametrize(
    "content,expected",
    [
        (b"", "found an empty file"),
        (b"hello world\nthis is not a log\n", "found lines such as 'hello world'; allowed: "),
        (b"\x1f\x8b\x08\x00broken", "cannot read it"),
    ],
)
def test_a_file_that_is_no_log_is_exit_2(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "input.log"
    path.write_bytes(content)
    code, out, err = run("measure", str(path), "-o", str(tmp_path / "w.yaml"))
    assert code == 2 and out == "" and not (tmp_path / "w.yaml").exists()
    assert err.startswith(str(path)) and expected in err and "Traceback" not in err


def test_a_missing_log_is_exit_2(tmp_path: Path) -> None:
    code, _, err = run("measure", str(tmp_path / "nope.log"))
    assert code == 2 and "cannot read it: No such file or directory" in err


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(min_value=0.001, max_value=1e7, allow_nan=False), min_size=1, max_size=400),
    st.sampled_from([0.01, 0.25, 0.5, 0.9, 0.99, 0.999]),
)
def test_the_sketch_is_within_its_stated_error(values: list[float], share: float) -> None:
    sketch = Quantiles(exact_limit=8)  # forced onto the sketch past eight values
    for value in values:
        sketch.add(value)
    exact = logs.nearest_rank(values, share)
    assert sketch.exact is (len(values) <= 8)
    assert abs(sketch.quantile(share) - exact) <= RELATIVE_ERROR * exact * (1 + 1e-9)


def test_exact_while_the_values_fit() -> None:
    rng = random.Random(5)
    values = [rng.lognormvariate(3, 1) for _ in range(5000)]
    exact = Quantiles()
    for value in values:
        exact.add(value)
    assert exact.exact and exact.quantiles(0.5, 0.99) == (
        logs.nearest_rank(values, 0.5),
        logs.nearest_rank(values, 0.99),
    )


def test_hostile_logs_are_bad_lines_or_located_errors(tmp_path: Path) -> None:
    """A line too long to hold, a time in year 1 or 9999, a log given as the output."""
    log = tmp_path / "hostile.csv"
    log.write_text(
        "timestamp,duration_ms\n"
        + "x" * 100_000
        + "\n"
        + "0001-01-01T00:00:00Z,5\n"
        + "9999-12-31T23:59:59Z,5\n"
        + "2026-11-02T10:00:00Z,5\n2026-11-02T10:00:01Z,7\n"
    )
    code, _, err = run("measure", str(log), "-o", str(tmp_path / "w.yaml"))
    assert code == 0, err
    assert f"{log}:2: skipped: (a line longer than 65,536 characters)" in err
    assert f"{log}:3: skipped: 0001-01-01" in err and f"{log}:4: skipped: 9999-12-31" in err
    assert "(3 bad lines)" in err
    code, _, err = run("measure", str(log), "-o", str(log))
    assert code == 2 and "is one of the logs" in err


def test_quoted_fields_may_hold_escaped_quotes(tmp_path: Path) -> None:
    """Apache escapes a quote in the request line as \\", nginx as \\x22: both read."""
    log = tmp_path / "access.log"
    log.write_text(
        '10.0.0.1 - - [02/Nov/2026:10:00:00 +0000] "GET /a\\"b HTTP/1.1" 200 10 "-" '
        '"agent \\"x\\"" 1500\n'
        '10.0.0.1 - - [02/Nov/2026:10:00:01 +0000] "GET /a\\x22b HTTP/1.1" 200 20 "-" "-" 0.002\n'
    )
    figures, summary = measured(log)
    assert summary.records == 2 and summary.bad == 0
    assert figures.duration is not None and figures.duration.maximum == 2


def test_a_new_file_says_what_no_log_gives_and_the_cold_starts(tmp_path: Path) -> None:
    logs.java_lambda_json(tmp_path / "events.json", count=200, cold_every=10)
    code, out, _ = run("measure", str(tmp_path / "events.json"), "--name", "pricer")
    assert code == 0
    assert "# Cold starts measured: 20 of 200 invocations (10.00%); init p50 " in out
    assert "# Not in a log, so left for you: runtime, latency" in out
    assert yaml.safe_load(out)["resources"]["memory"] == "1024MiB"


@pytest.mark.parametrize(
    "gaps,interval",
    [
        ([30.0] * 150, 30.0),  # every 30 s
        ([900.0] * 20 + [1800.0] + [900.0] * 20 + [950.0, 850.0], 900.0),  # one missed, one late
        (None, None),  # random arrivals at one a minute: not periodic
    ],
)
def test_periodic_work_is_told_from_random_arrivals(
    tmp_path: Path, gaps: list[float] | None, interval: float | None
) -> None:
    rng = random.Random(9)
    steps = gaps if gaps is not None else [rng.expovariate(1 / 60) for _ in range(500)]
    times = [logs.START]
    for step in steps:
        times.append(times[-1] + step)
    rows = ["timestamp", *(f"{moment:.3f}" for moment in times)]
    (tmp_path / "runs.csv").write_text("\n".join(rows) + "\n")
    figures, _ = measured(tmp_path / "runs.csv")
    assert figures.traffic is not None
    assert figures.traffic.interval == interval
    assert (figures.traffic.pattern == "periodic") is (interval is not None)


@pytest.mark.parametrize(
    "burst_rate,pattern",
    [(None, "steady"), (10.0, "spiky")],  # two hours at 1/s; with five minutes at 10/s
)
def test_a_short_log_is_steady_unless_it_bursts(
    tmp_path: Path, burst_rate: float | None, pattern: str
) -> None:
    rng = random.Random(3)
    times, moment = [], logs.START
    while moment < logs.START + 7200:
        in_burst = burst_rate is not None and 3000 <= moment - logs.START < 3300
        moment += rng.expovariate(burst_rate if in_burst and burst_rate else 1.0)
        times.append(moment)
    rows = ["timestamp", *(f"{t:.3f}" for t in times)]
    (tmp_path / "two-hours.csv").write_text("\n".join(rows) + "\n")
    figures, _ = measured(tmp_path / "two-hours.csv")
    assert figures.traffic is not None and figures.traffic.pattern == pattern


PLATFORM_REPORT = (
    '{"time":"2026-11-02T10:00:00.500Z","type":"platform.report","record":{"requestId":"r1",'
    '"metrics":{"durationMs":12.5,"billedDurationMs":13,"memorySizeMB":512,'
    '"maxMemoryUsedMB":90,"initDurationMs":310.2},"status":"success"}}'
)


@pytest.mark.parametrize(
    "text",
    [
        # Lambda's JSON log format, exported as text: an object a line
        PLATFORM_REPORT + "\n" + PLATFORM_REPORT.replace('"initDurationMs":310.2', '"x":1') + "\n",
        # the same in filter-log-events JSON, an event a line (jq -c)
        "\n".join(
            json.dumps({"timestamp": 1793613600500 + i, "message": message})
            for i, message in enumerate(
                [PLATFORM_REPORT, PLATFORM_REPORT.replace('"initDurationMs":310.2', '"x":1')]
            )
        )
        + "\n",
        # text format with SnapStart: a restore is a cold start
        "2026-11-02T10:00:00.500Z REPORT RequestId: r1\tDuration: 12.5 ms\tBilled Duration: 13 ms"
        "\tMemory Size: 512 MB\tMax Memory Used: 90 MB\tRestore Duration: 310.2 ms\t"
        "Billed Restore Duration: 311 ms\n"
        "2026-11-02T10:00:01.500Z REPORT RequestId: r2\tDuration: 12.5 ms\tBilled Duration: 13 ms"
        "\tMemory Size: 512 MB\tMax Memory Used: 90 MB\n",
    ],
    ids=["json-log-format", "json-events-a-line", "snapstart-text"],
)
def test_other_lambda_report_shapes(tmp_path: Path, text: str) -> None:
    (tmp_path / "report.log").write_text(text)
    figures, summary = measured(tmp_path / "report.log")
    assert summary.records == 2 and figures.invocations == 2
    assert figures.cold_starts == 1 and figures.init is not None and figures.init.p50 == 310.2
    assert figures.memory_size_mb == 512


VALID_LINES = [
    line
    for name in (
        "alb-documented.log",
        "cloudfront-documented.log",
        "nginx-documented.log",
        "apache-documented.log",
        "lambda-documented.log",
    )
    for line in (DOCUMENTED / name).read_text().splitlines()
]
FRAGMENTS = st.one_of(
    st.sampled_from(VALID_LINES),
    st.sampled_from(VALID_LINES).map(lambda line: line[: len(line) // 2]),  # truncated
    st.text(max_size=80),
    st.sampled_from(["timestamp,duration_ms,bytes", "#Fields: date time", "{", '"message": 1']),
)


@settings(max_examples=int(os.environ.get("SERVERLESS_FIT_FUZZ_EXAMPLES", "150")), deadline=None)
@given(st.lists(FRAGMENTS, max_size=30), st.booleans())
def test_any_log_gives_a_workload_or_a_clean_input_error(lines: list[str], gzipped: bool) -> None:
    """Whatever a log holds, `measure` writes a valid workload or raises InputError."""
    import tempfile

    from serverless_fit.errors import InputError
    from serverless_fit.format.loader import load_text
    from serverless_fit.measure.workloadtext import workload_text

    raw = ("\n".join(lines) + "\n").encode("utf-8", errors="surrogatepass")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.log"
        path.write_bytes(gzip.compress(raw) if gzipped else raw)
        try:
            figures, summary = measured(path)
        except InputError as error:
            assert all(problem.file == str(path) for problem in error.problems)
            return
        load_text(workload_text(figures, summary, "fuzz", None), "fuzz.yaml")


def test_an_older_alb_entry_without_creation_time(tmp_path: Path) -> None:
    line = (DOCUMENTED / "alb-documented.log").read_text().splitlines()[0]
    older = line.split(' "curl/7.46.0"')[0] + ' "curl/7.46.0" - -'
    (tmp_path / "old.log").write_text(older + "\n" + older + "\n")
    figures, summary = measured(tmp_path / "old.log")
    assert summary.records == 2 and summary.bad == 0
    assert figures.first == pytest.approx(1530570180.186641)  # the response's `time`


def test_the_profile_weighs_each_hour_by_how_often_the_log_holds_it(tmp_path: Path) -> None:
    """25 hours of a request every 30 s: two 00:00 hours, yet a flat day."""
    logs.java_lambda_json(tmp_path / "events.json", count=3000)
    figures, _ = measured(tmp_path / "events.json")
    assert figures.traffic is not None
    assert max(figures.traffic.profile) == pytest.approx(min(figures.traffic.profile), rel=0.01)


def test_compact_json_with_several_events_on_a_line(tmp_path: Path) -> None:
    events = [
        {"timestamp": 1793613600000 + i * 1000, "message": f"REPORT RequestId: r{i}\t"
         f"Duration: {10 + i} ms\tBilled Duration: {10 + i} ms\tMemory Size: 128 MB\t"
         "Max Memory Used: 60 MB\t"}
        for i in range(5)
    ]  # fmt: skip
    (tmp_path / "compact.json").write_text(json.dumps({"events": events}) + "\n")
    figures, summary = measured(tmp_path / "compact.json")
    assert summary.records == 5 and figures.invocations == 5
    assert figures.duration is not None and figures.duration.maximum == 14


def test_a_csv_saved_by_a_spreadsheet(tmp_path: Path) -> None:
    """A byte-order mark and CRLF line ends, as spreadsheets write CSV."""
    rows = ["timestamp,duration_ms", "2026-11-02T10:00:00Z,5", "2026-11-02T10:00:02Z,7"]
    (tmp_path / "export.csv").write_bytes(b"\xef\xbb\xbf" + "\r\n".join(rows).encode() + b"\r\n")
    figures, summary = measured(tmp_path / "export.csv")
    assert summary.formats() == ["CSV"] and summary.records == 2 and summary.bad == 0
    assert figures.duration is not None and figures.duration.maximum == 7


def test_the_fast_path_and_the_line_by_line_path_agree(tmp_path: Path) -> None:
    """The same figures whether a batch is read at once or a line at a time (a bad line in a
    batch sends it down the slow path)."""
    logs.diurnal_nginx(tmp_path / "access.log.gz", days=1)
    with gzip.open(tmp_path / "access.log.gz", "rt") as source:
        lines = source.read().splitlines()
    lines[5] = lines[5].replace('" 200 ', '" 200 abc ', 1)  # an odd size: still a line
    (tmp_path / "plain.log").write_text("\n".join(lines) + "\n")
    fast = Measurement()
    read_logs([tmp_path / "plain.log"], fast.add, None, fast.add_columns)
    slow = Measurement()
    read_logs([tmp_path / "plain.log"], slow.add)
    assert fast.figures() == slow.figures()


def test_many_values_at_once_fall_in_the_same_buckets_as_one_by_one() -> None:
    rng = random.Random(2)
    values = [0.0, *(rng.lognormvariate(2, 2) for _ in range(3000))]
    one, many = Quantiles(exact_limit=10), Quantiles(exact_limit=10)
    for value in values:
        one.add(value)
    many.extend(values[:7])
    many.extend(values[7:])
    shares = (0.0, 0.01, 0.5, 0.9, 0.99, 1.0)
    assert one.quantiles(*shares) == many.quantiles(*shares) and one.count == many.count


def test_the_alb_fast_path_agrees_with_the_line_by_line_path(tmp_path: Path) -> None:
    logs.spiky_alb(tmp_path / "alb.log", hours=2)
    lines = (tmp_path / "alb.log").read_text().splitlines()
    fields = lines[10].split(" ")
    fields[5:8] = ["-1", "-1", "-1"]  # no response: no duration
    older = lines[20].split(' "curl/8.5"')[0] + ' "curl/8.5" - -'  # no creation time
    mixed = [*lines[:3000], " ".join(fields), older, *lines[3000:]]
    for name, content in (("plain.log", lines), ("mixed.log", mixed)):
        (tmp_path / name).write_text("\n".join(content) + "\n")
        fast = Measurement()
        read_logs([tmp_path / name], fast.add, None, fast.add_columns)
        slow = Measurement()
        read_logs([tmp_path / name], slow.add)
        assert fast.figures() == slow.figures()


def test_a_folder_of_node_logs_is_named_briefly(tmp_path: Path) -> None:
    lines = (DOCUMENTED / "nginx-documented.log").read_text()
    paths = []
    for index in range(8):
        paths.append(tmp_path / f"node-{index}.log")
        paths[-1].write_text(lines)
    code, out, _ = run("measure", *map(str, paths), "--name", "x")
    assert code == 0
    assert f"# Files: {paths[0]}, " in out and " and 3 more\n" in out
