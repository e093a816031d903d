"""Fuzzing: arbitrary text, arbitrary structured workloads and rule packs never crash the tool.

The default run uses a few dozen examples per property; `python tests/fuzz/run.py` runs the
same properties with thousands and records the result in tests/fuzz/LAST_RUN.md.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from serverless_fit.data import catalog
from serverless_fit.errors import InputError
from serverless_fit.format.loader import load_bytes, load_text
from serverless_fit.format.workload import Workload
from serverless_fit.model.facts import derive_facts
from serverless_fit.pipeline.assess import Options, assess_workload
from serverless_fit.render import FORMATS, renderer
from serverless_fit.report import RenderOptions, Report
from serverless_fit.rules.engine import render_template
from serverless_fit.rules.rulepacks import builtin_rules, parse_pack

# A few dozen examples per property in the default run; tests/fuzz/run.py asks for thousands.
EXAMPLES = int(os.environ.get("SERVERLESS_FIT_FUZZ_EXAMPLES", "40"))
fuzz = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))

RULES = builtin_rules()
REPORT_SCHEMA = json.loads(
    (
        Path(__file__).resolve().parent.parent
        / "serverless_fit"
        / "data"
        / "schemas"
        / "report.schema.json"
    ).read_text(encoding="utf-8")
)
AS_OF = dt.date(2026, 11, 27)

# Text made of the characters YAML gives meaning to, words of the format, and anything else.
YAML_BITS = st.sampled_from(
    [
        ":",
        " ",
        "  ",
        "\n",
        "\t",
        "-",
        "- ",
        "[",
        "]",
        "{",
        "}",
        ",",
        "&a",
        "*a",
        "!!",
        "!!python/object:os.system",
        "<<",
        "#",
        "'",
        '"',
        "|",
        ">",
        "?",
        "---",
        "...",
        "%YAML 1.1",
        "name",
        "archetype",
        "api",
        "latency",
        "p99",
        "300ms",
        "1e999",
        "9" * 40,
        ".inf",
        ".nan",
        "~",
        "null",
        "yes",
        "\r\n",
        "\ufeff",
        "\u2028",
        "\x00",
        "é",
        "😀",
    ]
)
YAMLISH = st.lists(st.one_of(YAML_BITS, st.text(max_size=5)), max_size=60).map("".join)


@fuzz
@given(YAMLISH)
def test_any_text_gives_workloads_or_a_clean_input_error(text: str) -> None:
    try:
        loaded = load_text(text, "fuzz.yaml")
    except InputError as error:
        assert error.problems and all(p.file == "fuzz.yaml" and p.message for p in error.problems)
    else:
        assert all(isinstance(item.workload, Workload) for item in loaded)


@fuzz
@given(st.binary(max_size=400))
def test_any_bytes_give_workloads_or_a_clean_input_error(raw: bytes) -> None:
    try:
        load_bytes(raw, "fuzz.yaml")
    except InputError as error:
        assert error.problems


QUANTITIES = {
    "duration": st.sampled_from(["5ms", "120ms", "2s", "15min", "2h", "0ms", "300", "1.5", "x"]),
    "size": st.sampled_from(["128MiB", "1GiB", "20GiB", "512KB", "0B", "12", "MiB"]),
    "rate": st.sampled_from(["1/day", "40/s", "2.5M/month", "9k/h", "0/s", "5", "/s"]),
}
ANYTHING = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 5000), st.floats(allow_nan=True), st.text(max_size=8)
)


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Usually a plausible value, sometimes anything at all (a nearly valid workload)."""
    return st.one_of(strategy, strategy, strategy, ANYTHING)


def _section(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional={k: _maybe(v) for k, v in fields.items()})


WORKLOADS = st.fixed_dictionaries(
    {
        "name": _maybe(st.from_regex(r"[a-z][a-z0-9-]{0,12}", fullmatch=True)),
        "archetype": _maybe(
            st.sampled_from(
                [
                    "api",
                    "batch-job",
                    "static-website",
                    "realtime",
                    "media-processing",
                    "iot-ingestion",
                    "other",
                ]
            )
        ),
    },
    optional={
        "runtime": _maybe(st.sampled_from(["nodejs", "python", "java", "go", "container"])),
        "trigger": _maybe(st.sampled_from(["http", "queue", "schedule", "stream", "event"])),
        "latency": _section({"p50": QUANTITIES["duration"], "p99": QUANTITIES["duration"]}),
        "duration": _section({"typical": QUANTITIES["duration"], "max": QUANTITIES["duration"]}),
        "traffic": _section(
            {
                "pattern": st.sampled_from(["steady", "spiky", "periodic", "sporadic"]),
                "average": QUANTITIES["rate"],
                "peak": QUANTITIES["rate"],
                "active_hours_per_day": st.integers(0, 30),
            }
        ),
        "resources": _section(
            {
                "memory": QUANTITIES["size"],
                "cpus": st.integers(1, 64),
                "architecture": st.sampled_from(["x86_64", "arm64"]),
                "gpu": st.booleans(),
                "payload": QUANTITIES["size"],
                "package": QUANTITIES["size"],
                "ephemeral_storage": QUANTITIES["size"],
            }
        ),
        "state": _section(
            {
                "connections": st.sampled_from(["none", "long-lived"]),
                "in_memory_sessions": st.booleans(),
                "local_disk": st.booleans(),
            }
        ),
        "dependencies": st.lists(
            st.sampled_from(["dynamodb", "postgres", "sqs", "s3"]), max_size=3
        ),
        "constraints": _section(
            {
                "portability": st.sampled_from(["none", "preferred", "required"]),
                "providers": st.lists(st.sampled_from(["aws", "azure", "gcp", "cloudflare"])),
                "compliance": st.lists(st.sampled_from(["pci", "sox"]), max_size=2),
            }
        ),
        "team": _section({"ops_capacity": st.sampled_from(["low", "medium", "high"])}),
        "waivers": st.lists(
            st.fixed_dictionaries(
                {
                    "rule": st.sampled_from(["LAT001", "COST002", "NOPE01"]),
                    "reason": st.text(max_size=12),
                }
            ),
            max_size=2,
        ),
        "surprise": ANYTHING,
    },
)


