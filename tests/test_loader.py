from __future__ import annotations

from pathlib import Path

import pytest

from serverless_fit.errors import InputError
from serverless_fit.format.loader import load_bytes, load_file, load_text

GOOD = """\
name: checkout
archetype: api
latency:
  p99: 300ms
traffic:
  average: 40/s
  peak: 90/s
"""


def problems_of(text: str | bytes, known: tuple[str, ...] = ("LAT001",)) -> list[str]:
    with pytest.raises(InputError) as caught:
        if isinstance(text, bytes):
            load_bytes(text, "w.yaml", known)
        else:
            load_text(text, "w.yaml", known)
    return [str(p) for p in caught.value.problems]


def test_a_valid_file_loads_with_line_numbers() -> None:
    [loaded] = load_text(GOOD, "w.yaml")
    assert loaded.workload.name == "checkout"
    assert loaded.workload.latency is not None
    assert str(loaded.workload.latency.p99) == "300ms"
    assert loaded.lines["latency.p99"] == 4
    assert loaded.lines["traffic.peak"] == 7


def test_several_documents_are_several_workloads() -> None:
    text = "name: a\narchetype: api\n---\nname: b\narchetype: batch-job\n"
    names = [item.workload.name for item in load_text(text, "w.yaml")]
    assert names == ["a", "b"]


def test_defaults_come_from_the_archetype() -> None:
    [loaded] = load_text("name: a\narchetype: scheduled-job\n", "w.yaml")
    assert loaded.workload.effective_trigger == "schedule"


BAD_INPUTS = [
    ("bare number", "name: a\narchetype: api\nlatency:\n  p99: 300\n", "w.yaml:4:8", "`300ms`"),
    (
        "unknown key",
        "name: a\narchetype: api\ntraffic:\n  averag: 3/s\n",
        "w.yaml:4:3",
        "did you mean 'average'?",
    ),
    (
        "bad enum",
        "name: a\narchetype: api\ntraffic:\n  pattern: spikey\n",
        "w.yaml:4:12",
        "did you mean 'spiky'?",
    ),
    (
        "wrong type",
        "name: a\narchetype: api\nstate:\n  local_disk: maybe\n",
        "w.yaml:4:15",
        "allowed: true or false",
    ),
    (
        "duplicate key",
        "name: a\narchetype: api\nruntime: go\nruntime: java\n",
        "w.yaml:4:1",
        "duplicate key 'runtime' (first at line 3)",
    ),
    ("yaml syntax error", "name: a\narchetype: [api\n", "w.yaml:3:1", "YAML syntax"),
    ("empty file", "", "w.yaml:1:1", "file is empty"),
    ("top-level list", "- name: a\n  archetype: api\n", "w.yaml:1:1", "found a list"),
    ("top-level text", "root:x:0:0:root:/root:/bin/bash\n", "w.yaml:1:1", "found text at"),
    ("top-level number", "42\n", "w.yaml:1:1", "found 42 at the top level"),
    ("top-level date", "2027-01-31\n", "w.yaml:1:1", "found the date 2027-01-31 at"),
    (
        "peak below average",
        "name: a\narchetype: api\ntraffic:\n  average: 40/s\n  peak: 10/s\n",
        "w.yaml:5:9",
        "peak 10/s is below average 40/s",
    ),
    (
        "typical above max",
        "name: a\narchetype: api\nduration: {typical: 2s, max: 1s}\n",
        "w.yaml:3:21",
        "typical 2s is above max 1s",
    ),
    (
        "p50 above p99",
        "name: a\narchetype: api\nlatency: {p50: 2s, p99: 1s}\n",
        "w.yaml:3:16",
        "p50 2s is above p99 1s",
    ),
    (
        "unknown waiver rule",
        "name: a\narchetype: api\nwaivers:\n  - {rule: LAT01, reason: x}\n",
        "w.yaml:4:12",
        "did you mean 'LAT001'?",
    ),
    ("missing name", "archetype: api\n", "w.yaml:1:1", "required key 'name' is missing"),
    ("bad unit", "name: a\narchetype: api\nresources:\n  memory: 512mb\n", "w.yaml:4:11", "MiB"),
    ("bad version", "version: 2\nname: a\narchetype: api\n", "w.yaml:1:10", "allowed: 1"),
    ("merge key", "base: &b {name: a}\n<<: *b\narchetype: api\n", "w.yaml:2:1", "merge key"),
    ("python tag", "name: !!python/object:os.system a\narchetype: api\n", "w.yaml:1:7", "YAML"),
]


@pytest.mark.parametrize(
    ("case", "text", "where", "says"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS]
)
def test_bad_inputs_are_located_and_explained(case: str, text: str, where: str, says: str) -> None:
    found = problems_of(text)
    assert any(p.startswith(where) and says in p for p in found), found


def test_non_utf8_bytes_are_located() -> None:
    [problem] = problems_of(b"name: a\narchetype: \xff\xfe api\n")
    assert problem.startswith("w.yaml:2:12")
    assert "0xff" in problem


def test_utf16_with_bom_and_crlf_load() -> None:
    text = "name: a\r\narchetype: api\r\nlatency:\r\n  p99: 1s\r\n"
    [loaded] = load_bytes(text.encode("utf-16"), "w.yaml")
    assert loaded.lines["latency.p99"] == 4


def test_all_problems_of_a_file_are_reported() -> None:
    text = "name: a\narchetype: apii\nruntime: jvm\ntraffic:\n  peak: 5\n"
    found = problems_of(text)
    assert len(found) == 3
    assert [p.split(":")[1] for p in found] == ["2", "3", "5"]


def test_unreadable_and_missing_files_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        load_file(tmp_path / "absent.yaml")
    assert "cannot read" in str(caught.value)
    with pytest.raises(InputError) as caught:
        load_file(tmp_path)
    assert "directory" in str(caught.value)


def test_alias_bombs_are_refused() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 9):
        refs = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{refs}]")
    lines.append("name: bomb\narchetype: api\n")
    found = problems_of("\n".join(lines))
    assert any("more than" in p for p in found)


def test_every_workload_field_is_described_for_editors() -> None:
    """Editors show a field's description on hover: the schema has one for every property,
    and every entry of data/field-descriptions.yaml names a field that exists."""
    import json

    from serverless_fit.format.jsonschemas import field_descriptions, workload_schema

    schema = json.loads(workload_schema())
    models = {"Workload": schema, **schema["$defs"]}
    missing, names = [], set()
    for model, definition in models.items():
        for name, field in definition.get("properties", {}).items():
            names.add(f"{model}.{name}")
            if "description" not in field:
                missing.append(f"{model}.{name}")
    assert missing == []
    assert set(field_descriptions()) <= names
