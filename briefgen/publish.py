"""Writing an edition: every output of one build becomes visible at once, or none does.

The new edition is written in full to a fresh folder beside the output folder, then the two folders are
exchanged in one step (Linux's `renameat2(RENAME_EXCHANGE)`), so a reader, or a build killed at any moment,
sees the old edition or the new one, never a mix. Files in the output folder that briefgen did not write are
carried into the new edition (as hard links). Where the exchange is not possible (another system, a
filesystem without it, folders of other things in the output folder) the files are replaced one by one
after all are written, which a kill between two renames can leave mixed; the README says so.

Runs on one project are serialised by a lock on the project folder; temporary folders and files are locked
by the build that owns them, so a sweep of what killed builds left never deletes a live build's files.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from briefgen.diagnostics import display_path
from briefgen.errors import BriefgenError

try:
    import fcntl
except ImportError:  # not on this system: runs are not serialised
    fcntl = None  # type: ignore[assignment]

TEMPORARY = ".briefgen-tmp"  # in the name of every temporary folder and file


@contextmanager
def project_lock(root: Path, waiting: Callable[[str], None] = lambda _: None) -> Iterator[None]:
    """Hold the project's lock: one build or add-source at a time. Waits (saying so) while another holds it.

    The lock is the kernel's, on the project folder itself: no lock file to leave behind, and a killed run
    releases it."""
    try:
        fd = os.open(root, os.O_RDONLY) if fcntl is not None else None
    except OSError:
        fd = None  # no such folder: loading the project says so, as one located line
    if fd is None:
        yield
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            waiting("waiting for another briefgen run on this project to finish")
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def output_folder(requested: Path, project_root: Path, explicit: bool) -> Path:
    """The real folder to write to, checked before anything is rendered.

    The project's own output folder must not lead out of the project (a symlink from a pull request could
    make a build write anywhere); a folder named with --output is the user's choice. Neither may hold the
    project itself, since the folder is replaced whole."""
    real = requested.resolve()
    root = project_root.resolve()
    shown = display_path(requested)
    if not explicit and not (real == root or real.is_relative_to(root)):
        raise BriefgenError(
            f"{shown} is a symlink to {real}, outside the project; briefgen does not write through it",
            path=shown, hint="remove the link, or name the folder with --output", code="BG401",
        )
    if real == root or root.is_relative_to(real):
        raise BriefgenError(f"the output folder {shown} holds the project; each build replaces its output folder whole",
                            path=shown, hint="choose another folder with --output", code="BG401")
    if real.exists() and not real.is_dir():
        raise BriefgenError(f"cannot write to the output folder {shown}: Not a directory", path=shown,
                            hint="choose another folder with --output", code="BG401")
    try:
        real.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=real):
            pass
    except OSError as exc:
        raise BriefgenError(f"cannot write to the output folder {shown}: {exc.strerror or exc}", path=shown,
                            hint="choose another folder with --output", code="BG401") from None
    return real


def publish(folder: Path, files: dict[str, bytes], previous: set[str], shown: Path | None = None) -> list[Path]:
    """Make `files` the edition in `folder` (real, existing), in one step where the system can.

    `previous` names the outputs of the last build (from its stamp): those not written again leave with the
    old edition, so the folder never holds outputs of two builds. Everything else in it is kept."""
    shown = shown or folder
    _sweep(folder.parent, f".{folder.name}{TEMPORARY}")
    _sweep(folder, ".")
    # A name may hold one folder: a briefing's figures, `briefing-figures/figure-1.svg`. The folder is an
    # output as a whole: the new edition's replaces the old one's.
    written = {_top(name) for name in files}
    kept = {entry.name: entry for entry in os.scandir(folder) if entry.name not in written and entry.name not in previous}
    for name in files:
        target = folder / name
        if "/" in name and (folder / _top(name)).is_symlink():
            where = display_path(shown / _top(name))
            raise BriefgenError(f"cannot write {where}: it is a symlink; briefgen does not write through it", path=where,
                                hint="remove the link", code="BG401")
        if target.is_dir() and not target.is_symlink():
            where = display_path(shown / name)
            raise BriefgenError(f"cannot write {where}: it is a folder", path=where,
                                hint="move the folder away, or choose another folder with --output", code="BG401")
    whole = not any(e.is_dir(follow_symlinks=False) for e in kept.values())
    if whole and _publish_whole(folder, files, kept, shown):
        return [folder / name for name in files]
    return _publish_each(folder, files, previous, shown)


def _publish_whole(folder: Path, files: dict[str, bytes], kept: dict[str, os.DirEntry], shown: Path) -> bool:
    """Write the edition to a new folder and exchange it with the old one; False if the system cannot."""
    with _temporary_folder(folder) as new:
        _write_files(new, files, shown)
        try:
            for name, entry in kept.items():
                os.link(entry.path, new / name, follow_symlinks=False)
            os.chmod(new, os.stat(folder).st_mode & 0o7777)
        except OSError:
            return False  # hard links not possible here
        _sync(new)
        try:
            _exchange(folder, new)
        except OSError as exc:
            if exc.errno in (errno.EINVAL, errno.ENOSYS, errno.EXDEV, errno.EBUSY, errno.EPERM, errno.ENOTSUP):
                return False
            raise _cannot_write(shown, exc) from None
        _sync(folder.parent)
    return True  # the old edition, now at the temporary name, went with it


def _publish_each(folder: Path, files: dict[str, bytes], previous: set[str], shown: Path) -> list[Path]:
    """All files written to temporary files first, then renamed into place one by one."""
    with _temporary_folder(folder, inside=True) as staging:
        _write_files(staging, files, shown)
        for name in files:
            try:
                if "/" in name:
                    (folder / name).parent.mkdir(exist_ok=True)
                os.replace(staging / name, folder / name)
            except OSError as exc:
                raise _cannot_write(shown / name, exc) from None
        written = {_top(name) for name in files}
        for top in previous & (written - set(files)):  # a figures folder written again: its old figures go
            for entry in os.scandir(folder / top):
                if f"{top}/{entry.name}" not in files and entry.is_file(follow_symlinks=False):
                    os.unlink(entry.path)
        for name in previous - written:
            if (folder / name).is_dir() and not (folder / name).is_symlink():  # a figures folder (stamp.py)
                shutil.rmtree(folder / name, ignore_errors=True)
            else:
                (folder / name).unlink(missing_ok=True)
        _sync(folder)
    return [folder / name for name in files]


def _top(name: str) -> str:
    """The entry of the output folder an output is: itself, or the figures folder it is in."""
    return name.split("/", 1)[0]


def write_file(path: Path, data: bytes) -> None:
    """Replace one file through a temporary file and a rename: readers see the old file or the new one."""
    try:
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}{TEMPORARY}-")
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)  # a sweep leaves it alone while this run lives
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _write_files(folder: Path, files: dict[str, bytes], shown: Path) -> None:
    for name, data in files.items():
        try:
            if "/" in name:
                (folder / name).parent.mkdir(exist_ok=True)
            fd = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(folder / name, 0o644)
        except OSError as exc:
            raise _cannot_write(shown / name, exc) from None


def _cannot_write(path: Path, exc: OSError) -> BriefgenError:
    shown = display_path(path)
    return BriefgenError(f"cannot write {shown}: {exc.strerror or exc}", path=shown, code="BG401")


@contextmanager
def _temporary_folder(folder: Path, inside: bool = False) -> Iterator[Path]:
    """A new folder beside `folder` (or inside it), locked while this build lives and removed after."""
    try:
        if inside:
            path = Path(tempfile.mkdtemp(dir=folder, prefix=f"{TEMPORARY}-"))
        else:
            path = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}{TEMPORARY}-"))
    except OSError as exc:
        raise _cannot_write(folder, exc) from None
    fd = os.open(path, os.O_RDONLY)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
        os.close(fd)


def _sweep(parent: Path, prefix: str) -> None:
    """Remove the temporary folders and files that killed builds left: those whose lock no live run holds."""
    for entry in os.scandir(parent):
        if not (entry.name.startswith(prefix) and TEMPORARY in entry.name) or entry.is_symlink():
            continue
        try:
            fd = os.open(entry.path, os.O_RDONLY | os.O_NONBLOCK)
        except OSError:
            continue
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            elif entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
        except OSError:
            pass  # a live run's (BlockingIOError), or already gone
        finally:
            os.close(fd)


def _sync(folder: Path) -> None:
    """Make renames in a folder durable (a no-op where folders cannot be synced)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> None:
    """Swap two paths in one step; OSError(ENOSYS) where the system has no such call."""
    renameat2 = getattr(_libc(), "renameat2", None)
    if renameat2 is None:
        raise OSError(errno.ENOSYS, "renameat2 is not available")
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))


def _libc() -> object:
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None
