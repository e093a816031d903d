"""Request log formats: each a parser from one line to a `Record`, and detection from content.

Every parser returns None for a line it cannot read (a bad or truncated line, counted by the
reader) and raises nothing. Times are seconds since the Unix epoch, UTC.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import itertools
import json
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple


class Record(NamedTuple):
    """One request (or one function invocation) as a log line gives it."""

    time: float | None  # arrival, seconds since the epoch (UTC)
    duration_ms: float | None = None
    bytes_out: int | None = None  # the response body sent
    memory_size_mb: int | None = None  # function logs: configured memory
    memory_used_mb: int | None = None
    init_ms: float | None = None  # function logs: a cold start's init duration
    billed_ms: float | None = None


def _iso(text: str) -> float | None:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.timestamp()


MONTHS = {name: number for number, name in enumerate(calendar.month_abbr) if name}
_DAYS: dict[tuple[int, int, int], int] = {}


def _clf_time(text: str) -> float | None:
    """`10/Oct/2000:13:55:36 -0700`, parsed by hand: strptime is ten times slower."""
    try:
        day, month, year = int(text[0:2]), MONTHS[text[3:6]], int(text[7:11])
        hour, minute, second = int(text[12:14]), int(text[15:17]), int(text[18:20])
        sign = -1 if text[21] == "-" else 1
        offset = sign * (int(text[22:24]) * 3600 + int(text[24:26]) * 60)
    except (ValueError, KeyError, IndexError):
        return None
    key = (year, month, day)
    base = _DAYS.get(key)
    if base is None:
        try:
            base = calendar.timegm((year, month, day, 0, 0, 0))
            dt.date(year, month, day)  # refuses 31 February
        except ValueError:
            return None
        _DAYS[key] = base
    return float(base + hour * 3600 + minute * 60 + second - offset)


# Common or Combined Log Format with the request time last: nginx `$request_time` (seconds,
# with a decimal point) or Apache `%D` (microseconds, an integer).
_QUOTED = r'"(?:[^"\\]++|\\.)*+"'  # runs of plain characters at once: possessive, fast
_CLF = re.compile(
    rf"^\S+ \S+ \S+ \[([^\]]+)\] {_QUOTED} \d{{3}} (\S+)"
    rf"(?: {_QUOTED} {_QUOTED})? (\d+(?:\.\d+)?)$"
)
TIME_CACHE = 100_000  # time stamps kept parsed


class _StampTimes(dict[str, float | None]):
    """CLF time stamps to epoch seconds, each parsed once (a busy log repeats a second's),
    and each minute once (`10/Oct/2000:13:55` and its zone: the seconds are added)."""

    def __init__(self) -> None:
        super().__init__()
        self.minutes: dict[str, float | None] = {}

    def __missing__(self, stamp: str) -> float | None:
        if len(self) >= TIME_CACHE:
            self.clear()
            self.minutes.clear()
        minute = stamp[:17] + stamp[20:]
        base = self.minutes.get(minute, -1.0)
        if base == -1.0:
            base = self.minutes[minute] = _clf_time(stamp[:18] + "00" + stamp[20:])
        seconds = stamp[18:20]
        time = None if base is None or not seconds.isdigit() else base + int(seconds)
        self[stamp] = time
        return time


_STAMP_TIMES = _StampTimes()
_CLF_LINES = re.compile(_CLF.pattern, re.MULTILINE)


@dataclass(frozen=True)
class Columns:
    """The records of a batch of lines, as columns (the fast path of `measure`)."""

    times: list[float]
    durations: list[float]
    sizes: list[int]
    lines: int  # non-empty lines, every one a record


def clf_columns(batch: list[str], earliest: float, latest: float) -> Columns | None:
    """A batch of CLF lines read in one regular-expression pass and a few C-level maps;
    None when any line is not a plain good one (the caller then reads them one by one, to
    count and show the bad ones)."""
    lines = len(batch) - batch.count("")
    matches = _CLF_LINES.findall("\n".join(batch))
    if len(matches) != lines or not matches:
        return None
    stamps, sent, taken = zip(*matches, strict=True)
    times = list(map(_STAMP_TIMES.__getitem__, stamps))
    if None in times:
        return None
    good = [time for time in times if time is not None]  # all of them: for the type checker
    if min(good) <= earliest or max(good) >= latest:
        return None
    return Columns(good, _milliseconds(taken), _sizes(sent), lines)


def _milliseconds(taken: tuple[str, ...]) -> list[float]:
    """Request times in ms: nginx seconds (a point in each) or Apache microseconds (none),
    converted in C when the batch holds one kind."""
    points = "".join(taken).count(".")
    if points == len(taken):
        return list(map(operator.mul, map(float, taken), itertools.repeat(1000.0)))
    if points == 0:
        return list(map(operator.truediv, map(int, taken), itertools.repeat(1000)))
    return [float(t) * 1000 if "." in t else int(t) / 1000 for t in taken]


def _sizes(sent: tuple[str, ...]) -> list[int]:
    """Bytes sent; `-` (none) is 0."""
    if "-" not in sent:
        try:
            return list(map(int, sent))
        except ValueError:  # some other word where a size belongs: as the line parser reads it
            pass
    return [int(size) if size.isdigit() else 0 for size in sent]


def parse_clf(line: str) -> Record | None:
    match = _CLF.match(line)
    if match is None:
        return None
    stamp, sent, taken = match.group(1, 2, 3)
    time = _STAMP_TIMES[stamp]
    if time is None:
        return None
    duration = float(taken) * 1000 if "." in taken else int(taken) / 1000
    return Record(time, duration, int(sent) if sent.isdigit() else 0)


_FIELDS = re.compile(r'"[^"]*"|\S+')
ALB_TYPES = frozenset({"http", "https", "h2", "grpcs", "ws", "wss"})


def parse_alb(line: str) -> Record | None:
    """An Application Load Balancer access log entry: the arrival is `request_creation_time`
    (the response's `time` where it is missing), the duration the sum of the three processing
    times (-1 in any of them: the request got no response, so no duration)."""
    match = _ALB.match(line)  # the usual entry: only the fields read, in one match
    fields = list(match.group(1, 2, 3, 4, 5, 6, 7)) if match else _alb_fields(line)
    if fields is None or fields[0] not in ALB_TYPES:
        return None
    arrival = _iso(fields[6]) if fields[6] else None
    time = arrival if arrival is not None else _iso(fields[1])
    if time is None:
        return None
    try:
        times = [float(fields[index]) for index in (2, 3, 4)]
        sent = int(fields[5])
    except ValueError:
        return None
    duration = sum(times) * 1000 if min(times) >= 0 else None
    return Record(time, duration, sent)


# Fields 0 (type), 1 (time), 5-7 (processing times), 11 (sent bytes), 21 (creation time).
_QUOTED_FIELD = r'"[^"]*"'
_ALB = re.compile(
    r"(\S+) (\S+) \S+ \S+ \S+ (\S+) (\S+) (\S+) \S+ \S+ \S+ (\S+) "
    rf"{_QUOTED_FIELD} {_QUOTED_FIELD} \S+ \S+ \S+ {_QUOTED_FIELD} {_QUOTED_FIELD} "
    rf"{_QUOTED_FIELD} \S+ (\S+)"
)


_ALB_LINES = re.compile("^" + _ALB.pattern, re.MULTILINE)


def alb_columns(batch: list[str], earliest: float, latest: float) -> Columns | None:
    """A batch of usual ALB entries in one regular-expression pass (see `clf_columns`);
    None when any entry is unusual: no creation time, a -1 processing time, a bad line."""
    lines = len(batch) - batch.count("")
    matches = _ALB_LINES.findall("\n".join(batch))
    if len(matches) != lines or not matches:
        return None
    kinds, _, *processing, sent, created = zip(*matches, strict=True)
    if not set(kinds) <= ALB_TYPES:
        return None
    try:
        moments = map(dt.datetime.fromisoformat, created)
        times = [
            moment.timestamp() if moment.tzinfo else moment.replace(tzinfo=dt.UTC).timestamp()
            for moment in moments
        ]
        first, second, third = (list(map(float, column)) for column in processing)
        sizes = list(map(int, sent))
    except ValueError:
        return None
    if min(min(first), min(second), min(third)) < 0:  # an entry without a response
        return None
    if min(times) <= earliest or max(times) >= latest:
        return None
    durations = [(a + b + c) * 1000 for a, b, c in zip(first, second, third, strict=True)]
    return Columns(times, durations, sizes, lines)


def _alb_fields(line: str) -> list[str] | None:
    """The same seven fields from an entry of another shape (older, without the creation
    time): every field split out, quoted ones whole."""
    fields = _FIELDS.findall(line)
    if len(fields) < 12:
        return None
    creation = fields[21] if len(fields) > 21 else ""
    return [fields[0], fields[1], fields[5], fields[6], fields[7], fields[11], creation]


CLOUDFRONT_FIELDS = [
    "date",
    "time",
    "x-edge-location",
    "sc-bytes",
    "c-ip",
    "cs-method",
    "cs(Host)",
    "cs-uri-stem",
    "sc-status",
    "cs(Referer)",
    "cs(User-Agent)",
    "cs-uri-query",
    "cs(Cookie)",
    "x-edge-result-type",
    "x-edge-request-id",
    "x-host-header",
    "cs-protocol",
    "cs-bytes",
    "time-taken",
]


@dataclass
class CloudFront:
    """A CloudFront standard log: tab-separated, its columns named by a `#Fields:` line (the
    documented order where the file has none)."""

    columns: list[str] = field(default_factory=lambda: list(CLOUDFRONT_FIELDS))

    def __call__(self, line: str) -> Record | None:
        if line.startswith("#"):
            return None
        values = line.split("\t")
        try:
            index = {name: values[i] for i, name in enumerate(self.columns) if i < len(values)}
            time = _iso(f"{index['date']}T{index['time']}+00:00")
            taken = index.get("time-taken")
            sent = index.get("sc-bytes")
            duration = float(taken) * 1000 if taken not in (None, "-") else None
            size = int(sent) if sent not in (None, "-") else None
        except (KeyError, ValueError):
            return None
        if time is None:
            return None
        return Record(time, duration, size)

    def header(self, line: str) -> bool:
        """Takes a `#Fields:` line; True for any comment line."""
        if line.startswith("#Fields:"):
            self.columns = line[len("#Fields:") :].split()
        return line.startswith("#")


# A REPORT line in Lambda's text log format; a SnapStart restore counts as a cold start, its
# `Restore Duration` as the start-up.
_REPORT = re.compile(
    r"REPORT RequestId: \S+\s+Duration: ([\d.]+) ms\s+Billed Duration: ([\d.]+) ms\s+"
    r"Memory Size: (\d+) MB\s+Max Memory Used: (\d+) MB"
    r"(?:\s+Init Duration: ([\d.]+) ms)?(?:\s+Restore Duration: ([\d.]+) ms)?"
)
_LEADING_TIME = re.compile(r"^\S*?(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?)")
PLATFORM_REPORT = '"platform.report"'


def report_record(message: str, time: float | None) -> Record | None:
    """A REPORT line, in the text log format or the JSON one (`platform.report`)."""
    if PLATFORM_REPORT in message:
        return _platform_report(message, time)
    match = _REPORT.search(message)
    if match is None:
        return None
    init = match.group(5) or match.group(6)
    return Record(
        time,
        float(match.group(1)),
        None,
        int(match.group(3)),
        int(match.group(4)),
        float(init) if init else None,
        float(match.group(2)),
    )


def _platform_report(message: str, time: float | None) -> Record | None:
    """`{"time": "...", "type": "platform.report", "record": {"metrics": {"durationMs": ...}}}`:
    Lambda's JSON log format (advanced logging controls)."""
    try:
        event = json.loads(message[message.index("{") :])
        metrics = event["record"]["metrics"]
        duration = float(metrics["durationMs"])
        billed = metrics.get("billedDurationMs")
        memory = int(metrics["memorySizeMB"])
        used = metrics.get("maxMemoryUsedMB")
        init = metrics.get("initDurationMs", metrics.get("restoreDurationMs"))
        stamp = event.get("time")
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    if time is None and isinstance(stamp, str):
        time = _iso(stamp)
    return Record(
        time,
        duration,
        None,
        memory,
        int(used) if isinstance(used, int | float) else None,
        float(init) if isinstance(init, int | float) else None,
        float(billed) if isinstance(billed, int | float) else None,
    )


def parse_lambda_text(line: str) -> Record | None:
    """A `REPORT` line of a function's CloudWatch Logs, as exported text: the time is the
    ISO 8601 timestamp the export puts before it (none: the figures but no arrival)."""
    if PLATFORM_REPORT in line:
        return _platform_report(line, None)
    if "REPORT RequestId:" not in line:
        return None
    leading = _LEADING_TIME.match(line)
    time = _iso(leading.group(1)) if leading else None
    return report_record(line, time)


_EVENT = re.compile(r"\{[^{}]*\}")
_TIMESTAMP = re.compile(r'"timestamp"\s*:\s*(\d+)')
_MESSAGE = re.compile(r'^\s*"message"\s*:\s*("(?:[^"\\]|\\.)*")')


@dataclass
class LambdaJson:
    """The JSON `aws logs filter-log-events` prints, read a line at a time: compact (an event
    on one line) or indented (a field a line, `timestamp` before `message`, as the CLI writes
    them). Events that are not REPORT lines are skipped, not bad."""

    timestamp: float | None = None

    def __call__(self, line: str) -> Record | tuple[Record, ...] | None:
        if '"message"' not in line:
            stamp = _TIMESTAMP.search(line)
            if stamp:
                self.timestamp = int(stamp.group(1)) / 1000
            return None
        if "REPORT RequestId:" not in line and "platform.report" not in line:
            return None
        whole = line.strip().rstrip(",")
        if whole.startswith("{") and whole.endswith("}"):  # an event a line (`jq -c`)
            try:
                event = json.loads(whole)
            except ValueError:
                event = None
            if isinstance(event, dict) and isinstance(event.get("message"), str):
                stamp = event.get("timestamp")
                time = stamp / 1000 if isinstance(stamp, int | float) else None
                return report_record(event["message"], time)
        events = _EVENT.findall(line)
        if events:  # compact: several whole events on the line
            found = []
            for text in events:
                try:
                    event = json.loads(text)
                except ValueError:
                    continue
                message = event.get("message")
                if isinstance(message, str) and ("REPORT" in message or PLATFORM_REPORT in message):
                    stamp = event.get("timestamp")
                    time = stamp / 1000 if isinstance(stamp, int | float) else None
                    record = report_record(message, time)
                    if record is not None:
                        found.append(record)
            return tuple(found) or None
        match = _MESSAGE.match(line)
        if match is None:
            return None
        try:
            message = json.loads(match.group(1))
        except ValueError:
            return None
        return report_record(message, self.timestamp)


@dataclass
class Csv:
    """A CSV file whose header names a `timestamp` column (ISO 8601 or Unix seconds) and,
    optionally, `duration_ms` and `bytes`."""

    columns: list[str]

    def __call__(self, line: str) -> Record | None:
        try:
            values = next(csv.reader([line]))
        except (csv.Error, StopIteration):
            return None
        if len(values) != len(self.columns):
            return None
        row = dict(zip(self.columns, values, strict=True))
        stamp = row["timestamp"].strip()
        try:
            time = float(stamp) if re.fullmatch(r"\d+(\.\d+)?", stamp) else _iso(stamp)
            duration = float(row["duration_ms"]) if row.get("duration_ms") else None
            size = int(row["bytes"]) if row.get("bytes") else None
        except ValueError:
            return None
        if time is None:
            return None
        return Record(time, duration, size)


# A line's record; or its records, for a line holding several (compact JSON); None: unread.
Parser = Callable[[str], Record | tuple[Record, ...] | None]


@dataclass(frozen=True)
class LogFormat:
    name: str  # as a comment in the written workload says it
    parser: Parser
    skips_other_lines: bool = False  # function logs hold other lines than REPORT: not bad
    columns: Callable[[list[str], float, float], Columns | None] | None = None  # a fast path


def detect(sample: list[str]) -> LogFormat | None:
    """The format of a log from its first non-empty lines, or None when it is none we read."""
    lines = [line for line in sample if line.strip()]
    if not lines:
        return None
    first = lines[0].lstrip()
    json_like = first.startswith(("{", "["))
    if json_like and any('"message"' in line or '"events"' in line for line in lines):
        return LogFormat("AWS Lambda REPORT lines (filter-log-events JSON)", LambdaJson(), True)
    if first.startswith("#Version") or first.startswith("#Fields"):
        cloudfront = CloudFront()
        for line in lines:
            cloudfront.header(line)
        return LogFormat("Amazon CloudFront standard log", _cloudfront_parser(cloudfront))
    header = [name.strip() for name in next(csv.reader([first]), [])]
    if "timestamp" in header:  # a header line naming the column, alone or with others
        return LogFormat("CSV", _skip_first(Csv(header), first))
    scores = {
        "alb": sum(parse_alb(line) is not None for line in lines),
        "lambda": sum(parse_lambda_text(line) is not None for line in lines),
        "clf": sum(parse_clf(line) is not None for line in lines),
        "cloudfront": sum(CloudFront()(line) is not None for line in lines),
    }
    best = max(scores, key=lambda name: scores[name])
    if scores[best] == 0:
        return None
    return {
        "alb": LogFormat(
            "AWS Application Load Balancer access log", parse_alb, columns=alb_columns
        ),
        "lambda": LogFormat(
            "AWS Lambda REPORT lines (CloudWatch Logs text)", parse_lambda_text, True
        ),
        "clf": LogFormat(
            "Common/Combined Log Format with request time", parse_clf, columns=clf_columns
        ),
        "cloudfront": LogFormat("Amazon CloudFront standard log", _cloudfront_parser(CloudFront())),
    }[best]


# A header or comment line, neither a request nor a bad line (compared by identity).
SKIP = Record(None)


def _cloudfront_parser(cloudfront: CloudFront) -> Parser:
    def parse(line: str) -> Record | None:
        if cloudfront.header(line):
            return SKIP
        return cloudfront(line)

    return parse


def _skip_first(parse: Csv, header: str) -> Parser:
    def parser(line: str) -> Record | None:
        if line == header:
            return SKIP
        return parse(line)

    return parser
