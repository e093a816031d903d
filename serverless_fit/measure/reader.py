"""Reading request logs at scale: gzip or plain, a line at a time, the format detected from
each file's first lines; bad lines counted and the first few kept, never an exception."""

from __future__ import annotations

import gzip
import io
import itertools
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from serverless_fit.errors import InputError, Problem
from serverless_fit.format.visible import one_line
from serverless_fit.measure.formats import SKIP, Columns, LogFormat, Record, detect

SAMPLE_LINES = 50  # lines the format is detected from
BAD_LINES_SHOWN = 5
GZIP_MAGIC = b"\x1f\x8b"

FORMATS_ALLOWED = (
    "Common or Combined Log Format with a request time last (nginx $request_time, Apache %D), "
    "an ALB access log, a CloudFront standard log, Lambda REPORT lines (text or "
    "filter-log-events JSON), or CSV with a timestamp column"
)


@dataclass(frozen=True)
class BadLine:
    file: str
    line: int
    text: str  # the start of the line, made visible


@dataclass
class LogSummary:
    """What was read: formats, lines, records, bad lines."""

    files: list[tuple[str, str]] = field(default_factory=list)  # (file, format name)
    lines: int = 0
    records: int = 0
    bad: int = 0
    bad_lines: list[BadLine] = field(default_factory=list)

    def formats(self) -> list[str]:
        return list(dict.fromkeys(name for _, name in self.files))


def _open(path: Path) -> tuple[IO[bytes], IO[str]]:
    """The raw file (for progress) and its text, uncompressed when it is gzip."""
    raw = path.open("rb")
    stream: IO[bytes] = raw
    if raw.peek(2)[:2] == GZIP_MAGIC:
        stream = gzip.GzipFile(fileobj=raw)  # type: ignore[assignment]  # a binary stream
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline=None)
    return raw, text


MAX_LINE = 65_536  # characters: a longer line is a bad line, never read into memory whole
TOO_LONG = f"\x00(a line longer than {MAX_LINE:,} characters)"
# Arrivals outside these (1970 to 2200) are misread times: their lines are bad lines.
EARLIEST, LATEST = 0.0, 7_258_118_400.0


CHUNK = 1 << 20  # characters read at once; lines are split from them in C


def _batches(text: IO[str]) -> Iterator[list[str]]:
    """The lines of a text stream without their line breaks, a chunk's worth at a time; a
    line longer than MAX_LINE is given as TOO_LONG, its characters never held whole."""
    carry = ""
    skipping = False  # inside an over-long line, until its end
    while True:
        chunk = text.read(CHUNK)
        if not chunk:
            if carry and not skipping:
                yield [carry]
            return
        pieces = (carry + chunk).split("\n")
        carry = pieces.pop()
        if skipping and pieces:
            pieces[0] = TOO_LONG
            skipping = False
        elif skipping:
            carry = ""
            continue
        if pieces and max(map(len, pieces)) > MAX_LINE:
            pieces = [TOO_LONG if len(piece) > MAX_LINE else piece for piece in pieces]
        if pieces:
            yield pieces
        if len(carry) > MAX_LINE:
            skipping, carry = True, ""


def read_logs(
    paths: Iterable[Path],
    take: Callable[[Record], None],
    progress: Callable[[int], None] | None = None,
    take_columns: Callable[[Columns], None] | None = None,
) -> LogSummary:
    """Every record of every log, given to `take` (or, for a batch of good lines of a format
    with a fast path, to `take_columns` as columns); InputError for a file that cannot be
    read, is empty, or is in no format we know (each located), after reading all the others."""
    summary = LogSummary()
    problems: list[Problem] = []
    done = 0  # raw bytes of the files already read, for progress
    for path in paths:
        name = str(path)
        try:
            raw, text = _open(path)
        except OSError as error:
            problems.append(Problem(name, None, None, None, f"cannot read it: {error.strerror}"))
            continue
        before = summary.records
        try:
            with raw, text:
                batches = _batches(text)
                first = next(batches, [])
                sample = first[:SAMPLE_LINES]
                log_format = detect(sample)
                if log_format is None:
                    found = (
                        "an empty file"
                        if not any(s.strip() for s in sample)
                        else (
                            f"lines such as {one_line(next(s for s in sample if s.strip()))[:80]!r}"
                        )
                    )
                    problems.append(
                        Problem(name, 1, None, None, f"found {found}; allowed: {FORMATS_ALLOWED}")
                    )
                    continue
                summary.files.append((name, log_format.name))
                reader = _Reader(log_format, name, summary, take, take_columns)
                reader.read(itertools.chain([first], batches), _reporter(progress, done, raw))
                done += raw.tell()
                if summary.records == before:
                    found = f"found no request in this {log_format.name}"
                    problems.append(Problem(name, None, None, None, found))
        except (EOFError, zlib.error, gzip.BadGzipFile) as error:
            if summary.records == before:
                problems.append(Problem(name, None, None, None, f"cannot read it: {error}"))
                continue
            # A truncated archive: what came before its end is measured, the end is a bad line.
            summary.bad += 1
            if len(summary.bad_lines) < BAD_LINES_SHOWN:
                summary.bad_lines.append(BadLine(name, 0, f"the file ends early: {error}"))
        except OSError as error:
            detail = error.strerror or str(error)
            problems.append(Problem(name, None, None, None, f"cannot read it: {detail}"))
    if problems:
        raise InputError(problems)
    return summary


def _reporter(
    progress: Callable[[int], None] | None, done: int, raw: IO[bytes]
) -> Callable[[], object]:
    """Reports the bytes read so far, over every file, to `progress`."""
    if progress is None:
        return lambda: None
    return lambda: progress(done + raw.tell())


class _Reader:
    """One file's batches of lines: each batch through the format's fast path when every
    line of it is good, else line by line, so that bad lines are counted and shown."""

    def __init__(
        self,
        log_format: LogFormat,
        name: str,
        summary: LogSummary,
        take: Callable[[Record], None],
        take_columns: Callable[[Columns], None] | None,
    ) -> None:
        self.format = log_format
        self.name = name
        self.summary = summary
        self.take = take
        self.columns = log_format.columns if take_columns is not None else None
        self.take_columns = take_columns

    def read(self, batches: Iterable[list[str]], report: Callable[[], object]) -> None:
        number = 0
        for batch in batches:
            fast = self.columns(batch, EARLIEST, LATEST) if self.columns else None
            if fast is not None and self.take_columns is not None:
                self.summary.lines += fast.lines
                self.summary.records += fast.lines
                self.take_columns(fast)
            else:
                for offset, line in enumerate(batch, start=number + 1):
                    self.line(offset, line)
            number += len(batch)
            report()

    def line(self, number: int, line: str) -> None:
        summary = self.summary
        if not line.strip():
            return
        summary.lines += 1
        parsed = self.format.parser(line)
        if parsed is SKIP:
            return
        if isinstance(parsed, tuple) and not isinstance(parsed, Record):  # several on a line
            for each in parsed:
                if each.time is None or EARLIEST < each.time < LATEST:
                    summary.records += 1
                    self.take(each)
            return
        record = parsed
        if record is not None and record.time is not None and not EARLIEST < record.time < LATEST:
            record = None
        if record is None:
            if self.format.skips_other_lines:
                return
            summary.bad += 1
            if len(summary.bad_lines) < BAD_LINES_SHOWN:
                shown = line[1:] if line is TOO_LONG else one_line(line)[:120]
                summary.bad_lines.append(BadLine(self.name, number, shown))
            return
        summary.records += 1
        self.take(record)
