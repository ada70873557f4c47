"""Validation of vector, overwrite and component overwrite documents, beside the pure core.

Every problem of a file is collected (never only the first), each with file, line, column and the field
path (`images[3].targetVersion`).
"""

from __future__ import annotations

import re

from . import semver
from .model import (
    ARCHITECTURES,
    ImageSource,
    ImageVector,
    Origin,
    Problem,
    VersionField,
    split_reference,
)
from .pyyaml import MappingNode, Node, ScalarNode
from .vector import duplicate_keys, suggest
from .yamlnodes import FLOAT, INT, STR, Value, decode, plain

TYPE_CHECKING = False  # not typing's: importing typing costs ~3 ms at start (mypy knows the name)
if TYPE_CHECKING:
    from typing import Literal

if TYPE_CHECKING:
    Role = Literal["vector", "overwrite"]
    FileKind = Literal["vector", "components"]
else:
    Role = FileKind = str  # names for importers; annotations are not evaluated at run time

_KNOWN_FIELDS = {
    "name",
    "repository",
    "tag",
    "ref",
    "sourceRepository",
    "version",
    "targetVersion",
    "runtimeVersion",
    "architectures",
}
# Fields real vectors carry for other tools (OCM component descriptors, Gardener's CVE labels, notes): kept
# in `extra`, never warned about. Any other unknown field is a warning, with a suggestion for a near miss.
_OTHER_TOOLS_FIELDS = {"labels", "resourceId", "extraIdentity", "comment", "comments", "description", "annotations"}
_TAG = re.compile(r"^(?:[\w][\w.-]{0,127}|sha256:[0-9a-f]{64}|[\w][\w.-]{0,127}@sha256:[0-9a-f]{64})$")


def string_field(value: Value, problems: list[Problem]) -> str | None:
    """A non-empty string field; numbers written without quotes are taken as their text (`tag: 3.5`)."""
    if not value.valid or value.is_null:
        return None
    if value.tag in (STR, INT, FLOAT):
        if not value.text.strip():
            problems.append(value.problem("must not be empty"))
            return None
        return value.text
    problems.append(value.problem(f"must be a string, not {value.kind}"))
    return None


def _constraint(value: Value, problems: list[Problem]) -> str | None:
    text = string_field(value, problems)
    if text is None:
        return None
    try:
        semver.parse_constraint(text)
    except semver.ConstraintError as exc:
        problems.append(value.problem(f"{exc}; use Masterminds/semver syntax"))
        return None
    return text


def _architectures(value: Value, problems: list[Problem]) -> tuple[str, ...] | None:
    if not value.valid or value.is_null:
        return None
    if not isinstance(value.data, list):
        problems.append(value.problem(f"must be a list, not {value.kind}"))
        return None
    result: list[str] = []
    for item in value.data:
        arch = string_field(item, problems)
        if arch is None:
            continue
        if arch not in ARCHITECTURES:
            allowed = ", ".join(ARCHITECTURES)
            problems.append(item.problem(f"unknown architecture {arch!r}; use {allowed}"))
            continue
        result.append(arch)
    if not value.data:
        problems.append(value.problem("must not be empty; omit it to serve every architecture"))
    return tuple(result)


def _entry(value: Value, role: Role, version_field: VersionField, problems: list[Problem]) -> ImageSource | None:
    """One entry of `images`, validated from its decoded value (docs/semantics.md: Entries)."""
    if not value.valid:
        return None
    if not isinstance(value.data, dict):
        problems.append(value.problem(f"must be a mapping, not {value.kind}"))
        return None
    start = len(problems)
    nodes: dict[str, Value] = value.data
    fields: dict[str, object] = {}
    extra: dict[str, object] = {}
    for key, item in nodes.items():
        if key in ("targetVersion", "runtimeVersion") or (key == "version" and version_field == "constraint"):
            fields[key] = _constraint(item, problems)
        elif key == "architectures":
            fields[key] = _architectures(item, problems)
        elif key in _KNOWN_FIELDS:
            fields[key] = string_field(item, problems)
        else:
            extra[key] = plain(item)
    _cross_field_checks(value, nodes, fields, role, version_field, problems, start)
    name = fields.get("name")
    if len(problems) > start or not isinstance(name, str):
        return None
    for key, item in nodes.items():
        if key not in _KNOWN_FIELDS and key not in _OTHER_TOOLS_FIELDS and not key.startswith("x-"):
            problems.append(_unknown_field(key, item.key_origin or item.origin, set(nodes)))
    archs = fields.get("architectures")
    target = _opt(fields, "targetVersion")
    return ImageSource(
        name=name,
        repository=_opt(fields, "repository"),
        tag=_opt(fields, "tag"),
        ref=_opt(fields, "ref"),
        source_repository=_opt(fields, "sourceRepository"),
        version=_opt(fields, "version"),
        target_version=target,
        runtime_version=_opt(fields, "runtimeVersion"),
        architectures=archs if isinstance(archs, tuple) else None,
        extra=extra,
        origin=value.origin,
        # the one place the setting is read: `version` is folded into the constraint here
        target_constraint=target if target is not None or version_field != "constraint" else _opt(fields, "version"),
    )


