"""A cache of parsed vector files, keyed by their exact content (issue 15: start-up; docs/performance.md).

Composing and validating a vector file takes 4–9 ms at every start; its parsed form loads from the cache in
about 0.4 ms. An entry can never be stale and never runs code:

* its key is the sha256 of the file's exact text, its name, the role and version field it was read with, the
  Python version and a stamp (inode, size, mtime) of every module of the package's core and loading layers,
  which decide the parsed form: any other text, option or code has another key;
* it holds plain data only (str, int, tuples, …) in `marshal`'s format, which builds values and never runs
  anything (unlike pickle); its shape and every type are checked before a value is used;
* only a file parsed without errors is stored, with its warnings, which a hit reports again as a miss does;
* the folder ($IMAGEVECTOR_CACHE_DIR, else $XDG_CACHE_HOME/imagevector, else ~/.cache/imagevector; then
  `vectors/`) is created 0700 and used only when it is ours and nobody else may write to it; an entry only
  when it is a regular file of ours that nobody else may write to; entries are written to a temporary file
  and renamed into place. `IMAGEVECTOR_CACHE_DIR=none` turns the cache off. Anything unreadable, foreign or
  malformed is a miss: the file is parsed as without a cache.
"""

from __future__ import annotations

import marshal
import os
import stat
import sys

from .model import ImageSource, ImageVector, Origin, Problem
from .records import fields

TYPE_CHECKING = False  # not typing's: importing typing costs ~3 ms at start (mypy knows the name)
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

if TYPE_CHECKING:
    from hashlib import sha256
else:
    try:  # the built-in module: hashlib would load OpenSSL (2–3 ms at start)
        from _sha256 import sha256
    except ImportError:  # pragma: no cover - Python 3.12+: _sha2; elsewhere hashlib
        try:
            from _sha2 import sha256
        except ImportError:
            from hashlib import sha256

ENV_CACHE_DIR = "IMAGEVECTOR_CACHE_DIR"  # shared with the .pyz (scripts/bundle-main.py): `none` turns both off
FORMAT = b"imagevector vector cache 2"
MAX_ENTRIES = 256  # older entries are removed when a new one is written
_FIELDS = tuple(spec.name for spec in fields(ImageSource))
# what an entry stores of each: a change of these classes must change the format (checked before storing)
_SHAPES = (_FIELDS, tuple(f.name for f in fields(Origin)), tuple(f.name for f in fields(Problem)))
_KNOWN = (("name", "repository", "tag", "ref", "source_repository", "version", "target_version", "runtime_version",
           "architectures", "extra", "origin", "target_constraint"), ("file", "line", "column", "path"),
          ("message", "severity", "file", "line", "column", "field", "document", "resource", "source", "item"))
_PLAIN = (str, int, float, bool, type(None))


def folder(env: Mapping[str, str]) -> str | None:
    """The cache folder for parsed vectors (not created here), or None when the cache is off."""
    root = env.get(ENV_CACHE_DIR)
    if root == "none":
        return None
    if not root:
        base = env.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        root = os.path.join(base, "imagevector")
    return os.path.join(root, "vectors")


def _stamp() -> bytes | None:
    """Inode, size and modification time of every module of the package's top folder (core and loading); None
    when they cannot be listed (run from inside a zip): then there is no cache."""
    here = os.path.dirname(os.path.abspath(__file__))
    parts = []
    try:
        with os.scandir(here) as entries:
            for entry in entries:
                if entry.name.endswith(".py"):
                    info = entry.stat()
                    parts.append(f"{entry.name}:{info.st_ino}:{info.st_size}:{info.st_mtime_ns}")
    except OSError:
        return None
    return "\n".join(sorted(parts)).encode() if parts else None


_STAMP: list[bytes | None] = []


def key(text: str, name: str, role: str, version_field: str) -> str | None:
    """The entry's name: a hash of everything the parsed form depends on (None: no cache for this package)."""
    if not _STAMP:
        _STAMP.append(_stamp())
    stamp = _STAMP[0]
    if stamp is None:
        return None
    digest = sha256(FORMAT)
    parts = (sys.version, role, version_field, name)
    for part in (stamp, *(p.encode("utf-8", "replace") for p in parts), text.encode("utf-8", "surrogatepass")):
        digest.update(len(part).to_bytes(8, "big") + part)
    hexdigest: str = digest.hexdigest()
    return hexdigest


def _private(path: str) -> bool:
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.geteuid() and not info.st_mode & 0o022


def load(where: str, entry: str, name: str) -> tuple[ImageVector, list[Problem]] | None:
    """The vector and warnings stored under `entry`, or None (a miss: no entry, or one not to be trusted)."""
    path = os.path.join(where, entry)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o022 \
                or not _private(where) or not _private(os.path.dirname(where)):
            return None
        with os.fdopen(os.dup(fd), "rb") as handle:
            data = handle.read()
        if os.utime in os.supports_fd:
            os.utime(fd)  # recently used: kept when old entries are removed
        return _decoded(marshal.loads(data), entry, name)
    except Exception:  # noqa: BLE001 - a cache entry that cannot be read is a miss, whatever is wrong with it
        return None
    finally:
        os.close(fd)


