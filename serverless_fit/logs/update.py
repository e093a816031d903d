"""`measure --update FILE`: the measured fields written into an existing workload file, as
text edits, so that its other fields, its comments and its layout are kept."""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from serverless_fit.errors import InputError, Problem
from serverless_fit.logs.workloadtext import COMMENT_COLUMN, Measured, Measurements, line

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
    for field in found.fields:
        section_name, key_name = field.path.split(".", 1)
        section = _key(root, section_name)
        if section is None or not isinstance(section[1], yaml.MappingNode) or section[1].flow_style:
            if section is not None:  # `traffic: null` or a flow mapping: not edited in place
                message = "is not a block mapping; allowed: a section written one key a line"
                raise InputError(
                    [Problem(file, section[0].start_mark.line + 1, None, section_name, message)]
                )
            appended.setdefault(section_name, []).append(field)
            continue
        mapping = section[1]
        entry = _key(mapping, key_name)
        if entry is not None:
            _, value = entry
            end = _line_end(text, value.end_mark.index)
            line_start = text.rfind("\n", 0, value.start_mark.index) + 1
            body = value.start_mark.index - line_start + len(field.value)
            padding = " " * max(0, COMMENT_COLUMN - body)  # as `line` aligns a new one
            replacement = f"{field.value}{padding} # {field.comment}"
            edits.append(_Edit(value.start_mark.index, end, replacement))
            continue
        indent = " " * mapping.start_mark.column
        last = max((value.end_mark for _, value in mapping.value), key=lambda mark: mark.index)
        at = _line_end(text, last.index if last.column else last.index - 1)
        new_line = line(indent, key_name, field.value, field.comment)
        edits.append(_Edit(at, at, "\n" + new_line))
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
