"""Project defaults from `.serverless-fit.yaml` or `[tool.serverless-fit]` in `pyproject.toml`.

Keys are the long option names (`fail-under`, `free-tier`, ...); the command line wins over
the file, and an unknown key is an input error, so a typo never silently changes a gate.
"""

from __future__ import annotations

import difflib
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from serverless_fit.errors import InputError, Problem
from serverless_fit.format.loader import read_limited, validation_problems
from serverless_fit.format.yamlsource import SourceError, decode, read_documents

YAML_NAME = ".serverless-fit.yaml"
MAX_CONFIG_BYTES = 1024 * 1024
TOML_TABLE = ("tool", "serverless-fit")

FailOn = Literal["poor-fit", "fit-with-mitigations", "blocker", "risk", "info"]
Format = Literal["auto", "terminal", "text", "json", "sarif", "junit", "markdown", "github", "html"]


class Config(BaseModel):
    """Every key a config file may set; each is optional."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    target: list[str] | None = None
    fail_under: float | None = Field(
        default=None, alias="fail-under", ge=0, le=100, allow_inf_nan=False
    )
    fail_on: FailOn | None = Field(default=None, alias="fail-on")
    tolerance: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    fail_scope: Literal["each", "best"] | None = Field(default=None, alias="fail-scope")
    min_confidence: str | None = Field(default=None, alias="min-confidence")
    baseline: str | None = None
    exclude: list[str] | None = None
    format: Format | None = None
    jobs: int | None = Field(default=None, ge=1)
    free_tier: bool | None = Field(default=None, alias="free-tier")
    target_utilisation: str | None = Field(default=None, alias="target-utilisation")
    min_instances: int | None = Field(default=None, alias="min-instances", ge=1, le=1000)
    provisioned_share: str | None = Field(default=None, alias="provisioned-share")
    rules: list[str] | None = None
    counterfactuals: bool | None = None
    max_file_size: str | None = Field(default=None, alias="max-file-size")
    max_values: int | None = Field(default=None, alias="max-values", ge=1)
    max_depth: int | None = Field(default=None, alias="max-depth", ge=1)
    max_documents: int | None = Field(default=None, alias="max-documents", ge=1)
    max_string: int | None = Field(default=None, alias="max-string", ge=1)
    follow_symlinks: bool | None = Field(default=None, alias="follow-symlinks")

    @field_validator("target", "exclude", "rules", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        """`target: aws-lambda` is a list of one, as on the command line."""
        return [value] if isinstance(value, str) else value


class LoadedConfig(BaseModel):
    model_config = ConfigDict(frozen=True)

    values: Config
    file: str | None  # where it came from; None when no file was found
    folder: Path  # paths in the file are relative to it

    def path(self, value: str) -> str:
        """A path written in the config file, as seen from the working folder."""
        candidate = Path(value)
        return str(candidate if candidate.is_absolute() else self.folder / candidate)


def find(start: Path) -> Path | None:
    """The nearest config file from `start` upward: `.serverless-fit.yaml` first, then a
    `pyproject.toml` that has a `[tool.serverless-fit]` table."""
    for folder in (start, *start.parents):
        yaml_file = folder / YAML_NAME
        if yaml_file.is_file():
            return yaml_file
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and _has_table(pyproject):
            return pyproject
    return None


def _has_table(pyproject: Path) -> bool:
    """Whether a pyproject.toml speaks of serverless-fit. Only a glance at the text: a file
    that does is then read in full, and its errors reported, by `load`."""
    try:
        with pyproject.open("rb") as handle:
            head = handle.read(MAX_CONFIG_BYTES)
    except OSError:
        return False
    return b"serverless-fit" in head


def load(path: Path | None, start: Path) -> LoadedConfig:
    """The config at `path` (or found from `start`); no file at all gives empty defaults."""
    found = path if path is not None else find(start)
    if found is None:
        return LoadedConfig(values=Config(), file=None, folder=start)
    file = str(found)
    raw = read_limited(found, MAX_CONFIG_BYTES)
    if found.name == "pyproject.toml" or found.suffix == ".toml":
        values = _from_toml(raw, file)
    else:
        values = _from_yaml(raw, file)
    return LoadedConfig(values=values, file=file, folder=found.parent)


def _from_yaml(raw: bytes, file: str) -> Config:
    try:
        documents = list(read_documents(decode(raw, file), file))
    except SourceError as error:
        raise InputError([error.problem]) from None
    if not documents:
        return Config()
    document = documents[0]
    if document.problems:
        raise InputError(document.problems)
    if document.data is None:
        return Config()
    if not isinstance(document.data, dict):
        mark = document.start
        message = "found no mapping; allowed: option names and values, e.g. `fail-under: 60`"
        raise InputError([Problem(file, mark.line, mark.column, None, message)])
    try:
        return Config.model_validate(document.data)
    except ValidationError as error:
        raise InputError(validation_problems(document, file, error, Config)) from None


def _from_toml(raw: bytes, file: str) -> Config:
    try:
        data: dict[str, Any] = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise InputError([Problem(file, None, None, None, f"not valid TOML: {error}")]) from None
    except RecursionError:
        message = "not valid TOML: nested too deeply"
        raise InputError([Problem(file, None, None, None, message)]) from None
    except ValueError as error:  # an integer of thousands of digits: Python refuses it
        raise InputError([Problem(file, None, None, None, f"not valid TOML: {error}")]) from None
    tool = data.get("tool", {})
    table = tool.get(TOML_TABLE[1], {}) if isinstance(tool, dict) else {}
    if not isinstance(table, dict):
        message = "found a value; allowed: a table of option names and values"
        raise InputError([Problem(file, None, None, "tool.serverless-fit", message)])
    try:
        return Config.model_validate(table)
    except ValidationError as error:
        problems = []
        allowed = ", ".join(f.alias or n for n, f in Config.model_fields.items())
        text = raw.decode("utf-8")
        for item in error.errors():
            field = ".".join(["tool.serverless-fit", *(str(p) for p in item["loc"])])
            key = str(item["loc"][0]) if item["loc"] else ""
            if item["type"] == "extra_forbidden":
                names = [f.alias or n for n, f in Config.model_fields.items()]
                close = difflib.get_close_matches(key, names, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                message = f"unknown key; allowed: {allowed}{hint}"
            else:
                message = f"found {item.get('input')!r}: {item['msg']}"
            problems.append(Problem(file, _toml_line(text, key), None, field, message))
        raise InputError(problems) from None


TABLE_HEADERS = ("[tool.serverless-fit]", '[tool."serverless-fit"]')


def _toml_line(text: str, key: str) -> int | None:
    """The line of `key = ...` in the `[tool.serverless-fit]` table (tomllib keeps no
    positions): found by reading the table's lines, or None."""
    inside = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            inside = stripped.replace(" ", "") in (
                "[tool.serverless-fit]",
                '[tool."serverless-fit"]',
            )
            continue
        name = stripped.split("=", 1)[0].strip().strip('"')
        if inside and "=" in stripped and name == key:
            return number
    return None
