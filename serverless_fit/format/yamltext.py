"""Workload YAML as the tool writes it (`init`, `measure`): values YAML reads back as they
were meant, and a line with its comment aligned."""

from __future__ import annotations

import json
import re
from typing import Any

COMMENT_COLUMN = 34  # where the comments of a written workload file start
# Plain words YAML would read as something other than text.
YAML_WORDS = frozenset({"yes", "no", "on", "off", "null", "true", "false", "y", "n", "~"})


def scalar(value: Any) -> str:
    """A value as YAML text: booleans and flow lists as YAML writes them, a plain word bare,
    anything else quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(scalar(item) for item in value) + "]"
    text = str(value)
    plain = re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_./-]*", text) and text not in YAML_WORDS
    return text if plain else json.dumps(text, ensure_ascii=False)


def line(indent: str, key: str, value: str, comment: str) -> str:
    """`key: value` (or `key:` opening a section) with its comment from COMMENT_COLUMN."""
    body = f"{indent}{key}: {value}" if value else f"{indent}{key}:"
    return f"{body:<{COMMENT_COLUMN}} # {comment}" if comment else body