@fuzz
@given(WORKLOADS, st.sampled_from(sorted(catalog.platforms())))
def test_structured_workloads_load_assess_and_render_in_every_format(
    data: dict[str, Any], target: str
) -> None:
    text = yaml.safe_dump(data, sort_keys=False)
    try:
        loaded = load_text(text, "fuzz.yaml", {rule.id for rule in RULES})
    except InputError as error:
        assert error.problems
        return
    platform = catalog.platforms()[target]
    results = tuple(
        assess_workload(item, platform, RULES, as_of=AS_OF, verbose=True) for item in loaded
    )
    report = Report("0", AS_OF.isoformat(), results)
    for name in FORMATS:
        text = renderer(name)(report, RenderOptions(width=100))
        assert text
        if name == "json":
            jsonschema.validate(json.loads(text), REPORT_SCHEMA)


FACTS = [
    "latency.p99",
    "duration.max",
    "resources.memory",
    "traffic.average",
    "runtime",
    "derived.cold_start_share",
    "cost.ratio",
    "dependencies",
    "target.limits.timeout",
    "bogus",
]
OPERATORS = ["lt", "le", "gt", "ge", "eq", "ne", "in", "not_in", "contains", "exists", "matches"]
LEAF = st.fixed_dictionaries(
    {"fact": st.sampled_from(FACTS)},
    optional={
        op: st.one_of(
            st.sampled_from(["50ms", "1GiB", "10/s", "java", 0.5, 3, True]),
            st.lists(st.sampled_from(["java", "python"]), max_size=2),
            st.fixed_dictionaries({"fact": st.sampled_from(FACTS)}),
            ANYTHING,
        )
        for op in OPERATORS
    },
)
CONDITIONS = st.recursive(
    LEAF,
    lambda inner: st.one_of(
        st.fixed_dictionaries({"all": st.lists(inner, max_size=3)}),
        st.fixed_dictionaries({"any": st.lists(inner, max_size=3)}),
        st.fixed_dictionaries({"not": inner}),
    ),
    max_leaves=12,
)
TEMPLATES = st.lists(
    st.sampled_from(
        [
            "text ",
            "{latency.p99}",
            "{name}",
            "{",
            "}",
            "{__class__}",
            "{x.__init__}",
            "{0}",
            "{name!r}",
            "{name:>10}",
            "{{}}",
            "{target.name}",
        ]
    ),
    max_size=6,
).map("".join)
RULE_PACKS = st.fixed_dictionaries(
    {},
    optional={
        "rules": st.lists(
            st.fixed_dictionaries(
                {
                    "id": _maybe(st.sampled_from(["ACME001", "ACME002", "LAT001", "bad id"])),
                    "name": _maybe(st.sampled_from(["acme-rule", "other-rule"])),
                    "title": st.text(max_size=10),
                    "dimension": _maybe(st.sampled_from(["latency", "cost", "state"])),
                    "severity": _maybe(st.sampled_from(["blocker", "risk", "info", "benefit"])),
                    "impact": _maybe(st.integers(0, 100)),
                    "references": st.just(["https://policy.example/x"]),
                    "when": CONDITIONS,
                    "message": TEMPLATES,
                    "mitigation": TEMPLATES,
                    "docs": st.just({"what": "w", "why": "y"}),
                    "examples": st.just({"fail": {}, "pass": {}}),
                }
            ),
            max_size=3,
        ),
        "overrides": st.lists(
            st.fixed_dictionaries(
                {"rule": st.sampled_from(["LAT001", "LAT01", "COST002"])},
                optional={"disable": st.booleans(), "severity": ANYTHING, "impact": ANYTHING},
            ),
            max_size=2,
        ),
    },
)
SAMPLE = Workload.model_validate(
    {
        "name": "w",
        "archetype": "api",
        "runtime": "java",
        "latency": {"p99": "300ms"},
        "dependencies": ["dynamodb"],
        "traffic": {"average": "5/s", "peak": "50/s"},
        "duration": {"typical": "100ms"},
        "resources": {"memory": "1GiB"},
    }
)


@fuzz
@given(st.one_of(RULE_PACKS, st.lists(RULE_PACKS, max_size=2), YAMLISH))
def test_rule_packs_load_or_fail_cleanly_and_loaded_rules_evaluate(pack: Any) -> None:
    text = pack if isinstance(pack, str) else yaml.safe_dump(pack, sort_keys=False)
    try:
        contents = parse_pack(text, "pack.yaml")
    except InputError as error:
        assert error.problems and all(p.file == "pack.yaml" for p in error.problems)
        return
    for platform in catalog.platforms().values():
        facts = derive_facts(SAMPLE, platform)
        for rule, _ in contents.rules:
            rule.evaluate(facts)
            render_template(rule.message, facts)
            if rule.mitigation:
                render_template(rule.mitigation, facts)


def test_options_default_limits_are_those_security_md_names() -> None:
    limits = Options().limits
    text = (Path(__file__).resolve().parent.parent / "SECURITY.md").read_text(encoding="utf-8")
    assert limits.file_size == 1024 * 1024 and "cost no more) | 1 MiB |" in text
    assert f"| {limits.values:,} |" in text and f"| {limits.depth} |" in text
    assert f"| {limits.documents:,} |" in text and f"{limits.string:,} characters" in text
