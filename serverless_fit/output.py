"""Writing a report file so that readers only ever see the old file or the whole new one."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path


def _default_mode() -> int:
    """The mode a new file gets here: 0o666 less the process umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomically(path: Path, chunks: Iterable[str]) -> None:
    """Write the chunks to a temporary file in the same folder, then rename it over `path`.

    On any failure (a full disk, no permission, a folder in the way) the temporary file is
    removed, `path` is left as it was, and the OSError propagates.
    """
    if path.is_dir():
        raise IsADirectoryError(21, "Is a directory", str(path))
    descriptor, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    temporary = Path(name)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
            for chunk in chunks:
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.chmod(_default_mode())
        temporary.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