def _cross_field_checks(
    value: Value, nodes: dict[str, Value], fields: dict[str, object], role: Role, version_field: VersionField,
    problems: list[Problem], start: int,
) -> None:
    """What one field cannot say alone: required fields, combinations, a tag's and a repository's form."""
    if "name" not in nodes:
        problems.append(value.problem("missing required field 'name'"))
    if "ref" in nodes and ("repository" in nodes or "tag" in nodes):
        other = "repository" if "repository" in nodes else "tag"
        problems.append(nodes["ref"].problem(
            f"'ref' cannot be combined with '{other}'; give either a full ref or repository and tag"
        ))
    if "version" in nodes and "targetVersion" in nodes and version_field == "constraint":
        problems.append(nodes["targetVersion"].problem(
            "'version' and 'targetVersion' on one entry; keep one of them "
            "(or read 'version' as a label with --version-field=label)"
        ))
    tag = fields.get("tag")
    if isinstance(tag, str) and not _TAG.match(tag):
        problems.append(nodes["tag"].problem(
            f"invalid tag {tag!r}: expected a tag, sha256:<digest> or <tag>@sha256:<digest>"
        ))
    repository = fields.get("repository")
    if isinstance(repository, str):
        _check_repository(repository, nodes["repository"], problems)
    if role == "vector" and "ref" not in nodes and "repository" not in nodes and len(problems) == start:
        problems.append(value.problem("needs 'repository' (with an optional 'tag') or 'ref'"))


def _check_repository(repository: str, value: Value, problems: list[Problem]) -> None:
    """A repository is a name only: a tag or digest in it would make `repo:tag:tag` (docs/semantics.md: Entries)."""
    name, tag, digest = split_reference(repository)
    if tag is None and digest is None:
        return
    if digest is not None:
        fix = f"repository: {name}, tag: {(tag + '@') if tag else ''}{digest}" if digest.startswith("sha256:") else ""
        what = "a digest"
    else:
        fix = f"repository: {name}, tag: {tag!r}" if tag else ""
        what = "a tag"
    hint = f"split it: {fix}" if fix else "give the repository without tag or digest, and the tag in 'tag'"
    problems.append(value.problem(f"{repository!r} holds {what}; {hint} (or one full reference in 'ref')"))


def _unknown_field(key: str, where: Origin, present: set[str]) -> Problem:
    close = suggest(key, _KNOWN_FIELDS - present) or suggest(key, _KNOWN_FIELDS)
    if close is None and len(key) >= 3:  # an abbreviation: `repo`, `arch`
        prefixed = sorted(f for f in _KNOWN_FIELDS if f.lower().startswith(key.lower()))
        close = next((f for f in prefixed if f not in present), prefixed[0] if prefixed else None)
    hint = f"did you mean {close!r}? " if close else ""
    known = ", ".join(sorted(_KNOWN_FIELDS))
    return Problem.at(where, f"unknown field {key!r} is ignored; {hint}known fields: {known}", "warning")


def _opt(fields: dict[str, object], key: str) -> str | None:
    value = fields.get(key)
    return value if isinstance(value, str) else None


def vector_from_node(
    node: Node | None,
    file: str,
    role: Role = "vector",
    version_field: VersionField = "constraint",
    problems: list[Problem] | None = None,
) -> tuple[ImageVector, list[Problem]]:
    """Decode a vector or overwrite document once, then validate the decoded values; returns the vector and
    every problem found, in the order of the file."""
    problems = [] if problems is None else problems
    if node is None:
        return ImageVector(), problems
    found: list[Problem] = []
    vector = vector_from_value(decode(node, file, "", found), role, version_field, found)
    problems.extend(sorted(found, key=_position))
    return vector, problems


def _position(problem: Problem) -> tuple[int, int]:
    return problem.line or 0, problem.column or 0


def vector_from_value(
    value: Value, role: Role, version_field: VersionField, problems: list[Problem]
) -> ImageVector:
    if not value.valid:
        return ImageVector()
    if not isinstance(value.data, dict):
        problems.append(value.problem(f"expected a mapping with 'images', not {value.kind}"))
        return ImageVector()
    images: list[ImageSource] = []
    ca_bundle: str | None = None
    for key, item in value.items():
        if key == "images":
            if not item.valid or item.is_null:
                continue
            if not isinstance(item.data, list):
                problems.append(item.problem(f"must be a list, not {item.kind}"))
                continue
            for entry_value in item.data:
                entry = _entry(entry_value, role, version_field, problems)
                if entry is not None:
                    images.append(entry)
        elif key == "caBundle":
            ca_bundle = _ca_bundle(item, problems)
        else:
            close = suggest(key, ("images", "caBundle"))
            hint = f"did you mean {close!r}?" if close else "expected 'images' or 'caBundle'"
            problems.append(item.problem(f"unknown top-level field {key!r}; {hint}"))
    vector = ImageVector(tuple(images), ca_bundle)
    problems.extend(duplicate_keys(vector))
    return vector


def _ca_bundle(value: Value, problems: list[Problem]) -> str | None:
    if not value.valid:
        return None
    if not isinstance(value.data, dict):
        problems.append(value.problem("must be a mapping with 'inline: <PEM>'"))
        return None
    pem: str | None = None
    for key, item in value.items():
        if key != "inline":
            problems.append(item.problem(f"unknown field {key!r}; expected 'inline'"))
            continue
        pem = string_field(item, problems)
        if pem is not None:
            from .cabundle import ca_bundle_validity, check_ca_bundle  # only with a caBundle (start-up)

            reason = check_ca_bundle(pem)
            if reason:
                problems.append(item.problem(reason))
                pem = None
                continue
            for why in ca_bundle_validity(pem):
                problems.append(item.problem(f"{why}: image pulls that rely on this bundle will fail TLS; renew it",
                                             "warning"))
    return pem


def detect_kind(node: Node | None) -> FileKind:
    """`components` files are recognised by their top-level key; everything else is a vector."""
    if isinstance(node, MappingNode):
        for key_node, _ in node.value:
            if isinstance(key_node, ScalarNode) and key_node.value == "components":
                return "components"
    return "vector"
