"""Bounds on what one input file may cost to read, each configurable (SECURITY.md)."""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1024 * 1024


@dataclass(frozen=True)
class InputLimits:
    """How much a workload file may hold; past any bound it is refused with a clear error."""

    file_size: int = MIB  # bytes
    values: int = 200_000  # YAML values in one document, counting each alias expansion
    depth: int = 64  # nesting of YAML collections
    documents: int = 1000  # YAML documents in one file
    string: int = 10_000  # characters in one string


DEFAULT_LIMITS = InputLimits()

# How far a command line or a config file (which a pull request may change) can raise each
# limit: past these, one file could cost more than a second or unbounded memory, or nest
# deeper than the parser's recursion allows (SECURITY.md).
CEILINGS = InputLimits(
    file_size=16 * MIB,
    values=2_000_000,
    depth=128,
    documents=10_000,
    string=1_000_000,
)
