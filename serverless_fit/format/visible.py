"""Text from an input shown, never interpreted: control, bidirectional and zero-width
characters made visible as escapes, so that a file's own strings cannot move a terminal's
cursor, write a CI log's workflow commands or reorder what a reader sees."""

from __future__ import annotations

import re

# C0 and C1 controls (tab, line feed and carriage return included: a line of output is one
# line), DEL, zero-width characters and bidirectional embeddings, overrides and isolates.
_HIDDEN = re.compile(
    "[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def one_line(text: str) -> str:
    """`text` with every hidden or line-breaking character written as an escape (`\\x1b`)."""
    return _HIDDEN.sub(_escape, text)


# A CI runner reads a line whose first non-blank characters are `::` (or the older `##[`)
# as a workflow command; error lines and plain-text report lines start with a file name.
_COMMAND_START = re.compile(r"\s*(::|##\[)")


def file_name(path: str) -> str:
    """A file name as `one_line` shows it, with `./` before a name that would start a line
    as a workflow command: still the same file, read as a path."""
    shown = one_line(path)
    return f"./{shown}" if _COMMAND_START.match(shown) else shown
