"""Writing a report file so that readers only ever see the old file or the whole new one."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path


def _default_mode() -> int:
    """The mode a new file gets here: 0o666 less the process umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomically(path: Path, chunks: Iterable[str]) -> None:
    """Write the chunks to a temporary file in the same folder, then rename it over `path`.

    On any failure (a full disk, no permission, a folder in the way) the temporary file is
    removed, `path` is left as it was, and the OSError propagates. A symbolic link stays a
    link: the file it points to is the one replaced. A device or a pipe (`/dev/null`,
    `/dev/stdout`) holds no file to replace, and is written to as it is.
    """
    if path.is_dir():
        raise IsADirectoryError(21, "Is a directory", str(path))
    if path.exists() and not path.is_file():
        with path.open("w", encoding="utf-8", newline="") as handle:
            for chunk in chunks:
                handle.write(chunk)
        return
    target = path.resolve() if path.is_symlink() else path
    # A replaced file keeps its mode (a 0600 report stays private); a new one gets the usual.
    mode = target.stat().st_mode & 0o7777 if target.exists() else _default_mode()
    descriptor, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    temporary = Path(name)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
            for chunk in chunks:
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.chmod(mode)
        temporary.replace(target)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise


def replaces_an_input(output: Path, inputs: Sequence[Path]) -> bool:
    """Whether writing `output` would replace one of the files being read: the same file, by
    whatever path or link it is named."""
    try:
        target = output.stat()
    except OSError:
        return False  # nothing there yet, so no input is it
    for path in inputs:
        try:
            status = path.stat()
        except OSError:
            continue
        if (status.st_dev, status.st_ino) == (target.st_dev, target.st_ino):
            return True
    return False
