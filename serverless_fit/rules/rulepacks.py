"""Rule packs: the built-in rules shipped as package data, and organisations' own rule files."""

from __future__ import annotations

import difflib
import functools
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from serverless_fit.errors import CatalogError, InputError, Problem
from serverless_fit.format.discover import discover
from serverless_fit.format.loader import read_limited, validation_problems
from serverless_fit.format.yamlsource import Document, SourceError, decode, read_documents
from serverless_fit.rules.engine import Rule, Severity


def parse_rules(text: str, file: str) -> list[Rule]:
    """Every rule in a rule file: one rule per document, or a list of rules."""
    rules: list[Rule] = []
    problems: list[Problem] = []
    try:
        documents = list(read_documents(text, file))
    except SourceError as error:
        raise InputError([error.problem]) from None
    for document in documents:
        problems.extend(document.problems)
        entries = document.data if isinstance(document.data, list) else [document.data]
        for index, entry in enumerate(entries):
            if not isinstance(entry, dict):
                mark = document.locate((index,) if isinstance(document.data, list) else ())
                problems.append(
                    Problem(
                        file, mark.line, mark.column, None, "found no rule mapping; allowed: a rule"
                    )
                )
                continue
            try:
                rules.append(Rule.model_validate(entry))
            except ValidationError as error:
                prefix = (index,) if isinstance(document.data, list) else ()
                problems.extend(validation_problems(document, file, error, Rule, prefix))
    if problems:
        raise InputError(problems)
    return rules


@functools.cache
def claims() -> dict[str, str]:
    """Seed claim id -> the claim in words."""
    text = (
        resources.files("serverless_fit.data").joinpath("claims.yaml").read_text(encoding="utf-8")
    )
    return {str(key): str(value) for key, value in yaml.safe_load(text).items()}


@functools.cache
def builtin_rules() -> tuple[Rule, ...]:
    """The rules shipped with the tool, ordered by id; a broken one is a bug, not a user error."""
    folder = resources.files("serverless_fit.data").joinpath("rules")
    rules: list[Rule] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        try:
            found = parse_rules(entry.read_text(encoding="utf-8"), f"rules/{entry.name}")
        except InputError as error:
            raise CatalogError(str(error)) from error
        for rule in found:
            if entry.name != f"{rule.id}.yaml":
                raise CatalogError(f"rules/{entry.name} holds rule {rule.id}")
        rules.extend(found)
    return tuple(sorted(rules, key=lambda r: r.id))


class Override(BaseModel):
    """A change to a built-in rule: switch it off, or change how much it weighs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: str
    disable: bool = False
    severity: Severity | None = None
    impact: int | None = Field(default=None, ge=0, le=100)
    reason: str | None = None  # why the organisation changed it; shown by `rules explain`


class Pack(BaseModel):
    """A pack file as a mapping: new rules and overrides of built-in ones."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rules: list[dict[str, Any]] = Field(default_factory=list)
    overrides: list[Override] = Field(default_factory=list)


@dataclass(frozen=True)
class PackContents:
    rules: list[tuple[Rule, Problem]]  # each rule with where it is written
    overrides: list[tuple[Override, Problem]]


# Limits that refuse a hostile pack before it costs time: parsing YAML runs at about 1 MiB a
# second, so a run's packs stay under a few seconds.
MAX_PACK_BYTES = 1024 * 1024  # one pack file
MAX_PACKS_BYTES = 2 * 1024 * 1024  # all the packs of a run together
MAX_RULES = 500  # in a run, built-in rules included: each costs about 0.8 ms a run (examples run)


def _read(path: Path) -> str:
    raw = read_limited(path, MAX_PACK_BYTES)
    try:
        return decode(raw, str(path))
    except SourceError as error:
        raise InputError([error.problem]) from None


def parse_pack(text: str, file: str) -> PackContents:
    """A pack file: rules (one per document, or a list) and `overrides` of built-in rules."""
    contents = PackContents([], [])
    problems: list[Problem] = []
    try:
        documents = list(read_documents(text, file))
    except SourceError as error:
        raise InputError([error.problem]) from None
    for document in documents:
        problems.extend(document.problems)
        data = document.data
        if isinstance(data, dict) and "id" not in data and ({"rules", "overrides"} & set(data)):
            try:
                pack = Pack.model_validate(data)
            except ValidationError as error:
                problems.extend(validation_problems(document, file, error, Pack))
                continue
            for index, override in enumerate(pack.overrides):
                contents.overrides.append((override, _where(document, file, ("overrides", index))))
            entries: list[Any] = pack.rules
            prefix: tuple[str, ...] | None = ("rules",)
        elif isinstance(data, list):
            entries, prefix = data, ()
        else:
            entries, prefix = [data], None  # a single rule: the document itself
        for index, entry in enumerate(entries):
            path: tuple[str | int, ...] = () if prefix is None else (*prefix, index)
            if not isinstance(entry, dict):
                mark = document.locate(path)
                message = "found no rule mapping; allowed: a rule, a list of rules, or a pack"
                problems.append(Problem(file, mark.line, mark.column, None, message))
                continue
            try:
                rule = Rule.model_validate(entry)
            except ValidationError as error:
                problems.extend(validation_problems(document, file, error, Rule, path))
                continue
            contents.rules.append((rule, _where(document, file, path)))
    if problems:
        raise InputError(problems)
    return contents