def _decoded(data: Any, entry: str, name: str) -> tuple[ImageVector, list[Problem]] | None:
    if type(data) is not tuple or len(data) != 5 or data[0] != FORMAT or data[1] != entry:
        return None
    _, _, images, ca_bundle, warnings = data
    if not _is_plain(images) or not _is_plain(warnings) or not (ca_bundle is None or type(ca_bundle) is str):
        return None
    vector = ImageVector(tuple(_image(values, name) for values in images), ca_bundle)
    return vector, [_problem(values, name) for values in warnings]


def _is_plain(value: Any) -> bool:
    """Only tuples, lists, dicts (of plain keys) and str, int, float, bool, None: what marshal gives back of
    what was stored, and nothing else it could build."""
    kind = type(value)
    if kind in _PLAIN:
        return True
    if kind is tuple or kind is list:
        return all(_is_plain(item) for item in value)
    if kind is dict:
        return all(type(k) in _PLAIN and _is_plain(v) for k, v in value.items())
    return False


def _origin(values: Any, name: str) -> Origin | None:
    if values is None:
        return None
    line, column, path = values
    if type(line) is not int or type(column) is not int or type(path) is not str:
        raise ValueError("origin")
    return Origin(name, line, column, path)


def _image(values: Any, name: str) -> ImageSource:
    if type(values) is not tuple or len(values) != len(_FIELDS):
        raise ValueError("entry")
    name_, repository, tag, ref, source_repository, version, target_version, runtime_version, \
        architectures, extra, origin, target_constraint = values
    if type(name_) is not str or any(v is not None and type(v) is not str for v in (*values[1:8], values[11])) \
            or not (architectures is None or type(architectures) is tuple
                    and all(type(a) is str for a in architectures)) or type(extra) is not dict:
        raise ValueError("entry")
    return ImageSource(name_, repository, tag, ref, source_repository, version, target_version, runtime_version,
                       architectures, extra, _origin(origin, name), target_constraint)


def _problem(values: Any, name: str) -> Problem:
    line, column, field, message, severity = values
    if any(v is not None and type(v) is not int for v in (line, column)) or type(message) is not str \
            or not (field is None or type(field) is str) or severity not in ("error", "warning"):
        raise ValueError("warning")
    return Problem(message, severity, name, line, column, field)


def store(where: str, entry: str, name: str, vector: ImageVector, warnings: list[Problem]) -> None:
    """Store a parsed vector and its warnings under `entry` (quietly nothing if it cannot be)."""
    if _SHAPES != _KNOWN or any(image.origin is not None and image.origin.file != name for image in vector.images) \
            or any(w.file != name or (w.document, w.resource, w.source, w.item) != (None,) * 4 for w in warnings):
        return  # only what a hit can give back exactly
    try:
        data = marshal.dumps((
            FORMAT, entry,
            tuple((*(getattr(image, f) for f in _FIELDS[:-3]), dict(image.extra), _plain_origin(image.origin),
                   image.target_constraint) for image in vector.images),
            vector.ca_bundle,
            tuple((w.line, w.column, w.field, w.message, w.severity) for w in warnings),
        ))
        if not _is_plain(marshal.loads(data)[2]):
            return
        for path in (os.path.dirname(where), where):
            try:
                os.mkdir(path, 0o700)
            except FileExistsError:
                pass
            except FileNotFoundError:
                os.makedirs(path, 0o700)
        if not _private(where) or not _private(os.path.dirname(where)):
            return
        _write(where, entry, data)
    except (OSError, ValueError):
        return


def _plain_origin(origin: Origin | None) -> tuple[int, int, str] | None:
    return (origin.line, origin.column, origin.path) if origin is not None else None


def _write(where: str, entry: str, data: bytes) -> None:
    temp = os.path.join(where, f".{entry[:16]}.{os.getpid()}.{os.urandom(6).hex()}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temp, os.path.join(where, entry))
    except OSError:
        _remove(temp)
        return
    _prune(where)


def _prune(where: str) -> None:
    """Keep the MAX_ENTRIES most recently used entries (and no temporary file of a writer that died)."""
    with os.scandir(where) as found:
        entries = [(e.stat(follow_symlinks=False).st_mtime_ns, e.name, e.path) for e in found]
    now = max((mtime for mtime, _, _ in entries), default=0)  # the entry just written
    old = [path for mtime, name, path in entries if name.startswith(".") and mtime < now - 3600 * 10**9]
    entries = sorted(e for e in entries if not e[1].startswith("."))
    for path in [*old, *(path for _, _, path in entries[: max(len(entries) - MAX_ENTRIES, 0)])]:
        _remove(path)


def _remove(path: str) -> None:
    try:  # noqa: SIM105 - contextlib would be one more import at start
        os.unlink(path)
    except OSError:
        pass
