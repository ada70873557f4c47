"""Reading input files: the only place where the core's inputs touch the file system."""

from __future__ import annotations

import errno
import os

from .errors import UserError
from .model import Component, ImageVector, Origin, Problem, VersionField
from .pyyaml import Node
from .records import dataclass
from .yamlnodes import YAMLError, compose_one, load_one

TYPE_CHECKING = False  # not typing's: importing typing costs ~3 ms at start (mypy knows the name)
if TYPE_CHECKING:
    from typing import Any

    from .validation import Role

DEFAULT_MAX_INPUT_BYTES = 256 * 1024 * 1024
_THERE = (errno.EACCES, errno.EPERM, errno.EIO)  # errors of opening a file that exists


@dataclass(frozen=True)
class TextSource:
    """A file's text, or inline text, with the name used in messages."""

    name: str
    text: str
    path: str | None = None


def decode(data: bytes, name: str) -> str:
    """UTF-8 text, or a one-line error that says where the bad byte is."""
    if data.startswith(b"\xef\xbb\xbf"):
        raise UserError(Problem("starts with a UTF-8 byte order mark; save the file without BOM", file=name, line=1,
                                column=1))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UserError(Problem("is UTF-16; save it as UTF-8", file=name, line=1, column=1))
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        column = nul - (data.rfind(b"\n", 0, nul) + 1) + 1
        raise UserError(Problem("contains a NUL byte; this is not a text file", file=name, line=line, column=column))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise UserError(Problem(f"is not valid UTF-8 (byte 0x{data[exc.start]:02x})", file=name, line=line,
                                column=column)) from None


def read_source(path: str, what: str, max_bytes: int = DEFAULT_MAX_INPUT_BYTES) -> TextSource:
    """Read a UTF-8 file; `what` names the setting it came from, for the error message."""
    if not path:
        raise UserError(f"{what}: empty path")
    if os.path.isdir(path):
        raise UserError(Problem(f"{what} is a directory; give the path of a YAML file", file=path))
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise UserError(f"{path}: {what} not found; check the path") from None
    except OSError as exc:
        message = f"{what} cannot be read: {exc.strerror}"  # a file that is there (denied), or no file (too long…)
        raise UserError(Problem(message, file=path) if exc.errno in _THERE else f"{path}: {message}") from None
    if len(data) > max_bytes:
        raise UserError(Problem(f"{what} is larger than {max_bytes} bytes; raise --max-input-bytes if this is right",
                                file=path))
    return TextSource(path, decode(data, path), path)


def read_data(path: str, what: str) -> Any:
    """A YAML file of settings (a config, a render-check file, a plugin config) as data: read and checked like
    every input file (size, UTF-8, YAML limits, duplicate keys, tags), problems with file:line:col."""
    source = read_source(path, what)
    try:
        return load_one(source.text, source.name)
    except YAMLError as exc:
        raise UserError([exc.problem]) from None


def _compose(source: TextSource) -> Node | None:
    try:
        return compose_one(source.text, source.name)
    except YAMLError as exc:
        raise UserError([exc.problem]) from None


def _whole(source: TextSource, message: str) -> Problem:
    """A problem with a whole source: in its file; inline text (in a config) is no file, its name says which."""
    return Problem(message, file=source.name) if source.path is not None else Problem(f"{source.name}: {message}")


def _split(problems: list[Problem], warnings: list[Problem] | None) -> None:
    """Raise the errors; hand the warnings to `warnings` (dropped when None)."""
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise UserError(errors)
    if warnings is not None:
        warnings.extend(p for p in problems if p.severity == "warning")


def load_vector(
    source: TextSource,
    role: Role = "vector",
    version_field: VersionField = "constraint",
    warnings: list[Problem] | None = None,
    cache: str | None = None,
) -> ImageVector:
    """A vector (or overwrite) file, validated; its warnings go to `warnings`. `cache`: the folder of
    vectorcache, where a file parsed before (the same text, name and options) is found without parsing."""
    entry = None
    if cache is not None:
        from . import vectorcache

        entry = vectorcache.key(source.text, source.name, role, version_field)
        found = vectorcache.load(cache, entry, source.name) if entry is not None else None
        if found is not None:
            if warnings is not None:
                warnings.extend(found[1])
            return found[0]
    from .validation import detect_kind, vector_from_node  # not needed when the cache has the file (start-up)

    node = _compose(source)
    if detect_kind(node) == "components":
        raise UserError(_whole(source, "is a component overwrite file (it has 'components'); "
                               "pass it with --components-overwrite or IMAGEVECTOR_OVERWRITE_COMPONENTS"))
    vector, problems = vector_from_node(node, source.name, role, version_field)
    _split(problems, warnings)
    if cache is not None and entry is not None:
        vectorcache.store(cache, entry, source.name, vector, [p for p in problems if p.severity == "warning"])
    return vector


def load_components(
    source: TextSource, version_field: VersionField = "constraint", warnings: list[Problem] | None = None
) -> list[Component]:
    from .components import components_from_node
    from .validation import detect_kind

    node = _compose(source)
    if node is not None and detect_kind(node) != "components":
        raise UserError(_whole(source, "is not a component overwrite file: expected a top-level 'components' list"))
    components, problems = components_from_node(node, source.name, version_field, source.text)
    _split(problems, warnings)
    return components


def validate_file(source: TextSource, version_field: VersionField = "constraint") -> list[Problem]:
    """Every problem of a vector, overwrite or component file, the kind recognised by its content."""
    from .components import components_from_node
    from .validation import detect_kind, vector_from_node

    try:
        node = compose_one(source.text, source.name)
    except YAMLError as exc:
        return [exc.problem]
    if detect_kind(node) == "components":
        return components_from_node(node, source.name, version_field, source.text)[1]
    if node is None:
        return [Problem.at(Origin(source.name), "is empty; expected 'images' or 'components'")]
    return vector_from_node(node, source.name, "overwrite", version_field)[1]
