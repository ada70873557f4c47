"""Validation of vector, overwrite and component overwrite documents, beside the pure core.

Every problem of a file is collected (never only the first), each with file, line, column and the field
path (`images[3].targetVersion`).
"""

from __future__ import annotations

import re

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from . import semver
from .model import (
    ARCHITECTURES,
    ImageSource,
    ImageVector,
    Problem,
    VersionField,
    split_reference,
)
from .vector import duplicate_keys, suggest
from .yamlnodes import (
    FLOAT,
    INT,
    NULL,
    STR,
    check_tag,
    join_path,
    kind_of,
    mapping_items,
    origin,
    to_python,
)

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


def string_field(node: Node, file: str, path: str, problems: list[Problem]) -> str | None:
    """A non-empty string field; numbers written without quotes are taken as their text (`tag: 3.5`)."""
    if not check_tag(node, file, path, problems):
        return None
    if isinstance(node, ScalarNode):
        if node.tag == NULL:
            return None
        if node.tag in (STR, INT, FLOAT):
            if not node.value.strip():
                problems.append(Problem.at(origin(file, node, path), "must not be empty"))
                return None
            return str(node.value)
    problems.append(Problem.at(origin(file, node, path), f"must be a string, not {kind_of(node)}"))
    return None


def _constraint(node: Node, file: str, path: str, problems: list[Problem]) -> str | None:
    text = string_field(node, file, path, problems)
    if text is None:
        return None
    try:
        semver.parse_constraint(text)
    except semver.ConstraintError as exc:
        problems.append(Problem.at(origin(file, node, path), f"{exc}; use Masterminds/semver syntax"))
        return None
    return text


def _architectures(node: Node, file: str, path: str, problems: list[Problem]) -> tuple[str, ...] | None:
    if isinstance(node, ScalarNode) and node.tag == NULL:
        return None
    if not isinstance(node, SequenceNode):
        problems.append(Problem.at(origin(file, node, path), f"must be a list, not {kind_of(node)}"))
        return None
    result: list[str] = []
    for i, item in enumerate(node.value):
        item_path = join_path(path, i)
        arch = string_field(item, file, item_path, problems)
        if arch is None:
            continue
        if arch not in ARCHITECTURES:
            allowed = ", ".join(ARCHITECTURES)
            problems.append(Problem.at(origin(file, item, item_path), f"unknown architecture {arch!r}; use {allowed}"))
            continue
        result.append(arch)
    if not node.value:
        problems.append(Problem.at(origin(file, node, path), "must not be empty; omit it to serve every architecture"))
    return tuple(result)


def _entry(
    node: Node, file: str, path: str, role: Role, version_field: VersionField, problems: list[Problem]
) -> ImageSource | None:
    if not check_tag(node, file, path, problems):
        return None
    if not isinstance(node, MappingNode):
        problems.append(Problem.at(origin(file, node, path), f"must be a mapping, not {kind_of(node)}"))
        return None
    start = len(problems)
    fields: dict[str, object] = {}
    extra: dict[str, object] = {}
    nodes: dict[str, Node] = {}
    unknown: list[tuple[str, Node]] = []
    for key, _key_node, value in mapping_items(node, file, path, problems):
        field_path = join_path(path, key)
        nodes[key] = value
        if key in ("targetVersion", "runtimeVersion") or (key == "version" and version_field == "constraint"):
            fields[key] = _constraint(value, file, field_path, problems)
        elif key == "architectures":
            fields[key] = _architectures(value, file, field_path, problems)
        elif key in _KNOWN_FIELDS:
            fields[key] = string_field(value, file, field_path, problems)
        else:
            extra[key] = to_python(value, file, field_path, problems)
            if key not in _OTHER_TOOLS_FIELDS and not key.startswith("x-"):
                unknown.append((key, _key_node))
    name = fields.get("name")
    if "name" not in nodes:
        problems.append(Problem.at(origin(file, node, path), "missing required field 'name'"))
    if "ref" in nodes and ("repository" in nodes or "tag" in nodes):
        other = "repository" if "repository" in nodes else "tag"
        problems.append(
            Problem.at(
                origin(file, nodes["ref"], join_path(path, "ref")),
                f"'ref' cannot be combined with '{other}'; give either a full ref or repository and tag",
            )
        )
    if "version" in nodes and "targetVersion" in nodes and version_field == "constraint":
        problems.append(
            Problem.at(
                origin(file, nodes["targetVersion"], join_path(path, "targetVersion")),
                "'version' and 'targetVersion' on one entry; keep one of them "
                "(or read 'version' as a label with --version-field=label)",
            )
        )
    tag = fields.get("tag")
    if isinstance(tag, str) and not _TAG.match(tag):
        problems.append(
            Problem.at(
                origin(file, nodes["tag"], join_path(path, "tag")),
                f"invalid tag {tag!r}: expected a tag, sha256:<digest> or <tag>@sha256:<digest>",
            )
        )
    repository = fields.get("repository")
    if isinstance(repository, str):
        _check_repository(repository, nodes["repository"], file, join_path(path, "repository"), problems)
    if role == "vector" and "ref" not in nodes and "repository" not in nodes and len(problems) == start:
        problems.append(Problem.at(origin(file, node, path), "needs 'repository' (with an optional 'tag') or 'ref'"))
    if len(problems) > start or not isinstance(name, str):
        return None
    for key, key_node in unknown:
        problems.append(_unknown_field(key, key_node, file, join_path(path, key), set(nodes)))
    archs = fields.get("architectures")
    return ImageSource(
        name=name,
        repository=_opt(fields, "repository"),
        tag=_opt(fields, "tag"),
        ref=_opt(fields, "ref"),
        source_repository=_opt(fields, "sourceRepository"),
        version=_opt(fields, "version"),
        target_version=_opt(fields, "targetVersion"),
        runtime_version=_opt(fields, "runtimeVersion"),
        architectures=archs if isinstance(archs, tuple) else None,
        extra=extra,
        origin=origin(file, node, path),
    )


