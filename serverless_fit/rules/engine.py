"""Rules as data: the rule model, the closed condition language, templates, and evaluation."""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from serverless_fit.format.units import PARSERS, Money, UnitError
from serverless_fit.format.vocabulary import Archetype
from serverless_fit.model.facts import FACT_KINDS, Facts, FactValue, fact_kind, format_fact

Dimension = Literal[
    "latency", "duration", "cost", "portability", "testability", "resources", "state", "operations"
]
Severity = Literal["blocker", "risk", "info", "benefit"]
MAX_CONDITION_DEPTH = 16
MAX_CONDITION_NODES = 256  # comparisons in one rule
GROUPS = ("all", "any", "not")

ORDERED_KINDS = {"duration", "size", "rate", "number", "share", "ratio", "money"}
OPERATORS_BY_KIND = {
    **dict.fromkeys(ORDERED_KINDS, ("lt", "le", "gt", "ge", "eq", "ne")),
    "string": ("eq", "ne", "in", "not_in"),
    "bool": ("eq", "ne"),
    "list": ("contains",),
}
ALL_OPERATORS = ("lt", "le", "gt", "ge", "eq", "ne", "in", "not_in", "contains", "exists")
_TEMPLATE_FIELD = re.compile(r"\{([^{}]*)\}")


class ConditionError(ValueError):
    """A condition or template outside the language; `path` locates it inside the rule."""

    def __init__(self, path: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.path = path


# Three-valued logic: True, False, or None when a fact the condition needs is not known.
Tri = bool | None


@dataclass(frozen=True)
class Outcome:
    state: Tri
    missing: tuple[str, ...]  # workload fields that would let an unknown condition be decided


Condition = Callable[[Facts], Outcome]

_KNOWN_TRUE = Outcome(True, ())
_KNOWN_FALSE = Outcome(False, ())


def _merge_missing(outcomes: list[Outcome]) -> tuple[str, ...]:
    fields: list[str] = []
    for outcome in outcomes:
        fields.extend(f for f in outcome.missing if f not in fields)
    return tuple(fields)


def _all(children: list[Condition]) -> Condition:
    def evaluate(facts: Facts) -> Outcome:
        unknown: list[Outcome] = []
        for child in children:
            outcome = child(facts)
            if outcome.state is False:
                return _KNOWN_FALSE
            if outcome.state is None:
                unknown.append(outcome)
        return Outcome(None, _merge_missing(unknown)) if unknown else _KNOWN_TRUE

    return evaluate


def _any(children: list[Condition]) -> Condition:
    def evaluate(facts: Facts) -> Outcome:
        unknown: list[Outcome] = []
        for child in children:
            outcome = child(facts)
            if outcome.state is True:
                return _KNOWN_TRUE
            if outcome.state is None:
                unknown.append(outcome)
        return Outcome(None, _merge_missing(unknown)) if unknown else _KNOWN_FALSE

    return evaluate


def _not(child: Condition) -> Condition:
    def evaluate(facts: Facts) -> Outcome:
        outcome = child(facts)
        return outcome if outcome.state is None else Outcome(not outcome.state, ())

    return evaluate


def _kind(fact: str) -> str:
    kind = fact_kind(fact)
    assert kind is not None, fact  # names are checked when a rule compiles
    return kind


def _contains(left: Any, right: Any) -> bool:
    return isinstance(left, tuple) and right in left


def _inside(left: Any, right: Any) -> bool:
    return isinstance(right, tuple) and left in right


def _outside(left: Any, right: Any) -> bool:
    return not _inside(left, right)


def _tag_matches(value: Any, tag: Any) -> bool:
    """A tag matches itself in any case, and the family it names: `pci` matches `PCI-DSS`."""
    if not isinstance(value, str) or not isinstance(tag, str):
        return False
    folded, wanted = value.casefold(), tag.casefold()
    return folded == wanted or folded.startswith(wanted + "-")


# Compliance tags and labels are written by people, in any case: their comparisons match tags.
_TAG_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "contains": lambda left, right: (
        isinstance(left, tuple) and any(_tag_matches(item, right) for item in left)
    ),
    "in": lambda left, right: (
        isinstance(right, tuple) and any(_tag_matches(left, item) for item in right)
    ),
    "not_in": lambda left, right: (
        not (isinstance(right, tuple) and any(_tag_matches(left, item) for item in right))
    ),
    "eq": lambda left, right: _tag_matches(left, right),
    "ne": lambda left, right: not _tag_matches(left, right),
}