def _where(document: Document, file: str, path: tuple[str | int, ...]) -> Problem:
    """A located placeholder; its message is filled when something there is wrong."""
    mark = document.locate(path)
    return Problem(file, mark.line, mark.column, None, "")


def pack_files(source: str) -> list[Path]:
    """A pack file, or a pack folder's YAML files searched as workload folders are (hidden
    files skipped, symbolic links not followed)."""
    path = Path(source)
    if path.is_dir():
        files, _ = discover([source])
        return files
    return [path]


def _located(where: Problem, field: str, message: str) -> Problem:
    return Problem(where.file, where.line, where.column, field, message)


@dataclass(frozen=True)
class RuleSet:
    """The rules of a run, and what the organisation's packs changed."""

    rules: tuple[Rule, ...]
    changes: dict[str, str]  # rule id -> what an override did, and where
    disabled: frozenset[str]
    origins: dict[str, str]  # pack rule id -> file:line


def apply_packs(builtin: tuple[Rule, ...], packs: list[PackContents]) -> RuleSet:
    """The run's rules: built-in ones with overrides applied, then the packs' own rules.

    A pack rule may not reuse an id (change a built-in rule with an override instead), and
    an override must name a rule that exists.
    """
    problems: list[Problem] = []
    by_id: dict[str, Rule] = {rule.id: rule for rule in builtin}
    origin: dict[str, Problem] = {}
    added: list[Rule] = []
    for pack in packs:
        for rule, where in pack.rules:
            if rule.id in by_id:
                first = origin.get(rule.id)
                place = f"{first.file}:{first.line}" if first else "the built-in rules"
                message = (
                    f"found {rule.id!r}, already a rule in {place}; allowed: a new id "
                    "(change a built-in rule with `overrides`)"
                )
                problems.append(_located(where, "id", message))
                continue
            by_id[rule.id] = rule
            origin[rule.id] = where
            added.append(rule)
    disabled: list[str] = []
    changes_made: dict[str, str] = {}
    for pack in packs:
        for override, where in pack.overrides:
            target = by_id.get(override.rule)
            if target is None:
                message = f"found unknown rule {override.rule!r}; allowed: a rule id"
                close = difflib.get_close_matches(override.rule, list(by_id), n=1)
                message += f"; did you mean {close[0]!r}?" if close else ""
                problems.append(_located(where, "rule", message))
                continue
            place = f"{where.file}:{where.line}"
            because = f" ({override.reason})" if override.reason else ""
            if override.disable:
                disabled.append(target.id)
                changes_made[target.id] = f"disabled by {place}{because}"
                continue
            changes: dict[str, Any] = {}
            if override.severity is not None:
                changes["severity"] = override.severity
            if override.impact is not None:
                changes["impact"] = override.impact
            if changes:
                by_id[target.id] = target.with_changes(**changes)
                what = ", ".join(f"{key} {value}" for key, value in changes.items())
                changes_made[target.id] = f"{what} set by {place}{because}"
    if problems:
        raise InputError(problems)
    if len(by_id) > MAX_RULES:
        message = f"{len(by_id)} rules in the run; allowed: at most {MAX_RULES}"
        raise InputError([Problem("--rules", None, None, None, message)])
    rules = [by_id[r.id] for r in builtin] + [by_id[r.id] for r in added]
    kept = tuple(rule for rule in rules if rule.id not in disabled)
    origins = {rule_id: f"{where.file}:{where.line}" for rule_id, where in origin.items()}
    return RuleSet(kept, changes_made, frozenset(disabled), origins)


def load_rules(packs: tuple[str, ...] = (), *, check_examples: bool = True) -> tuple[Rule, ...]:
    """The rules a run uses: the built-in ones, changed and extended by the given packs
    (files holding rules, or folders of such files)."""
    return load_rule_set(packs, check_examples=check_examples).rules


def read_packs(packs: tuple[str, ...]) -> list[PackContents]:
    """Each pack parsed, its rules compiled; all packs together bounded before parsing."""
    files = [path for source in packs for path in pack_files(source)]
    total = sum(path.stat().st_size for path in files if path.is_file())
    if total > MAX_PACKS_BYTES:
        message = f"rule packs hold {total} bytes; allowed: at most {MAX_PACKS_BYTES} in one run"
        raise InputError([Problem(", ".join(packs), None, None, "--rules", message)])
    contents: list[PackContents] = []
    problems: list[Problem] = []
    for path in files:
        try:
            contents.append(parse_pack(_read(path), str(path)))
        except InputError as error:
            problems.extend(error.problems)
    if problems:
        raise InputError(problems)
    return contents


@functools.cache
def load_rule_set(packs: tuple[str, ...] = (), *, check_examples: bool = True) -> RuleSet:
    """The rules and what the packs changed; see load_rules. A pack rule whose own examples
    do not come out as written is refused (`rules test` reports them instead)."""
    if not packs:
        return RuleSet(builtin_rules(), {}, frozenset(), {})
    contents = read_packs(packs)
    rule_set = apply_packs(builtin_rules(), contents)
    if check_examples:
        failed = pack_example_problems(contents)
        if failed:
            raise InputError(failed)
    return rule_set


def pack_example_problems(contents: list[PackContents]) -> list[Problem]:
    """Every pack rule's examples run; the problems of those that do not come out as written."""
    from serverless_fit.rules.examples import example_problems

    return [
        problem
        for pack in contents
        for rule, where in pack.rules
        for problem in example_problems(rule, where)
    ]
