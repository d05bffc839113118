"""The one rule for every file briefgen reads: where it really is, what it is, and how large.

A project is a stranger's pull request as much as the analyst's own work, so a file is read only when its
real path (symlinks followed) is inside the folders allowed for it, when it is a regular file (not a device,
a FIFO or a socket, which could hang a build or never end), and when it is within the size limit, which is
checked before reading and enforced while reading. Light on purpose: `stamp` uses it before anything else
is imported.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path

PACKAGE = Path(__file__).parent


class Unreadable(Exception):
    """Why a file may not be read: `kind` is missing, folder, outside, special, too-large or denied."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail


# What to do about each kind of refusal, where there is something to say.
HINTS = {
    "outside": "copy the file into the project instead of linking to it",
    "special": "a project file must be a regular file",
}


def inside(path: Path, roots: Sequence[Path]) -> bool:
    """Whether a real (resolved) path is one of the roots or below one."""
    return any(path == root or path.is_relative_to(root) for root in roots)


def read_bytes(path: Path, max_bytes: int, roots: Sequence[Path] | None = None) -> bytes:
    """A file's bytes under the rule; raises Unreadable. `roots` are resolved folders; None allows any folder
    (for a file the user names on the command line), but never a device, a FIFO or too many bytes."""
    real = path.resolve()
    if roots is not None and not inside(real, roots):
        raise Unreadable("outside", _outside(path, real))
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; O_NOFOLLOW: the resolved path is what is read.
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise Unreadable("missing", "does not exist") from None
    except PermissionError:
        raise Unreadable("denied", "cannot be read (permission denied)") from None
    except OSError as exc:
        raise Unreadable("denied", f"cannot be read ({exc.strerror or exc})") from None
    try:
        mode = os.fstat(fd)
        if stat.S_ISDIR(mode.st_mode):
            raise Unreadable("folder", "is a folder, not a file")
        if not stat.S_ISREG(mode.st_mode):
            raise Unreadable("special", f"is {_kind(mode.st_mode)}, not a regular file")
        if mode.st_size > max_bytes:
            raise Unreadable("too-large", f"is {mode.st_size:,} bytes, more than the limit of {max_bytes:,}")
        os.set_blocking(fd, True)
        data = _read_at_most(fd, max_bytes + 1)
        if len(data) > max_bytes:  # it grew while being read
            raise Unreadable("too-large", f"is more than the limit of {max_bytes:,} bytes")
        return data
    except IsADirectoryError:
        raise Unreadable("folder", "is a folder, not a file") from None
    except OSError as exc:
        raise Unreadable("denied", f"cannot be read ({exc.strerror or exc})") from None
    finally:
        os.close(fd)


def _read_at_most(fd: int, limit: int) -> bytes:
    chunks, size = [], 0
    while size < limit:
        chunk = os.read(fd, min(1 << 20, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _outside(path: Path, real: Path) -> str:
    if path.is_symlink():
        return f"is a symlink to {real}, outside the project"
    link = next((p for p in path.parents if p.is_symlink()), None)
    if link is not None:
        return f"is in {link.name}/, a symlink to a folder outside the project ({real.parent})"
    return f"is outside the project ({real})"


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def project_roots(root: Path) -> list[Path]:
    """The folders a project's files may really be in: the project itself, and briefgen's own package."""
    return [root.resolve(), PACKAGE.resolve()]