def is_tag_fact(fact: str) -> bool:
    return fact == "constraints.compliance" or fact.startswith("labels.")


# Each operator as a function of (left, right), chosen once when a rule is compiled.
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "contains": _contains,
    "in": _inside,
    "not_in": _outside,
    "eq": operator.eq,
    "ne": operator.ne,
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
}


def _lookup(facts: Facts, fact: str) -> FactValue | tuple[str, ...]:
    """The fact's value, or, when unknown, the tuple of fields it needs wrapped as a marker."""
    if fact in facts.values:
        return facts.values[fact]
    return _Missing(facts.missing.get(fact, (fact,)))


class _Missing(tuple[str, ...]):
    pass


def _comparison(
    fact: str, op: str, operand: FactValue | None, operand_fact: str | None
) -> Condition:
    if op == "exists":
        wanted = bool(operand)

        def exists(facts: Facts) -> Outcome:
            return Outcome((fact in facts.values) == wanted, ())

        return exists

    compare = _TAG_COMPARE[op] if is_tag_fact(fact) and op in _TAG_COMPARE else _COMPARE[op]

    def evaluate(facts: Facts) -> Outcome:
        values = facts.values
        # The common case first: every value known, no markers to build.
        if fact in values and (operand_fact is None or operand_fact in values):
            right = values[operand_fact] if operand_fact else operand
            return _KNOWN_TRUE if compare(values[fact], right) else _KNOWN_FALSE
        left = _lookup(facts, fact)
        other = _lookup(facts, operand_fact) if operand_fact else operand
        missing = [v for v in (left, other) if isinstance(v, _Missing)]
        return Outcome(None, _merge_missing([Outcome(None, tuple(m)) for m in missing]))

    return evaluate


def _literal(kind: str, op: str, raw: Any, path: tuple[str | int, ...]) -> FactValue:
    if op in ("in", "not_in"):
        if not isinstance(raw, list) or not all(isinstance(i, str) for i in raw):
            raise ConditionError(path, f"'{op}' takes a list of text values; found {raw!r}")
        return tuple(raw)
    if kind in ("duration", "size", "rate"):
        if not isinstance(raw, str):
            raise ConditionError(path, f"a {kind} needs a unit, such as 50ms; found {raw!r}")
        try:
            return PARSERS[kind](raw)
        except UnitError as error:
            raise ConditionError(path, f"found {raw!r}; allowed: {error.allowed}") from None
    if kind in ("number", "share", "ratio", "money"):
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise ConditionError(path, f"a {kind} literal is a number; found {raw!r}")
        return Money.usd(float(raw)) if kind == "money" else float(raw)
    if kind == "bool":
        if not isinstance(raw, bool):
            raise ConditionError(
                path, f"a true/false fact compares with true or false; found {raw!r}"
            )
        return raw
    if not isinstance(raw, str):
        raise ConditionError(path, f"a text fact compares with text; found {raw!r}")
    return raw


