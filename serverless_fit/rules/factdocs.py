"""The facts a rule may name (`rules facts`): each with its kind, unit, where its value comes
from, and an example value taken from the bundled workloads."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from serverless_fit.data import catalog
from serverless_fit.model.facts import FACT_KINDS, derive_facts, format_fact

UNITS = {
    "duration": "a duration: ms, s, min, h, d (e.g. 300ms)",
    "size": "a size: B, KB, MB, GB, KiB, MiB, GiB, TiB (e.g. 512MiB)",
    "rate": "a rate: a count per /s, /min, /h, /day, /month (e.g. 40/s)",
    "money": "USD a month (a number in conditions)",
    "share": "a share from 0 to 1 (printed as a percentage)",
    "ratio": "a ratio (a number)",
    "number": "a number",
    "bool": "true or false",
    "string": "text",
    "list": "a list of text (compare with `contains`)",
}
EXAMPLE_TARGET = "aws-lambda"


@dataclass(frozen=True)
class FactDoc:
    name: str
    kind: str
    unit: str
    source: str
    example: str | None  # None: no bundled workload gives it


def _source(name: str) -> str:
    if name.startswith("target."):
        return "the target's platform profile"
    if name.startswith("derived."):
        return "derived from the workload on the target"
    if name.startswith("cost."):
        return "the cost model (both bills on the target's provider)"
    if name.startswith("labels."):
        return "the workload's `labels`, one fact per key"
    if name == "trigger":
        return "the workload's `trigger`, or its archetype's default"
    return f"the workload field `{name}`"


@functools.cache
def fact_docs() -> tuple[FactDoc, ...]:
    """Every fact, in the order of FACT_KINDS, then the label facts."""
    examples = _examples()
    names = [*FACT_KINDS, "labels.KEY"]
    docs = []
    for name in names:
        kind = FACT_KINDS.get(name, "string")
        docs.append(FactDoc(name, kind, UNITS[kind], _source(name), examples.get(name)))
    return tuple(docs)


def _examples() -> dict[str, str]:
    """The first value each fact takes over the built-in rules' own examples (on their
    targets), and a label's over a workload that gives one."""
    from serverless_fit.format.workload import Workload
    from serverless_fit.rules.examples import MINIMAL_WORKLOAD, merged
    from serverless_fit.rules.rulepacks import builtin_rules

    found: dict[str, str] = {}
    labelled = {
        "labels": {"team": "payments"},
        "owner": "payments-team",
        "latency": {"p50": "40ms", "p99": "200ms"},
        "description": "Prices quotes for the checkout",
        "traffic": {"average": "20/s", "interval": "15min", "batch_size": 10},
        "resources": {"concurrency": 80, "egress": "2MiB"},
        "state": {"connected_clients": 5000},
    }
    cases = [
        (partial, rule.examples.target)
        for rule in builtin_rules()
        for partial in (rule.examples.fail, rule.examples.pass_)
    ]
    for partial, target in [*cases, (labelled, EXAMPLE_TARGET)]:
        workload = Workload.model_validate(merged(MINIMAL_WORKLOAD, partial))
        facts = derive_facts(workload, catalog.platforms()[target])
        for name, value in facts.values.items():
            key = "labels.KEY" if name.startswith("labels.") else name
            if key not in found:
                shown = format_fact(value, FACT_KINDS.get(name, "string"))
                found[key] = f"{name} = {shown}" if key == "labels.KEY" else shown
    return found
