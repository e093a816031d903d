"""Which files a batch reads: files as given, folders searched, globs expanded, excludes applied."""

from __future__ import annotations

import fnmatch
import glob
import os
from collections.abc import Iterator, Sequence
from pathlib import Path, PurePosixPath

from serverless_fit.errors import Problem

YAML_SUFFIXES = (".yaml", ".yml")
_GLOB_CHARS = frozenset("*?[")


def excluded(path: Path, patterns: Sequence[str]) -> bool:
    """A pattern excludes a file when it matches its path, its name, or a folder it is in.

    `*` also matches `/`, so `legacy/*` excludes everything under `legacy/`.
    """
    if not patterns:
        return False
    posix = PurePosixPath(path.as_posix())
    candidates = [str(posix), posix.name, *(str(parent) for parent in posix.parents)]
    candidates += list(posix.parts[:-1])
    return any(fnmatch.fnmatchcase(c, p) for p in patterns for c in candidates if c != ".")


def _hidden(name: str) -> bool:
    return name.startswith(".") and name not in (".", "..")


def _walk(folder: Path, follow_symlinks: bool) -> Iterator[Path]:
    """YAML files under a folder, skipping hidden files and folders (callers sort them).

    Symbolic links are not followed unless asked: a link may point out of the folder or loop.
    When they are, each real folder is entered once, so a loop ends. Directory entries say
    what they are without another system call per file.
    """
    root = folder.resolve()
    seen = {root}
    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            with os.scandir(current) as listing:
                entries = list(listing)
        except OSError:
            continue  # a folder that cannot be listed holds nothing to read, as in os.walk
        for entry in entries:
            name = entry.name
            if _hidden(name):
                continue
            path = current / name
            if entry.is_dir():
                if entry.is_symlink() and not follow_symlinks:
                    continue
                real = path.resolve()
                if real not in seen:
                    seen.add(real)
                    pending.append(path)
            elif name.endswith(YAML_SUFFIXES):
                if entry.is_symlink() and not (follow_symlinks or _inside(path.resolve(), root)):
                    continue
                yield path


def _search(folder: Path, exclude: Sequence[str], follow_symlinks: bool) -> list[Path]:
    """A folder's workload files sorted by path, as `find | sort` would list them."""
    files = [p for p in _walk(folder, follow_symlinks) if not excluded(p, exclude)]
    return sorted(files, key=lambda p: p.parts)


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def discover(
    paths: Sequence[str], exclude: Sequence[str] = (), follow_symlinks: bool = False
) -> tuple[list[Path], list[Problem]]:
    """The files to assess, each once, in a stable order; a pattern matching nothing is a problem.

    A path that names no existing file is kept, so that reading it reports the reason.
    """
    found: list[Path] = []
    problems: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(_search(path, exclude, follow_symlinks))
        elif not path.exists() and _GLOB_CHARS & set(raw):
            # Path.glob needs a relative pattern under a known folder; a user's glob may be
            # absolute or climb with "..", which glob.glob takes as written.
            matches = sorted(glob.glob(raw, recursive=True))  # noqa: PTH207
            if not matches:
                problems.append(Problem(raw, None, None, None, "no file matches this pattern"))
            for match in matches:
                matched = Path(match)
                if matched.is_dir():
                    found.extend(_search(matched, exclude, follow_symlinks))
                elif match.endswith(YAML_SUFFIXES) and not excluded(matched, exclude):
                    found.append(matched)
        elif not excluded(path, exclude):
            found.append(path)
    return list(dict.fromkeys(found)), problems
