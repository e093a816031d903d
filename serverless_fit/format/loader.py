"""Workload files to validated `Workload` values, with every problem located by line and column."""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
import stat
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path as FsPath
from typing import Any

from pydantic import BaseModel, ValidationError

from serverless_fit.errors import InputError, Problem
from serverless_fit.format.limits import DEFAULT_LIMITS, InputLimits
from serverless_fit.format.workload import Workload, check_consistency, describe_value
from serverless_fit.format.yamlsource import (
    Document,
    Path,
    SourceError,
    decode,
    dotted,
    read_documents,
)


@dataclass(frozen=True)
class LoadedWorkload:
    """A valid workload, the file it came from, and the line of each field in it."""

    workload: Workload
    file: str
    lines: dict[str, int]


def read_limited(path: str | FsPath, limit: int) -> bytes:
    """A regular file's bytes, at most `limit` of them; raises InputError otherwise.

    Reads `limit + 1` bytes at most, so that a device, a pipe or a file that grows while it
    is read can never cost more than the limit.
    """
    file = str(path)

    def refuse(message: str) -> InputError:
        return InputError([Problem(file, None, None, None, message)])

    try:
        # Opened without blocking, then judged by what was opened: a path checked first and
        # opened after could be swapped for a pipe in between, and opening one waits for a
        # writer. Regular files ignore O_NONBLOCK.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(descriptor, "rb") as handle:
            status = os.fstat(handle.fileno())
            if stat.S_ISDIR(status.st_mode):
                raise refuse("is a directory, not a file")
            if not stat.S_ISREG(status.st_mode):
                raise refuse("is not a regular file (a device, pipe or socket); allowed: a file")
            # Ask for the size the file has: a read of `limit` bytes would allocate them all.
            raw = handle.read(min(status.st_size, limit) + 1)
            if len(raw) > status.st_size:  # it grew since, or reports no size (/proc)
                raw += handle.read(limit + 1 - len(raw))
    except OSError as error:
        reason = error.strerror or str(error)
        raise refuse(f"cannot read: {reason}") from None
    if len(raw) > limit:
        raise refuse(f"file is over {limit} bytes; allowed: at most {limit} (--max-file-size)")
    return raw


def load_file(
    path: str | FsPath, known_rules: Collection[str] = (), limits: InputLimits = DEFAULT_LIMITS
) -> list[LoadedWorkload]:
    """Every workload in one file; raises InputError listing all its problems."""
    raw = read_limited(path, limits.file_size)
    return load_bytes(raw, str(path), known_rules, limits)


def load_bytes(
    raw: bytes, file: str, known_rules: Collection[str] = (), limits: InputLimits = DEFAULT_LIMITS
) -> list[LoadedWorkload]:
    try:
        text = decode(raw, file)
    except SourceError as error:
        raise InputError([error.problem]) from None
    return load_text(text, file, known_rules, limits)


def load_text(
    text: str, file: str, known_rules: Collection[str] = (), limits: InputLimits = DEFAULT_LIMITS
) -> list[LoadedWorkload]:
    """Validate every document of `text`; all problems of all documents are collected."""
    loaded: list[LoadedWorkload] = []
    problems: list[Problem] = []
    documents: list[Document] = []
    try:
        documents.extend(read_documents(text, file, limits))
    except SourceError as error:
        problems.append(error.problem)
    if not documents and not problems:
        problems.append(
            Problem(file, 1, 1, None, "file is empty; allowed: a workload mapping with a name")
        )
    for document in documents:
        workload, found = _validate(document, file, known_rules)
        problems.extend(document.problems)
        problems.extend(found)
        if workload is not None and not document.problems:
            lines = {
                name: mark.line
                for path, mark in document.value_marks.items()
                if (name := dotted(path)) is not None
            }
            loaded.append(LoadedWorkload(workload, file, lines))
    if problems:
        raise InputError(sorted(set(problems), key=_problem_order))
    return loaded


def _problem_order(problem: Problem) -> tuple[int, int, str]:
    return (problem.line or 0, problem.column or 0, problem.message)


def _validate(
    document: Document, file: str, known_rules: Collection[str]
) -> tuple[Workload | None, list[Problem]]:
    data = document.data
    if not isinstance(data, dict):
        found = "an empty document" if data is None else describe_value(data)
        if isinstance(data, str):
            found = "text"  # the whole file as one line of prose, not worth quoting back
        elif isinstance(data, dt.date):
            found = f"the date {data}"
        message = f"found {found} at the top level; allowed: a workload mapping with a name"
        start = document.start
        return None, [Problem(file, start.line, start.column, None, message)]
    try:
        workload = Workload.model_validate(data)
    except ValidationError as error:
        return None, validation_problems(document, file, error, Workload)
    problems = []
    for path, message in check_consistency(workload):
        problems.append(_at(document, file, tuple(path.split(".")), message))
    for index, waiver in enumerate(workload.waivers):
        if known_rules and waiver.rule not in known_rules:
            message = f"found unknown rule {waiver.rule!r}; allowed: a rule id such as LAT001"
            # Rule ids are upper case: `lat001` means LAT001, not the nearest spelling.
            wanted = waiver.rule.upper()
            suggestion = wanted if wanted in known_rules else _closest(wanted, known_rules)
            if suggestion:
                message += f"; did you mean {suggestion!r}?"
            problems.append(_at(document, file, ("waivers", index, "rule"), message))
    return (None if problems else workload), problems


