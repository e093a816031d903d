"""Rule packs: the built-in rules shipped as package data, and organisations' own rule files."""

from __future__ import annotations

import functools
from importlib import resources

from pydantic import ValidationError

from serverless_fit.engine import Rule
from serverless_fit.errors import CatalogError, InputError, Problem
from serverless_fit.loader import validation_problems
from serverless_fit.yamlsource import SourceError, read_documents


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
def builtin_rules() -> tuple[Rule, ...]:
    """The rules shipped with the tool, ordered by id; a broken one is a bug, not a user error."""
    folder = resources.files("serverless_fit").joinpath("rules")
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


def load_rules(packs: tuple[str, ...] = ()) -> tuple[Rule, ...]:
    """The rules a run uses: the built-in ones, and the organisation's packs (issue 5)."""
    if packs:
        raise InputError(
            [Problem(pack, None, None, None, "rule packs are not supported yet") for pack in packs]
        )
    return builtin_rules()
