"""YAML text to plain data plus a map of where each value stands; duplicate keys are errors."""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

try:  # the C loader is several times faster; fall back where PyYAML was built without it
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader  # type: ignore[assignment]

from serverless_fit.errors import Problem

Path = tuple[str | int, ...]

MAX_NODES = 200_000  # bounds alias expansion ("billion laughs") long before memory is at risk
MAX_DEPTH = 64


@dataclass(frozen=True)
class Mark:
    line: int
    column: int


@dataclass
class Document:
    """One YAML document: its plain data, and where each key and value stands (1-based)."""

    data: Any
    start: Mark
    problems: list[Problem] = field(default_factory=list)
    value_marks: dict[Path, Mark] = field(default_factory=dict)
    key_marks: dict[Path, Mark] = field(default_factory=dict)

    def locate(self, path: Path, *, key: bool = False) -> Mark:
        """The mark of `path`, or of its nearest existing ancestor."""
        marks = self.key_marks if key else self.value_marks
        probe = path
        while probe:
            if probe in marks:
                return marks[probe]
            if probe in self.value_marks:
                return self.value_marks[probe]
            probe = probe[:-1]
        return self.start


class SourceError(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def decode(raw: bytes, file: str) -> str:
    """Bytes to text: UTF-8 (BOM optional) or UTF-16 with a BOM; else a located error."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as error:
            raise SourceError(
                Problem(file, None, None, None, f"invalid UTF-16 text: {error.reason}")
            ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        column = error.start - (before.rfind(b"\n") + 1) + 1
        raise SourceError(
            Problem(
                file,
                line,
                column,
                None,
                f"found byte 0x{raw[error.start]:02x}, which is not UTF-8; "
                "allowed: UTF-8 text (or UTF-16 with a byte-order mark)",
            )
        ) from None
    return text.replace("\r\n", "\n")


def _mark(node: yaml.Node) -> Mark:
    return Mark(node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    def __init__(self, loader: Any, file: str, document: Document) -> None:
        self.loader = loader
        self.file = file
        self.document = document
        self.nodes = 0

    def fail(self, node: yaml.Node, path: Path, message: str) -> SourceError:
        mark = _mark(node)
        return SourceError(Problem(self.file, mark.line, mark.column, dotted(path), message))

    def build(self, node: yaml.Node, path: Path, depth: int) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.fail(node, path, f"more than {MAX_NODES} values (alias expansion?)")
        if depth > MAX_DEPTH:
            raise self.fail(node, path, f"nesting deeper than {MAX_DEPTH} levels")
        self.document.value_marks.setdefault(path, _mark(node))
        if isinstance(node, yaml.MappingNode):
            return self.build_mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        return self.loader.construct_object(node, deep=True)

    def build_mapping(self, node: yaml.MappingNode, path: Path, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise self.fail(
                    key_node, path, "found a merge key '<<'; allowed: keys written out in full"
                )
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.fail(key_node, path, "found a complex key; allowed: plain text keys")
            key = self.loader.construct_object(key_node)
            if not isinstance(key, str):
                key = str(key)
            child = (*path, key)
            if key in result:
                first = self.document.key_marks[child]
                mark = _mark(key_node)
                self.document.problems.append(
                    Problem(
                        self.file,
                        mark.line,
                        mark.column,
                        dotted(child),
                        f"duplicate key '{key}' (first at line {first.line}); "
                        "allowed: each key once per mapping",
                    )
                )
                continue
            self.document.key_marks[child] = _mark(key_node)
            result[key] = self.build(value_node, child, depth + 1)
        return result


def dotted(path: Path) -> str | None:
    """('waivers', 0, 'rule') -> 'waivers[0].rule'."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or None


def read_documents(text: str, file: str) -> Iterator[Document]:
    """Each YAML document of `text`, as plain data with marks."""
    loader = SafeLoader(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                break
            document = Document(data=None, start=_mark(node))
            document.data = _Builder(loader, file, document).build(node, (), 0)
            yield document
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        reason = error.problem or error.context or "invalid YAML"
        raise SourceError(Problem(file, line, column, None, f"YAML syntax: {reason}")) from None
    except yaml.YAMLError as error:
        raise SourceError(Problem(file, None, None, None, f"YAML: {error}")) from None
    finally:
        loader.dispose()
