"""Writing files: the one place a command replaces a file (render-check --write, install-kustomize-plugin)."""

from __future__ import annotations

import contextlib
import os
import tempfile


def atomic_write(path: str, text: str, mode: int | None = None) -> None:
    """Replace `path` by `text` atomically: a temporary file in the same folder, fsync, rename, fsync the folder.

    Readers see the old or the new content, never a part; the file keeps its permission bits (or gets `mode`).
    """
    folder = os.path.dirname(os.path.abspath(path))
    if mode is None:
        try:
            mode = os.stat(path).st_mode & 0o7777
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    try:
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(dir_fd)
    except OSError:  # pragma: no cover - file systems that cannot sync a folder
        pass
    finally:
        os.close(dir_fd)
