"""Fuzzing: arbitrary text, arbitrary structured workloads and rule packs never crash the tool.

The default run uses a few dozen examples per property; `python tests/fuzz/run.py` runs the
same properties with thousands and records the result in tests/fuzz/LAST_RUN.md.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from serverless_fit.data import catalog
from serverless_fit.errors import InputError, Problem
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


# Characters a hostile contributor would put in a string: terminal escapes (OSC 52, CSI 2J,
# OSC 8), line breaks that start a workflow command, bidirectional overrides, zero-width and
# line-separator characters, the runner's escape character, and dates that do not exist.
HOSTILE_BITS = st.sampled_from(
    [
        "\x1b]52;c;aGVsbG8=\x07",
        "\x1b[2J",
        "\x1b]8;;https://evil.example\x1b\\",
        "\x1b]0;title\x07",
        "\n::add-mask::x\n",
        "\r\n::stop-commands::t\r\n",
        "::error file=app.py,line=1::Injected",
        "%0A::warning::x",
        "%",
        "\u202e",
        "\u200b",
        "\u2066",
        "\ufeff",
        "\u2028",
        "\u2029",
        "\x85",
        "\x0b",
        "\x1c",
        "\x00",
        "\x7f",
        "@octocat",
        "https://evil.example",
        "<script>x</script>",
        "]]>",
        "2026-02-30",
        "0000-01-01",
        "2099-99-99",
    ]
)
HOSTILE = st.lists(st.one_of(HOSTILE_BITS, st.text(max_size=3)), min_size=1, max_size=6).map(
    "".join
)
DATEISH = st.sampled_from(["2026-02-30", "0000-01-01", "2099-99-99", "2027-01-01", "2026-1-1"])
HOSTILE_WORKLOADS = st.fixed_dictionaries(
    {
        "name": st.one_of(st.just("svc"), HOSTILE),
        "archetype": st.sampled_from(["api", "batch-job", "iot-ingestion"]),
        "runtime": st.just("java"),
        "latency": st.just({"p99": "200ms"}),
        "duration": st.just({"typical": "120ms"}),
        "traffic": st.just({"average": "20/s", "peak": "400/s"}),
    },
    optional={
        "description": st.one_of(HOSTILE, DATEISH),
        "owner": st.one_of(HOSTILE, DATEISH),
        "dependencies": st.lists(
            st.one_of(
                HOSTILE,
                DATEISH,
                st.fixed_dictionaries({"name": HOSTILE, "max_connections": st.just(10)}),
            ),
            max_size=3,
        ),
        "labels": st.dictionaries(
            st.one_of(st.just("tier"), HOSTILE), st.one_of(HOSTILE, DATEISH), max_size=2
        ),
        "constraints": st.fixed_dictionaries({"compliance": st.lists(HOSTILE, max_size=2)}),
        "waivers": st.lists(
            st.fixed_dictionaries(
                {
                    "rule": st.one_of(st.sampled_from(["LAT001", "ACME009"]), HOSTILE),
                    "reason": HOSTILE,
                },
                optional={"expires": DATEISH},
            ),
            max_size=2,
        ),
        # an unknown key, or a known one's unknown field, named and valued by the attacker
        "surprise": st.one_of(HOSTILE, DATEISH),
    },
).flatmap(
    lambda data: st.dictionaries(HOSTILE, st.one_of(HOSTILE, DATEISH), max_size=1).map(
        lambda extra: {**data, **extra}
    )
)
# A pack rule whose title, message and mitigation carry the same characters.
HOSTILE_PACKS = st.fixed_dictionaries(
    {
        "title": HOSTILE,
        "message": HOSTILE.map(lambda text: text.replace("{", "(").replace("}", ")")),
        "mitigation": HOSTILE.map(lambda text: text.replace("{", "(").replace("}", ")")),
    }
)
# What no output may hold raw: C0 controls but the line feed, DEL, C1 controls, zero-width,
# bidirectional and line-separator characters.
RAW_HIDDEN = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
# The only workflow commands the GitHub format writes: an annotation located in a file.
OWN_COMMAND = re.compile(r"::(error|warning|notice) (?P<properties>file=[^\n]*?)::")


def _pack_rule(texts: dict[str, str]) -> list[Any]:
    pack = {
        "rules": [
            {
                "id": "ACME009",
                "name": "hostile",
                "title": texts["title"],
                "dimension": "operations",
                "severity": "risk",
                "impact": 10,
                "references": ["https://policy.example/x"],
                "when": {"fact": "name", "exists": True},
                "message": texts["message"],
                "mitigation": texts["mitigation"],
                "docs": {"what": "w", "why": "y"},
                "examples": {"fail": {}, "pass": {}},
            }
        ]
    }
    try:
        contents = parse_pack(yaml.safe_dump(pack), "pack.yaml")
    except InputError as error:
        _assert_shown_not_interpreted([str(p) for p in error.problems])
        return []
    return [rule for rule, _ in contents.rules]


def _assert_shown_not_interpreted(lines: list[str]) -> None:
    for line in lines:
        assert not RAW_HIDDEN.search(line), line
        assert not line.lstrip().startswith(("::", "##[")), line


def _parse_back(name: str, text: str) -> None:
    """Each format read by its own kind of parser, as its consumer would."""
    if name in ("json", "sarif"):
        document = json.loads(text)
        if name == "json":
            jsonschema.validate(document, REPORT_SCHEMA)
    elif name == "junit":
        ET.fromstring(text.encode("utf-8"))
    elif name == "html":
        parser = HTMLParser()
        parser.feed(text)
        parser.close()
    elif name == "text":
        _assert_shown_not_interpreted(text.splitlines())
    elif name == "github":
        for line in text.splitlines():
            # The runner reads a command only at the start of a line; in its properties a
            # colon or comma is escaped, so none can end them early.
            if line.lstrip().startswith("::"):
                command = OWN_COMMAND.match(line)
                assert command, line
                assert ":" not in command.group("properties"), line


@fuzz
@given(HOSTILE_WORKLOADS, HOSTILE_PACKS, HOSTILE, st.sampled_from(sorted(catalog.platforms())))
def test_hostile_strings_are_shown_never_interpreted_in_every_format(
    data: dict[str, Any], pack: dict[str, str], file: str, target: str
) -> None:
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    rules = (*RULES, *_pack_rule(pack))
    errors: tuple[Problem, ...] = ()
    results: tuple[Any, ...] = ()
    try:
        loaded = load_text(text, file, {rule.id for rule in rules})
    except InputError as error:
        errors = tuple(error.problems)
        _assert_shown_not_interpreted([str(p) for p in errors])  # the lines on stderr
    else:
        platform = catalog.platforms()[target]
        results = tuple(
            assess_workload(item, platform, rules, as_of=AS_OF, verbose=True) for item in loaded
        )
    report = Report("0", AS_OF.isoformat(), results, errors)
    for name in FORMATS:
        output = renderer(name)(report, RenderOptions(width=100))
        _parse_back(name, output)
        assert not RAW_HIDDEN.search(output.replace("\n", "")), (name, output)
