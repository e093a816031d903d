"""Typed errors the library raises; the CLI turns them into messages and exit codes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an input file, located as precisely as the file allows."""

    file: str
    line: int | None
    column: int | None
    field: str | None
    message: str

    def __post_init__(self) -> None:
        # A problem quotes the input (keys, values, file names): shown, never interpreted,
        # in every format that reports it.
        from serverless_fit.format.visible import file_name, one_line

        object.__setattr__(self, "file", file_name(self.file))
        object.__setattr__(self, "message", one_line(self.message))
        if self.field is not None:
            object.__setattr__(self, "field", one_line(self.field))

    def __str__(self) -> str:
        # One line, whatever the input held: a key or file name with a line break and `::`
        # must not start a CI workflow command, nor an escape sequence reach a terminal.
        from serverless_fit.format.visible import file_name, one_line

        where = file_name(self.file)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        field = f"{one_line(self.field)}: " if self.field else ""
        return f"{where}: error: {field}{one_line(self.message)}"


class InputError(Exception):
    """An input (workload, rule pack, option) that cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class CatalogError(Exception):
    """Data shipped with the package (a platform profile or built-in rule) is broken: a bug."""


class AssessmentError(Exception):
    """An unexpected failure while assessing one file: a bug, reported with that file."""

    def __init__(self, file: str, detail: str) -> None:
        super().__init__(file, detail)  # plain arguments, so it crosses process boundaries
        self.file = file
        self.detail = detail

    def __str__(self) -> str:
        return f"while assessing {self.file}: {self.detail}"