def _fact_name(raw: Any, path: tuple[str | int, ...]) -> str:
    if not isinstance(raw, str) or fact_kind(raw) is None:
        import difflib

        close = difflib.get_close_matches(str(raw), list(FACT_KINDS), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ConditionError(path, f"unknown fact {raw!r}{hint}")
    return raw


class _Compiler:
    def __init__(self) -> None:
        self.nodes = 0
        self.facts: list[str] = []

    def compile(self, raw: Any, path: tuple[str | int, ...], depth: int) -> Condition:
        if depth > MAX_CONDITION_DEPTH:
            raise ConditionError(path, f"conditions nest deeper than {MAX_CONDITION_DEPTH} levels")
        grouping = isinstance(raw, dict) and len(raw) == 1 and next(iter(raw)) in GROUPS
        if not grouping:  # the limit counts comparisons, as documented, not all/any/not
            self.nodes += 1
        if self.nodes > MAX_CONDITION_NODES:
            message = f"more than {MAX_CONDITION_NODES} comparisons in one rule"
            raise ConditionError(path, message)
        if not isinstance(raw, dict):
            raise ConditionError(path, f"a condition is a mapping; found {type(raw).__name__}")
        if len(raw) == 1 and next(iter(raw)) in ("all", "any"):
            word = next(iter(raw))
            items = raw[word]
            if not isinstance(items, list) or not items:
                raise ConditionError((*path, word), f"'{word}' takes a non-empty list")
            children = [self.compile(c, (*path, word, i), depth + 1) for i, c in enumerate(items)]
            return _all(children) if word == "all" else _any(children)
        if len(raw) == 1 and "not" in raw:
            return _not(self.compile(raw["not"], (*path, "not"), depth + 1))
        return self.comparison(raw, path)

    def comparison(self, raw: dict[str, Any], path: tuple[str | int, ...]) -> Condition:
        operators = [key for key in raw if key != "fact"]
        if "fact" not in raw or len(operators) != 1 or operators[0] not in ALL_OPERATORS:
            raise ConditionError(
                path,
                f"a comparison is 'fact' and one operator of {', '.join(ALL_OPERATORS)}, "
                "or one of all, any, not; found keys " + ", ".join(repr(k) for k in raw),
            )
        fact = _fact_name(raw["fact"], (*path, "fact"))
        op = operators[0]
        self.facts.append(fact)
        kind = _kind(fact)
        value = raw[op]
        if op == "exists":
            if not isinstance(value, bool):
                raise ConditionError((*path, op), "'exists' takes true or false")
            return _comparison(fact, op, value, None)
        if op not in OPERATORS_BY_KIND[kind]:
            allowed = ", ".join((*OPERATORS_BY_KIND[kind], "exists"))
            raise ConditionError(
                (*path, op), f"'{op}' does not apply to {fact} ({kind}); allowed: {allowed}"
            )
        if isinstance(value, dict):
            if set(value) != {"fact"}:
                raise ConditionError((*path, op), "an operand is a literal or {fact: NAME}")
            other = _fact_name(value["fact"], (*path, op, "fact"))
            other_kind = _kind(other)
            compatible = other_kind == kind or (op in ("in", "not_in") and other_kind == "list")
            if kind in ORDERED_KINDS and other_kind in ORDERED_KINDS:
                compatible = compatible or {kind, other_kind} <= {"number", "share", "ratio"}
            if not compatible:
                raise ConditionError(
                    (*path, op), f"cannot compare {fact} ({kind}) with {other} ({other_kind})"
                )
            self.facts.append(other)
            return _comparison(fact, op, None, other)
        element_kind = "string" if kind == "list" else kind
        return _comparison(fact, op, _literal(element_kind, op, value, (*path, op)), None)


def check_template(text: str, path: tuple[str | int, ...]) -> list[str]:
    """The facts a message template reads; anything but a known fact name is refused."""
    names = []
    for match in _TEMPLATE_FIELD.finditer(text):
        name = match.group(1)
        if fact_kind(name) is None:
            raise ConditionError(
                path,
                f"template field {{{name}}} is not a fact; "
                "allowed: fact names such as {latency.p99}",
            )
        names.append(name)
    stray = _TEMPLATE_FIELD.sub("", text)
    if "{" in stray or "}" in stray:
        raise ConditionError(path, "unbalanced '{' or '}' in template")
    return names


@functools.lru_cache(maxsize=4096)
def _template_parts(text: str) -> tuple[tuple[str, str | None], ...]:
    """A checked template as (text before, fact name or None) pairs, split once per run."""
    parts: list[tuple[str, str | None]] = []
    start = 0
    for match in _TEMPLATE_FIELD.finditer(text):
        parts.append((text[start : match.start()], match.group(1)))
        start = match.end()
    parts.append((text[start:], None))
    return tuple(parts)


def render_template(text: str, facts: Facts) -> str:
    values = facts.values
    pieces: list[str] = []
    for before, name in _template_parts(text):
        pieces.append(before)
        if name is None:
            continue
        value = values.get(name)
        if value is None:
            pieces.append("an unknown amount" if _kind(name) == "money" else "not given")
        else:
            pieces.append(format_fact(value, _kind(name)))
    return "".join(pieces)


class RuleDocs(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    what: str = Field(min_length=1)
    why: str = Field(min_length=1)


class RuleExamples(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    fail: dict[str, Any]
    pass_: Annotated[dict[str, Any], Field(alias="pass")]
    target: str = "aws-lambda"  # the platform the examples are assessed on


class Rule(BaseModel):
    """One rule: what it checks, why, its condition, its message, and its own examples."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[A-Z][A-Z0-9]{1,9}\d{3}$")
    name: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    title: str = Field(min_length=1)
    dimension: Dimension
    severity: Severity
    impact: int = Field(ge=0, le=100)
    claims: list[
        Literal["B1", "B2", "B3", "B4", "B5", "U1", "U2", "U3", "U4", "L1", "L2", "L3", "L4", "A1"]
    ] = Field(default_factory=list)
    references: list[Annotated[str, Field(pattern=r"^https?://\S+$")]] = Field(default_factory=list)
    targets: list[str] | None = None
    # Which workloads the rule is about: only these archetypes, or every one but these (a
    # static website runs no function, so the function's limits are not its concern).
    archetypes: list[Archetype] | None = Field(
        default=None, description="The rule is about workloads of these archetypes only."
    )
    except_archetypes: list[Archetype] | None = Field(
        default=None,
        description="The rule is about every archetype but these (a static website runs no "
        "function: the function's limits are not its concern).",
    )
    when: dict[str, Any]
    message: str = Field(min_length=1)
    mitigation: str | None = None
    docs: RuleDocs
    examples: RuleExamples

    _condition: Condition = PrivateAttr()
    _facts: tuple[str, ...] = PrivateAttr()

    @model_validator(mode="after")
    def _compile(self) -> Rule:
        if not self.claims and not self.references:
            raise ValueError("a rule needs at least one seed claim or one reference")
        from serverless_fit.data import catalog

        known = catalog.platforms()
        unknown = [t for t in self.targets or () if t not in known]
        if unknown:
            raise RuleConditionError(
                ("targets",), f"found {unknown[0]!r}; allowed: {', '.join(known)}"
            )
        if self.archetypes is not None and self.except_archetypes is not None:
            raise RuleConditionError(
                ("except_archetypes",),
                "found both archetypes and except_archetypes; allowed: one of them",
            )
        compiler = _Compiler()
        try:
            self._condition = compiler.compile(self.when, ("when",), 0)
            check_template(self.message, ("message",))
            if self.mitigation:
                check_template(self.mitigation, ("mitigation",))
        except ConditionError as error:
            raise RuleConditionError(error.path, str(error)) from None
        self._facts = tuple(dict.fromkeys(compiler.facts))
        return self

    @property
    def facts(self) -> tuple[str, ...]:
        """Facts the condition reads, in order of first use."""
        facts: tuple[str, ...] = self._compiled("_facts")
        return facts

    def _compiled(self, name: str) -> Any:
        # The private attribute read directly: pydantic's attribute hook is slow on hot paths.
        return self.__pydantic_private__[name]  # type: ignore[index]

    def with_changes(self, **changes: Any) -> Rule:
        """A copy with some fields changed (an organisation's override), still compiled."""
        changed = self.model_copy(update=changes)
        changed._condition = self._condition
        changed._facts = self._facts
        return changed

    def applies_to(self, target: str) -> bool:
        return self.targets is None or target in self.targets

    def concerns(self, archetype: str) -> bool:
        """Whether the rule is about workloads of this archetype."""
        if self.archetypes is not None:
            return archetype in self.archetypes
        return self.except_archetypes is None or archetype not in self.except_archetypes

    def scope(self) -> str:
        """Where the rule applies, in words ("" when everywhere)."""
        parts = []
        if self.targets:
            parts.append(f"only on {', '.join(self.targets)}")
        if self.archetypes:
            parts.append(f"only for {', '.join(self.archetypes)}")
        if self.except_archetypes:
            parts.append(f"not for {', '.join(self.except_archetypes)}")
        return ", ".join(parts)

    def evaluate(self, facts: Facts) -> Outcome:
        condition: Condition = self._compiled("_condition")
        return condition(facts)


_SYMBOLS = {
    "lt": "<",
    "le": "<=",
    "gt": ">",
    "ge": ">=",
    "eq": "=",
    "ne": "!=",
    "in": "in",
    "not_in": "not in",
    "contains": "contains",
}


def _shown(facts: Facts, name: str) -> str:
    if name in facts.values:
        return f"{name} ({format_fact(facts.values[name], _kind(name))})"
    return f"{name} (unknown)"


def _operand_text(kind: str, value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if kind == "share" and isinstance(value, int | float):
        # as the fact beside it is shown: `0.222% > 50%`, not `0.222% > 0.5`
        return format_fact(float(value), "share")
    return str(value)


def explain(rule: Rule, facts: Facts) -> tuple[Tri, str]:
    """Why the rule's condition came out as it did, in words: the condition that decided it.

    It walks the same validated condition the compiled rule evaluates, with the same
    comparisons, so the state it returns is the rule's outcome (a test holds them equal).
    """
    return _explain(rule.when, facts)


def _explain(node: dict[str, Any], facts: Facts) -> tuple[Tri, str]:
    if "all" in node or "any" in node:
        word = "all" if "all" in node else "any"
        results = [_explain(child, facts) for child in node[word]]
        decisive = word == "any"  # one false child decides `all`, one true child `any`
        for state, reason in results:
            if state is decisive:
                return state, reason
        unknown = [reason for state, reason in results if state is None]
        if unknown:
            return None, "; ".join(unknown)
        return (word == "all"), "; ".join(reason for _, reason in results)
    if "not" in node:
        state, reason = _explain(node["not"], facts)
        return (None if state is None else not state), f"not ({reason})"
    fact = node["fact"]
    op = next(key for key in node if key != "fact")
    if op == "exists":
        present = fact in facts.values
        state = present == bool(node[op])
        return state, f"{fact} is {'given' if present else 'not given'}"
    operand = node[op]
    if isinstance(operand, dict):
        other = operand["fact"]
        right_text = _shown(facts, other)
    else:
        right_text = _operand_text(_kind(fact), operand)
    outcome = _compiled_comparison(fact, op, operand)(facts)
    left_text = _shown(facts, fact)
    comparison = f"{left_text} {_SYMBOLS[op]} {right_text}"
    if outcome.state is None:
        return None, f"{comparison}: unknown without {', '.join(outcome.missing)}"
    return outcome.state, f"{comparison}: {'yes' if outcome.state else 'no'}"


def _compiled_comparison(fact: str, op: str, operand: Any) -> Condition:
    kind = _kind(fact)
    if isinstance(operand, dict):
        return _comparison(fact, op, None, operand["fact"])
    element_kind = "string" if kind == "list" else kind
    return _comparison(fact, op, _literal(element_kind, op, operand, ()), None)


class RuleConditionError(ValueError):
    """Raised from validation so pydantic reports it; carries the path inside the rule."""

    def __init__(self, path: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.path = path


def workload_fields(rule: Rule, facts: Facts) -> Iterator[str]:
    """The workload fields behind the facts a rule read, through derived facts: its evidence."""
    seen: set[str] = set()
    pending = list(reversed(rule.facts))
    while pending:
        fact = pending.pop()
        if fact in seen:
            continue
        seen.add(fact)
        if fact in facts.sources:
            pending.extend(reversed(facts.sources[fact]))
        elif not fact.startswith(("target.", "cost.", "derived.")):
            yield fact
