"""Assess many files on several processes, with the same report as one process gives."""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from serverless_fit.errors import Problem
from serverless_fit.pipeline.assess import (
    FileOutcome,
    Options,
    assess_file,
    resolve_targets,
    stream_report,
)
from serverless_fit.report import ReportStream
from serverless_fit.rules.engine import Rule
from serverless_fit.rules.rulepacks import load_rules

if TYPE_CHECKING:
    from concurrent.futures import Future

# Below this many files a second process costs more than it saves.
PARALLEL_MIN_FILES = 16
# Files per chunk handed to a process: enough to amortise the hand-over, few enough that the
# processes finish together and little waits in memory for its turn to be written.
CHUNK_FILES = (8, 32)
CHUNKS_PER_PROCESS = 8
# Chunks handed to each worker ahead of the one being written: enough that a worker never
# waits for the next, few enough that finished results waiting their turn stay few.
CHUNKS_AHEAD = 3

# Processes beyond this many a CPU only compete for it, each holding its own rules and caches:
# `--jobs` is capped here, and at the number of chunks (a process with no chunk is waste).
MAX_JOBS_PER_CPU = 4

Progress = Callable[[int], None]  # called with the number of files just finished

_worker_rules: tuple[Rule, ...] = ()
_worker_options = Options()
_worker_as_of = dt.date(1970, 1, 1)


def default_jobs() -> int:
    return max(1, os.cpu_count() or 1)


def usable_jobs(requested: int) -> int:
    """`--jobs`, capped at MAX_JOBS_PER_CPU a CPU."""
    return max(1, min(requested, MAX_JOBS_PER_CPU * default_jobs()))


