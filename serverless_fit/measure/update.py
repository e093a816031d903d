"""`measure --update FILE`: the measured fields written into an existing workload file, as
text edits, so that its other fields, its comments and its layout are kept."""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from serverless_fit.errors import InputError, Problem
from serverless_fit.format.yamltext import COMMENT_COLUMN, line
from serverless_fit.measure.workloadtext import Measured, Measurements

HEADER_STARTS = ("# Measured by serverless-fit measure", "# Files: ", "# Bad lines skipped: ")
COLD_STARTS = "# Cold starts measured: "


@dataclass(frozen=True)
class _Edit:
    start: int  # character offsets into the text
    end: int
    text: str


def _key(mapping: yaml.MappingNode, name: str) -> tuple[yaml.Node, yaml.Node] | None:
    for key, value in mapping.value:
        if isinstance(key, yaml.ScalarNode) and key.value == name:
            return key, value
    return None


def _line_end(text: str, index: int) -> int:
    end = text.find("\n", index)
    return len(text) if end < 0 else end


def _block_edits(text: str, mapping: yaml.MappingNode, fields: list[Measured]) -> list[_Edit]:
    """Each measured field set in a block mapping: its value and comment replaced where it
    is, a line added after the mapping's last where it is not."""
    edits = []
    for field in fields:
        entry = _key(mapping, field.path.split(".", 1)[1])
        if entry is not None:
            _, value = entry
            end = _line_end(text, value.end_mark.index)
            line_start = text.rfind("\n", 0, value.start_mark.index) + 1
            body = value.start_mark.index - line_start + len(field.value)
            padding = " " * max(0, COMMENT_COLUMN - body)  # as `line` aligns a new one
            edits.append(
                _Edit(value.start_mark.index, end, f"{field.value}{padding} # {field.comment}")
            )
            continue
        indent = " " * mapping.start_mark.column
        last = max((value.end_mark for _, value in mapping.value), key=lambda mark: mark.index)
        at = _line_end(text, last.index if last.column else last.index - 1)
        new_line = line(indent, field.path.split(".", 1)[1], field.value, field.comment)
        edits.append(_Edit(at, at, "\n" + new_line))
    return edits


def _as_block(text: str, key: yaml.Node, value: yaml.Node, fields: list[Measured]) -> _Edit:
    """A section written in flow style (or left empty) rewritten one key a line: its other
    keys keep their values as written, the measured ones get theirs."""
    indent = " " * (key.start_mark.column + 2)
    measured = {field.path.split(".", 1)[1]: field for field in fields}
    lines = []
    if isinstance(value, yaml.MappingNode):
        for item_key, item_value in value.value:
            name = item_key.value if isinstance(item_key, yaml.ScalarNode) else ""
            if name in measured:
                field = measured.pop(name)
                lines.append(line(indent, name, field.value, field.comment))
            else:
                written = text[item_value.start_mark.index : item_value.end_mark.index]
                lines.append(f"{indent}{name}: {written}")
    lines += [line(indent, name, field.value, field.comment) for name, field in measured.items()]
    start = text.index(":", key.end_mark.index) + 1
    end = value.end_mark.index if isinstance(value, yaml.MappingNode) else start
    rest = text[end : _line_end(text, end)]
    kept = ""
    if rest.strip().startswith("#"):  # a comment after the flow mapping stays on the key's line
        kept, end = " " + rest.strip(), _line_end(text, end)
    return _Edit(start, end, kept + "\n" + "\n".join(lines))


def updated_text(text: str, file: str, found: Measurements, header: list[str]) -> str:
    """`text` with each measured field set (added where missing), the measurement's header
    comment at the top and its cold-start comment at the end; everything else as it was."""
    try:
        documents = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.YAMLError as error:
        raise InputError([Problem(file, None, None, None, f"cannot update it: {error}")]) from None
    if len(documents) != 1 or not isinstance(documents[0], yaml.MappingNode):
        found_what = f"{len(documents)} documents" if len(documents) != 1 else "no mapping"
        message = f"found {found_what}; allowed: one workload to update"
        raise InputError([Problem(file, None, None, "--update", message)])
    root = documents[0]
    edits: list[_Edit] = []
    appended: dict[str, list[Measured]] = {}
    by_section: dict[str, list[Measured]] = {}
    for field in found.fields:
        by_section.setdefault(field.path.split(".", 1)[0], []).append(field)
    for section_name, fields in by_section.items():
        section = _key(root, section_name)
        if section is None:
            appended[section_name] = fields
        elif isinstance(section[1], yaml.MappingNode) and not section[1].flow_style:
            edits += _block_edits(text, section[1], fields)
        else:  # `traffic: {average: 1/s}` or `traffic:` with nothing: rewritten as a block
            edits.append(_as_block(text, section[0], section[1], fields))
    for start, end, replacement in sorted(((e.start, e.end, e.text) for e in edits), reverse=True):
        text = text[:start] + replacement + text[end:]
    lines = [kept for kept in text.split("\n") if not kept.startswith(COLD_STARTS)]
    while lines and lines[0].startswith(HEADER_STARTS):
        lines.pop(0)
    text = "\n".join([*header, *lines]).rstrip("\n") + "\n"
    for section_name, fields in appended.items():
        text += "\n" + line("", section_name, "", "measured") + "\n"
        text += "".join(
            line("  ", f.path.split(".", 1)[1], f.value, f.comment) + "\n" for f in fields
        )
    if found.cold_starts:
        text += f"\n# {found.cold_starts}\n"
    return text