def _check_repository(repository: str, node: Node, file: str, path: str, problems: list[Problem]) -> None:
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
    problems.append(
        Problem.at(origin(file, node, path), f"{repository!r} holds {what}; {hint} (or one full reference in 'ref')")
    )


def _unknown_field(key: str, key_node: Node, file: str, path: str, present: set[str]) -> Problem:
    close = suggest(key, _KNOWN_FIELDS - present) or suggest(key, _KNOWN_FIELDS)
    if close is None and len(key) >= 3:  # an abbreviation: `repo`, `arch`
        prefixed = sorted(f for f in _KNOWN_FIELDS if f.lower().startswith(key.lower()))
        close = next((f for f in prefixed if f not in present), prefixed[0] if prefixed else None)
    hint = f"did you mean {close!r}? " if close else ""
    return Problem.at(
        origin(file, key_node, path),
        f"unknown field {key!r} is ignored; {hint}known fields: {', '.join(sorted(_KNOWN_FIELDS))}",
        "warning",
    )


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
    """Validate a vector or overwrite document; returns the vector and every problem found."""
    problems = [] if problems is None else problems
    if node is None:
        return ImageVector(), problems
    if not check_tag(node, file, "", problems):
        return ImageVector(), problems
    if not isinstance(node, MappingNode):
        problems.append(Problem.at(origin(file, node), f"expected a mapping with 'images', not {kind_of(node)}"))
        return ImageVector(), problems
    images: list[ImageSource] = []
    ca_bundle: str | None = None
    for key, _key_node, value in mapping_items(node, file, "", problems):
        if key == "images":
            if isinstance(value, ScalarNode) and value.tag == NULL:
                continue
            if not check_tag(value, file, "images", problems):
                continue
            if not isinstance(value, SequenceNode):
                problems.append(Problem.at(origin(file, value, "images"), f"must be a list, not {kind_of(value)}"))
                continue
            for i, item in enumerate(value.value):
                entry = _entry(item, file, f"images[{i}]", role, version_field, problems)
                if entry is not None:
                    images.append(entry)
        elif key == "caBundle":
            ca_bundle = _ca_bundle(value, file, problems)
        else:
            close = suggest(key, ("images", "caBundle"))
            hint = f"did you mean {close!r}?" if close else "expected 'images' or 'caBundle'"
            problems.append(Problem.at(origin(file, value, key), f"unknown top-level field {key!r}; {hint}"))
    vector = ImageVector(tuple(images), ca_bundle)
    problems.extend(duplicate_keys(vector, version_field))
    return vector, problems


def _ca_bundle(node: Node, file: str, problems: list[Problem]) -> str | None:
    if not isinstance(node, MappingNode):
        problems.append(Problem.at(origin(file, node, "caBundle"), "must be a mapping with 'inline: <PEM>'"))
        return None
    pem: str | None = None
    for key, _k, value in mapping_items(node, file, "caBundle", problems):
        path = join_path("caBundle", key)
        if key != "inline":
            problems.append(Problem.at(origin(file, value, path), f"unknown field {key!r}; expected 'inline'"))
            continue
        pem = string_field(value, file, path, problems)
        if pem is not None:
            from .cabundle import ca_bundle_validity, check_ca_bundle  # only with a caBundle (start-up)

            reason = check_ca_bundle(pem)
            if reason:
                problems.append(Problem.at(origin(file, value, path), reason))
                pem = None
                continue
            for why in ca_bundle_validity(pem):
                problems.append(
                    Problem.at(
                        origin(file, value, path),
                        f"{why}: image pulls that rely on this bundle will fail TLS; renew it",
                        "warning",
                    )
                )
    return pem


def detect_kind(node: Node | None) -> FileKind:
    """`components` files are recognised by their top-level key; everything else is a vector."""
    if isinstance(node, MappingNode):
        for key_node, _ in node.value:
            if isinstance(key_node, ScalarNode) and key_node.value == "components":
                return "components"
    return "vector"
