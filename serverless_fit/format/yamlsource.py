"""YAML text to plain data plus a map of where each value stands; duplicate keys are errors."""

from __future__ import annotations

import codecs
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import yaml

try:  # the C loader is several times faster; fall back where PyYAML was built without it
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader  # type: ignore[assignment]

from serverless_fit.errors import Problem
from serverless_fit.format.limits import DEFAULT_LIMITS, InputLimits

Path = tuple[str | int, ...]

# Scan the events for nesting first when a file holds more openers than this, or is this big:
# PyYAML's C composer recurses once per level and can overflow the C stack on hostile nesting.
NESTING_SCAN_OPENERS = 2000
NESTING_SCAN_BYTES = 256 * 1024
MAX_DIGITS = 15  # a whole number with more digits is not a measurement
INT_TAG = "tag:yaml.org,2002:int"
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
# The tags of plain YAML values: a tag that names anything else (`!!python/object`) is refused
# outright, whatever the loader would have done with it.
PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("map", "seq", "str", "int", "float", "bool", "null", "timestamp")
)


class Mark(NamedTuple):
    """Where a node starts, 1-based. A named tuple: one is made for every value read."""

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
    def __init__(self, loader: Any, file: str, document: Document, limits: InputLimits) -> None:
        self.loader = loader
        self.constructors = {
            f"tag:yaml.org,2002:{name}": getattr(loader, f"construct_yaml_{name}")
            for name in ("str", "int", "float", "bool", "null", "timestamp")
        }
        self.file = file
        self.document = document
        self.limits = limits
        self.nodes = 0

    def fail(self, node: yaml.Node, path: Path, message: str) -> SourceError:
        mark = _mark(node)
        return SourceError(Problem(self.file, mark.line, mark.column, dotted(path), message))

    def build(self, node: yaml.Node, path: Path, depth: int) -> Any:
        self.nodes += 1
        limits = self.limits
        if self.nodes > limits.values:
            message = f"more than {limits.values} values (alias expansion?); allowed: --max-values"
            raise self.fail(node, path, message)
        if depth > limits.depth:
            message = f"nesting deeper than {limits.depth} levels; allowed: --max-depth"
            raise self.fail(node, path, message)
        if node.tag not in PLAIN_TAGS:
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            message = f"found the tag {tag}; allowed: plain YAML values, without tags"
            raise self.fail(node, path, message)
        self.document.value_marks.setdefault(path, _mark(node))
        if isinstance(node, yaml.MappingNode):
            return self.build_mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        if len(node.value) > limits.string:
            message = (
                f"found a value of {len(node.value)} characters; allowed: at most "
                f"{limits.string} (--max-string)"
            )
            raise self.fail(node, path, message)
        if node.tag == INT_TAG and len(node.value.lstrip("+-").replace("_", "")) > MAX_DIGITS:
            # Checked before construction: Python refuses to convert very long digit strings.
            digits = len(node.value.lstrip("+-").replace("_", ""))
            message = f"found a number of {digits} digits; allowed: at most {MAX_DIGITS}"
            raise self.fail(node, path, message)
        value = self.scalar(node)
        if isinstance(value, float) and not math.isfinite(value):
            raise self.fail(node, path, f"found {node.value}; allowed: a finite number")
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**MAX_DIGITS:
            message = (
                f"found a number of {len(str(abs(value)))} digits; allowed: at most {MAX_DIGITS}"
            )
            raise self.fail(node, path, message)
        return value

    def scalar(self, node: yaml.Node) -> Any:
        """A plain scalar by its resolved tag's constructor, skipping the loader's general
        bookkeeping (scalars hold no references to track)."""
        construct = self.constructors.get(node.tag)
        if construct is None:
            return self.loader.construct_object(node, deep=True)
        if node.tag == TIMESTAMP_TAG:
            try:
                return construct(node)
            except ValueError:
                # Looks like a date but is none (2026-02-30): it stays text, and a field that
                # needs a date says so with its location.
                return node.value
        return construct(node)

    def build_mapping(self, node: yaml.MappingNode, path: Path, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise self.fail(
                    key_node, path, "found a merge key '<<'; allowed: keys written out in full"
                )
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.fail(key_node, path, "found a complex key; allowed: plain text keys")
            key = self.scalar(key_node)
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


def _character_at(text: str, line: int, column: int) -> str:
    """The character at a 0-based line and column, or '' past the end."""
    lines = text.split("\n", line + 1)
    return lines[line][column : column + 1] if line < len(lines) else ""


def _deep_nesting(text: str, file: str, limit: int) -> Problem | None:
    """The first collection nested deeper than `limit`, found from the parser's events alone
    (no recursion), for files that could hold such nesting at all."""
    openers = text.count("[") + text.count("{") + text.count("- ") + text.count("? ")
    if openers < NESTING_SCAN_OPENERS and len(text) < NESTING_SCAN_BYTES:
        return None
    loader = SafeLoader(text)
    depth = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > limit:
                    start = event.start_mark
                    line = start.line + 1 if start else None
                    column = start.column + 1 if start else None
                    message = f"nesting deeper than {limit} levels; allowed: --max-depth"
                    return Problem(file, line, column, None, message)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.MarkedYAMLError as error:
        # Newer libyaml stops at its own depth limit (1000): the same refusal, said our way.
        if "nesting depth" in str(error.problem):
            start = error.problem_mark
            line = start.line + 1 if start else None
            column = start.column + 1 if start else None
            message = f"nesting deeper than {limit} levels; allowed: --max-depth"
            return Problem(file, line, column, None, message)
        return None  # the full read reports the syntax error with its place
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()
    return None


def read_documents(
    text: str, file: str, limits: InputLimits = DEFAULT_LIMITS
) -> Iterator[Document]:
    """Each YAML document of `text`, as plain data with marks, within `limits`."""
    too_deep = _deep_nesting(text, file, limits.depth)
    if too_deep is not None:
        raise SourceError(too_deep)
    loader = SafeLoader(text)
    count = 0
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                break
            count += 1
            if count > limits.documents:
                first = _mark(node)
                message = f"more than {limits.documents} documents; allowed: --max-documents"
                raise SourceError(Problem(file, first.line, first.column, None, message))
            document = Document(data=None, start=_mark(node))
            document.data = _Builder(loader, file, document, limits).build(node, (), 0)
            yield document
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        reason = error.problem or error.context or "invalid YAML"
        if mark is not None and _character_at(text, mark.line, mark.column) == "\t":
            reason = "a tab in the indentation; allowed: spaces only"
        if "nesting depth" in reason:
            reason = f"nesting deeper than {limits.depth} levels; allowed: --max-depth"
        raise SourceError(Problem(file, line, column, None, f"YAML syntax: {reason}")) from None
    except yaml.YAMLError as error:
        raise SourceError(Problem(file, None, None, None, f"YAML: {error}")) from None
    finally:
        loader.dispose()