def _at(document: Document, file: str, path: Path, message: str, *, key: bool = False) -> Problem:
    mark = document.locate(path, key=key)
    return Problem(file, mark.line, mark.column, dotted(path), message)


def _closest(word: str, choices: Iterable[str]) -> str | None:
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return matches[0] if matches else None


_TYPE_WORDS = {
    "string_type": "text",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "float_type": "a number",
    "float_parsing": "a number",
    "int_type": "a whole number",
    "list_type": "a list",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "dict_type": "a mapping",
    "date_type": "a date such as 2027-06-30",
    "date_from_datetime_parsing": "a date such as 2027-06-30",
    "date_parsing": "a date such as 2027-06-30",
}


def _model_at(root: type[BaseModel], path: Path) -> type[BaseModel] | None:
    """The model class that a mapping at `path` validates against."""
    model: type[BaseModel] = root
    for part in path:
        if isinstance(part, int):
            continue
        info = model.model_fields.get(part)
        if info is None:
            return None
        inner = _model_class(info.annotation)
        if inner is None:
            return None
        model = inner
    return model


def _model_class(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_class(arg)
        if found is not None:
            return found
    return None


def validation_problems(
    document: Document,
    file: str,
    error: ValidationError,
    root: type[BaseModel],
    prefix: Path = (),
) -> list[Problem]:
    """Pydantic's errors as located problems, in words a YAML author understands.

    `prefix` is where the validated mapping stands in the document (a rule inside a list).
    """
    problems = []
    for item in _one_branch(error.errors()):
        problem = _problem(document, file, item, root, prefix)
        problems.append(problem)
    return problems


# A dependency is a name or a mapping: pydantic reports a failed entry once per branch of the
# union, under a tag in its location. Keep the branch the input was meant for, untagged.
_UNION_TAGS = {"str": "text", "Dependency": "mapping"}


def _one_branch(errors: list[Any]) -> list[Any]:
    kept = []
    for item in errors:
        loc = tuple(item["loc"])
        tags = [i for i, part in enumerate(loc) if part in _UNION_TAGS and i > 0]
        if not tags or not isinstance(loc[tags[0] - 1], int):
            kept.append(item)
            continue
        at = tags[0]
        branch = _UNION_TAGS[str(loc[at])]
        value = item.get("input")
        mapping_error = branch == "mapping" and not (
            at + 1 == len(loc) and item["type"] == "model_type"
        )
        if branch == "text" and isinstance(value, dict):
            continue  # a mapping was meant: its own errors follow
        if branch == "mapping" and not mapping_error:
            continue  # neither text nor a mapping: the text branch says so
        item = {**item, "loc": (*loc[:at], *loc[at + 1 :])}
        if branch == "text":
            item = {**item, "type": "name_or_mapping"}
        kept.append(item)
    return kept


def _problem(
    document: Document, file: str, error: Any, root: type[BaseModel], prefix: Path
) -> Problem:
    loc: Path = tuple(error["loc"])
    path: Path = (*prefix, *loc)
    kind = error["type"]
    value = error.get("input")
    cause = error.get("ctx", {}).get("error")
    located = getattr(cause, "path", None)
    if kind == "value_error" and located is not None:
        return _at(document, file, (*path, *located), str(cause))
    if kind == "extra_forbidden":
        key = str(path[-1])
        model = _model_at(root, loc[:-1])
        allowed = [info.alias or name for name, info in model.model_fields.items()] if model else []
        message = f"found unknown key {key!r}"
        suggestion = _closest(key, allowed)
        if suggestion:
            message += f"; did you mean {suggestion!r}?"
        if allowed:
            message += f" allowed: {', '.join(allowed)}"
        return _at(document, file, path, message, key=True)
    if kind == "missing":
        return _at(document, file, path[:-1], f"required key {path[-1]!r} is missing")
    if kind == "literal_error":
        expected = re.findall(r"'([^']*)'|(\d+)", error["ctx"]["expected"])
        options = [text or number for text, number in expected]
        message = f"found {describe_value(value)}; allowed: {', '.join(options)}"
        if isinstance(value, str):
            suggestion = _closest(value, options)
            if suggestion:
                message += f"; did you mean {suggestion!r}?"
        return _at(document, file, path, message)
    if kind in _TYPE_WORDS:
        return _at(
            document, file, path, f"found {describe_value(value)}; allowed: {_TYPE_WORDS[kind]}"
        )
    if kind in {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}:
        bound = next(iter(error["ctx"].values()))
        words = {
            "greater_than": "above",
            "greater_than_equal": "at least",
            "less_than": "below",
            "less_than_equal": "at most",
        }
        message = f"found {describe_value(value)}; allowed: a number {words[kind]} {bound}"
        return _at(document, file, path, message)
    if kind == "string_pattern_mismatch":
        message = f"found {describe_value(value)}; allowed: letters, digits, '-', '_' and '.'"
        return _at(document, file, path, message)
    if kind in {"string_too_short", "string_too_long"}:
        message = f"found {describe_value(value)}; allowed: {error['msg'].lower()}"
        return _at(document, file, path, message)
    if kind == "name_or_mapping":
        message = f"found {describe_value(value)}; allowed: a name, or a mapping with `name`"
        return _at(document, file, path, message)
    if kind in {"bare_number", "unit_syntax", "unit_type", "count_or_peak"}:
        return _at(document, file, path, error["msg"])
    if kind == "value_error":
        return _at(document, file, path, str(cause) if cause else error["msg"])
    return _at(document, file, path, f"found {describe_value(value)}; {error['msg']}")