STOP_SIGNALS = ("SIGINT", "SIGTERM")


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM held back (not lost: delivered when the block ends) while workers
    are forked or stopped. A worker forked with the main process's handlers would turn an
    early Ctrl-C into a traceback of its own; a cleanup cut short leaves workers behind."""
    import signal

    held = {getattr(signal, name) for name in STOP_SIGNALS}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _start_worker(packs: tuple[str, ...], options: Options, as_of: dt.date) -> None:
    # Ctrl-C reaches the whole process group: the main process alone decides what to do (it
    # stops the workers); a worker keeps SIGTERM's default, ending at once. The worker was
    # forked with both held back (_signals_held): its own handlers come first, then either
    # can arrive.
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {getattr(signal, name) for name in STOP_SIGNALS})
    # Each worker builds its rules once: compiled conditions are closures and do not pickle.
    global _worker_rules, _worker_options, _worker_as_of
    _worker_rules = load_rules(packs, check_examples=False)  # the parent process checked them
    _worker_options = options
    _worker_as_of = as_of


def _assess_chunk(paths: list[Path]) -> list[FileOutcome]:
    return [assess_file(path, _worker_rules, _worker_options, _worker_as_of) for path in paths]


def assess_batch(
    paths: Sequence[Path],
    packs: Sequence[str],
    options: Options,
    jobs: int,
    progress: Progress | None = None,
    problems: Sequence[Problem] = (),
) -> ReportStream:
    """Assess every file with `jobs` processes; results keep the order of `paths` and are
    produced as the report is read, a chunk of files at a time."""
    as_of = options.as_of or dt.date.today()
    resolve_targets(options.targets)
    rules = load_rules(tuple(packs))
    jobs = usable_jobs(jobs)
    if jobs <= 1 or len(paths) < PARALLEL_MIN_FILES:
        outcomes: Iterator[FileOutcome] = _in_process(paths, rules, options, as_of, progress)
    else:
        outcomes = _in_pool(paths, rules, tuple(packs), options, as_of, jobs, progress)
    return stream_report(outcomes, as_of, rules, problems)


def _in_process(
    paths: Sequence[Path],
    rules: tuple[Rule, ...],
    options: Options,
    as_of: dt.date,
    progress: Progress | None,
) -> Iterator[FileOutcome]:
    for path in paths:
        yield assess_file(path, rules, options, as_of)
        if progress:
            progress(1)


def _in_pool(
    paths: Sequence[Path],
    rules: tuple[Rule, ...],
    packs: tuple[str, ...],
    options: Options,
    as_of: dt.date,
    jobs: int,
    progress: Progress | None,
) -> Iterator[FileOutcome]:
    """`jobs` processes: this one and `jobs - 1` workers, results in the order of `paths`.

    Chunks are handed out in order, at most CHUNKS_AHEAD per worker beyond the one being
    written, so the results waiting for their turn stay few whatever the batch's size. This
    process writes the report and does not sit idle waiting for a worker: while the next
    chunk to write is still being assessed elsewhere, it assesses the next chunk nobody has
    been handed, and keeps those results until their turn.
    """
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor  # a one-file run never needs it
    from concurrent.futures.process import BrokenProcessPool

    low, high = CHUNK_FILES
    size = min(high, max(low, math.ceil(len(paths) / (jobs * CHUNKS_PER_PROCESS))))
    chunks = [list(paths[i : i + size]) for i in range(0, len(paths), size)]
    # A chunk holds at most half of the 16 or more files (8, or an eighth of a process's
    # share): there are two chunks or more, so at least one worker.
    jobs = min(jobs, len(chunks))
    window = CHUNKS_AHEAD * (jobs - 1)
    _ignore_cancelled_future_race()
    pool: ProcessPoolExecutor | None = None
    unassigned = deque(range(len(chunks)))
    futures: dict[int, Future[list[FileOutcome]]] = {}
    done_here: dict[int, list[FileOutcome]] = {}
    broken = False

    def here(index: int) -> list[FileOutcome]:
        return [assess_file(path, rules, options, as_of) for path in chunks[index]]

    try:
        with _signals_held():  # the workers are forked here: see _start_worker
            pool = ProcessPoolExecutor(
                max_workers=jobs - 1, initializer=_start_worker, initargs=(packs, options, as_of)
            )
        for index in range(len(chunks)):
            while not broken and unassigned and len(futures) < window:
                with _signals_held():  # a submission may fork a worker
                    try:
                        future = pool.submit(_assess_chunk, chunks[unassigned[0]])
                    except BrokenProcessPool:
                        broken = True  # a worker died: what is left is assessed here
                        break
                    futures[unassigned.popleft()] = future
            if index in done_here:
                outcomes = done_here.pop(index)
            elif index not in futures:  # never handed out (the pool broke): the next one
                outcomes = here(unassigned.popleft())
            else:
                future = futures.pop(index)  # written once, then let go
                while not broken and not future.done() and unassigned and len(done_here) < window:
                    ahead = unassigned.popleft()
                    done_here[ahead] = here(ahead)
                try:
                    outcomes = [] if broken else _result(pool, future)
                except BrokenProcessPool:
                    broken = True  # a worker died (killed, out of memory): finish here
                if broken:
                    outcomes = here(index)
            yield from outcomes
            if progress:
                progress(len(chunks[index]))
    finally:
        if pool is not None:
            with _signals_held():  # a second Ctrl-C must not cut the cleanup short
                _stop(pool)


def _result(pool: Any, future: Future[list[FileOutcome]]) -> list[FileOutcome]:
    """A chunk's outcomes, or BrokenProcessPool once a worker has died, even if the pool
    never says so: a worker killed while sending a result leaves the pool's manager thread
    waiting for the rest of that message, so the pool never marks itself broken and this
    future never completes (see also `_ignore_cancelled_future_race` and `_stop`)."""
    from concurrent.futures import wait
    from concurrent.futures.process import BrokenProcessPool

    while not wait([future], timeout=0.1).done:
        if getattr(pool, "_broken", False) or _a_worker_ended(pool):
            raise BrokenProcessPool("a worker process ended abruptly")
    return future.result()


def _a_worker_ended(pool: Any) -> bool:
    """Whether a worker process has exited: the pool keeps its workers until it is shut down,
    so one that has ended was killed or crashed. (The pool keeps no public list of them; the
    copy is taken at once, as the pool's manager thread may change it.)"""
    workers = dict(getattr(pool, "_processes", None) or {})
    return any(process.exitcode is not None for process in workers.values())


def _ignore_cancelled_future_race() -> None:
    """Before Python 3.12, when a worker dies the pool's manager thread sets an error on every
    pending future, and one cancelled meanwhile (as the pool is stopped) makes that thread
    end with an InvalidStateError traceback on stderr. Python 3.12 ignores
    that error in the same place (CPython's terminate_broken); this does the same, for that
    thread and that error only: every other uncaught thread error is reported as before."""
    import sys
    import threading

    if sys.version_info >= (3, 12) or getattr(threading.excepthook, "_ignores_race", False):
        return
    from concurrent.futures import InvalidStateError
    from concurrent.futures.process import _ExecutorManagerThread

    report = threading.excepthook

    def excepthook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is InvalidStateError and isinstance(args.thread, _ExecutorManagerThread):
            return
        report(args)

    excepthook._ignores_race = True  # type: ignore[attr-defined]
    threading.excepthook = excepthook


def _stop(pool: Any) -> None:
    """End the pool without waiting on work nobody will read: cancel what has not started and
    stop the workers, so that no process outlives the run (a signal, an abandoned report, a
    dead worker)."""
    # The pool keeps no public list of its processes or its manager thread, and forgets both
    # on shutdown: taken first.
    processes = list(getattr(pool, "_processes", {}).values())
    manager = getattr(pool, "_executor_manager_thread", None)
    results = getattr(pool, "_result_queue", None)
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=5)
        if process.is_alive():
            process.kill()
            process.join(timeout=5)
    # Python waits at exit for the pool's manager thread, and (3.11) can write to its wake-up
    # pipe as it closes (a traceback on stderr): it must end here. A worker stopped while
    # sending a result leaves that thread waiting for the rest of the message forever, since
    # this process holds the pipe's other end too: closing that end gives it the end of file
    # it needs to finish.
    if manager is not None:
        manager.join(timeout=0.5)
        if manager.is_alive() and results is not None:
            results._writer.close()
        manager.join(timeout=5)
