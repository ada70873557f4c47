"""Validation of vector, overwrite and component overwrite documents, beside the pure core.

Every problem of a file is collected (never only the first), each with file, line, column and the field
path (`images[3].targetVersion`).
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import replace
from datetime import datetime, timezone
from typing import Literal

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from . import semver
from .model import (
    ARCHITECTURES,
    Component,
    ImageSource,
    ImageVector,
    Origin,
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
    YAMLError,
    check_tag,
    compose_one,
    join_path,
    kind_of,
    mapping_items,
    origin,
    to_python,
)

Role = Literal["vector", "overwrite"]
FileKind = Literal["vector", "components"]

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
_PEM_BLOCK = re.compile(r"-----BEGIN CERTIFICATE-----\s*(.*?)\s*-----END CERTIFICATE-----", re.S)
_TAG = re.compile(r"^(?:[\w][\w.-]{0,127}|sha256:[0-9a-f]{64}|[\w][\w.-]{0,127}@sha256:[0-9a-f]{64})$")


def _string(node: Node, file: str, path: str, problems: list[Problem]) -> str | None:
    """A non-empty string field; numbers written without quotes are taken as their text (`tag: 3.5`)."""
    if not check_tag(node, file, path, problems):
        return None
    if isinstance(node, ScalarNode):
        if node.tag == NULL:
            return None
        if node.tag in (STR, INT, FLOAT):
            if not node.value.strip():
                problems.append(Problem(origin(file, node, path), "must not be empty"))
                return None
            return str(node.value)
    problems.append(Problem(origin(file, node, path), f"must be a string, not {kind_of(node)}"))
    return None


def _constraint(node: Node, file: str, path: str, problems: list[Problem]) -> str | None:
    text = _string(node, file, path, problems)
    if text is None:
        return None
    try:
        semver.parse_constraint(text)
    except semver.ConstraintError as exc:
        problems.append(Problem(origin(file, node, path), f"{exc}; use Masterminds/semver syntax"))
        return None
    return text


def _architectures(node: Node, file: str, path: str, problems: list[Problem]) -> tuple[str, ...] | None:
    if isinstance(node, ScalarNode) and node.tag == NULL:
        return None
    if not isinstance(node, SequenceNode):
        problems.append(Problem(origin(file, node, path), f"must be a list, not {kind_of(node)}"))
        return None
    result: list[str] = []
    for i, item in enumerate(node.value):
        item_path = join_path(path, i)
        arch = _string(item, file, item_path, problems)
        if arch is None:
            continue
        if arch not in ARCHITECTURES:
            allowed = ", ".join(ARCHITECTURES)
            problems.append(Problem(origin(file, item, item_path), f"unknown architecture {arch!r}; use {allowed}"))
            continue
        result.append(arch)
    if not node.value:
        problems.append(Problem(origin(file, node, path), "must not be empty; omit it to serve every architecture"))
    return tuple(result)


def check_ca_bundle(pem: str) -> str | None:
    """None when `pem` holds one or more parsable PEM certificates, else the reason."""
    blocks = _PEM_BLOCK.findall(pem)
    if not blocks:
        return "holds no PEM certificate (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----)"
    for i, body in enumerate(blocks, 1):
        try:
            der = base64.b64decode("".join(body.split()), validate=True)
        except (binascii.Error, ValueError):
            return f"certificate {i} is not valid base64"
        if len(der) < 16 or der[0] != 0x30:
            return f"certificate {i} is not a DER certificate"
    return None


def ca_bundle_validity(pem: str, now: datetime | None = None) -> list[str]:
    """Why certificates of a (well-formed) bundle cannot be trusted now: expired or not yet valid."""
    now = now or datetime.now(timezone.utc)
    reasons: list[str] = []
    for i, body in enumerate(_PEM_BLOCK.findall(pem), 1):
        try:
            not_before, not_after = _validity(base64.b64decode("".join(body.split())))
        except (ValueError, IndexError, binascii.Error):
            reasons.append(f"certificate {i} is not a parsable X.509 certificate")
            continue
        if not_after < now:
            reasons.append(f"certificate {i} expired on {not_after:%Y-%m-%d %H:%M:%S} UTC")
        elif not_before > now:
            reasons.append(f"certificate {i} is not valid before {not_before:%Y-%m-%d %H:%M:%S} UTC")
    return reasons


def _der(data: bytes, at: int) -> tuple[int, int, int]:
    """(tag, start of content, end of content) of the DER element at `at`."""
    tag, length = data[at], data[at + 1]
    at += 2
    if length & 0x80:
        count = length & 0x7F
        if not 0 < count <= 4:
            raise ValueError("bad length")
        length = int.from_bytes(data[at : at + count], "big")
        at += count
    if at + length > len(data):
        raise ValueError("truncated")
    return tag, at, at + length


def _validity(der: bytes) -> tuple[datetime, datetime]:
    """notBefore and notAfter of an X.509 certificate (RFC 5280 §4.1)."""
    _, cert, _ = _der(der, 0)  # Certificate ::= SEQUENCE
    tag, at, end = _der(der, cert)  # tbsCertificate ::= SEQUENCE
    if tag != 0x30:
        raise ValueError("no tbsCertificate")
    fields: list[int] = []
    while at < end and len(fields) < 6:
        fields.append(at)
        at = _der(der, at)[2]
    if der[fields[0]] == 0xA0:  # [0] version
        fields.pop(0)
    tag, at, _ = _der(der, fields[3])  # serial, signature, issuer, validity
    if tag != 0x30:
        raise ValueError("no validity")
    times: list[datetime] = []
    for _ in range(2):
        tag, start, stop = _der(der, at)
        text = der[start:stop].decode("ascii")
        if tag == 0x17:  # UTCTime YYMMDDHHMMSSZ
            year = int(text[:2])
            text = f"{1900 + year if year >= 50 else 2000 + year}{text[2:]}"
        elif tag != 0x18:  # GeneralizedTime YYYYMMDDHHMMSSZ
            raise ValueError("bad time")
        times.append(datetime.strptime(text, "%Y%m%d%H%M%SZ").replace(tzinfo=timezone.utc))
        at = stop
    return times[0], times[1]


def _entry(
    node: Node, file: str, path: str, role: Role, version_field: VersionField, problems: list[Problem]
) -> ImageSource | None:
    if not check_tag(node, file, path, problems):
        return None
    if not isinstance(node, MappingNode):
        problems.append(Problem(origin(file, node, path), f"must be a mapping, not {kind_of(node)}"))
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
            fields[key] = _string(value, file, field_path, problems)
        else:
            extra[key] = to_python(value, file, field_path, problems)
            if key not in _OTHER_TOOLS_FIELDS and not key.startswith("x-"):
                unknown.append((key, _key_node))
    name = fields.get("name")
    if "name" not in nodes:
        problems.append(Problem(origin(file, node, path), "missing required field 'name'"))
    if "ref" in nodes and ("repository" in nodes or "tag" in nodes):
        other = "repository" if "repository" in nodes else "tag"
        problems.append(
            Problem(
                origin(file, nodes["ref"], join_path(path, "ref")),
                f"'ref' cannot be combined with '{other}'; give either a full ref or repository and tag",
            )
        )
    if "version" in nodes and "targetVersion" in nodes and version_field == "constraint":
        problems.append(
            Problem(
                origin(file, nodes["targetVersion"], join_path(path, "targetVersion")),
                "'version' and 'targetVersion' on one entry; keep one of them "
                "(or read 'version' as a label with --version-field=label)",
            )
        )
    tag = fields.get("tag")
    if isinstance(tag, str) and not _TAG.match(tag):
        problems.append(
            Problem(
                origin(file, nodes["tag"], join_path(path, "tag")),
                f"invalid tag {tag!r}: expected a tag, sha256:<digest> or <tag>@sha256:<digest>",
            )
        )
    repository = fields.get("repository")
    if isinstance(repository, str):
        _check_repository(repository, nodes["repository"], file, join_path(path, "repository"), problems)
    if role == "vector" and "ref" not in nodes and "repository" not in nodes and len(problems) == start:
        problems.append(Problem(origin(file, node, path), "needs 'repository' (with an optional 'tag') or 'ref'"))
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
        Problem(origin(file, node, path), f"{repository!r} holds {what}; {hint} (or one full reference in 'ref')")
    )


def _unknown_field(key: str, key_node: Node, file: str, path: str, present: set[str]) -> Problem:
    close = suggest(key, _KNOWN_FIELDS - present) or suggest(key, _KNOWN_FIELDS)
    if close is None and len(key) >= 3:  # an abbreviation: `repo`, `arch`
        prefixed = sorted(f for f in _KNOWN_FIELDS if f.lower().startswith(key.lower()))
        close = next((f for f in prefixed if f not in present), prefixed[0] if prefixed else None)
    hint = f"did you mean {close!r}? " if close else ""
    return Problem(
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
        problems.append(Problem(origin(file, node), f"expected a mapping with 'images', not {kind_of(node)}"))
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
                problems.append(Problem(origin(file, value, "images"), f"must be a list, not {kind_of(value)}"))
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
            problems.append(Problem(origin(file, value, key), f"unknown top-level field {key!r}; {hint}"))
    vector = ImageVector(tuple(images), ca_bundle)
    problems.extend(duplicate_keys(vector, version_field))
    return vector, problems


def _ca_bundle(node: Node, file: str, problems: list[Problem]) -> str | None:
    if not isinstance(node, MappingNode):
        problems.append(Problem(origin(file, node, "caBundle"), "must be a mapping with 'inline: <PEM>'"))
        return None
    pem: str | None = None
    for key, _k, value in mapping_items(node, file, "caBundle", problems):
        path = join_path("caBundle", key)
        if key != "inline":
            problems.append(Problem(origin(file, value, path), f"unknown field {key!r}; expected 'inline'"))
            continue
        pem = _string(value, file, path, problems)
        if pem is not None:
            reason = check_ca_bundle(pem)
            if reason:
                problems.append(Problem(origin(file, value, path), reason))
                pem = None
                continue
            for why in ca_bundle_validity(pem):
                problems.append(
                    Problem(
                        origin(file, value, path),
                        f"{why}: image pulls that rely on this bundle will fail TLS; renew it",
                        "warning",
                    )
                )
    return pem


def _embedded_offset(node: ScalarNode, lines: list[str]) -> tuple[int, int]:
    """Line and column offset of the text of a literal block scalar inside its file (else its start)."""
    first = node.start_mark.line + 1
    if node.style == "|" and first < len(lines):
        line = lines[first]
        return first, len(line) - len(line.lstrip(" "))
    return node.start_mark.line, node.start_mark.column


def components_from_node(
    node: Node | None, file: str, version_field: VersionField = "constraint", source: str = ""
) -> tuple[list[Component], list[Problem]]:
    """Validate a component overwrite file; each `imageVectorOverwrite` is validated as an overwrite."""
    problems: list[Problem] = []
    components: list[Component] = []
    if node is None:
        return components, problems
    if not isinstance(node, MappingNode):
        problems.append(Problem(origin(file, node), f"expected a mapping with 'components', not {kind_of(node)}"))
        return components, problems
    for key, _k, value in mapping_items(node, file, "", problems):
        if key != "components":
            message = f"unknown top-level field {key!r}; expected 'components'"
            problems.append(Problem(origin(file, value, key), message))
            continue
        if isinstance(value, ScalarNode) and value.tag == NULL:
            continue
        if not isinstance(value, SequenceNode):
            problems.append(Problem(origin(file, value, "components"), f"must be a list, not {kind_of(value)}"))
            continue
        names: dict[str, int] = {}
        lines = source.splitlines()
        for i, item in enumerate(value.value):
            path = f"components[{i}]"
            component = _component(item, file, path, version_field, lines, problems)
            if component is None:
                continue
            if component.name in names:
                problems.append(
                    Problem(
                        origin(file, item, path),
                        f"component {component.name!r} is listed twice (first at components[{names[component.name]}])",
                    )
                )
                continue
            names[component.name] = i
            components.append(component)
    return components, problems


def _component(
    node: Node, file: str, path: str, version_field: VersionField, lines: list[str], problems: list[Problem]
) -> Component | None:
    if not isinstance(node, MappingNode):
        problems.append(Problem(origin(file, node, path), f"must be a mapping, not {kind_of(node)}"))
        return None
    start = len(problems)
    name: str | None = None
    text: str | None = None
    overwrite = ImageVector()
    seen: set[str] = set()
    for key, _k, value in mapping_items(node, file, path, problems):
        field_path = join_path(path, key)
        seen.add(key)
        if key == "name":
            name = _string(value, file, field_path, problems)
        elif key == "imageVectorOverwrite":
            text = _string(value, file, field_path, problems)
            if text is not None and isinstance(value, ScalarNode):
                overwrite = _embedded(text, value, file, field_path, version_field, lines, problems)
        else:
            problems.append(
                Problem(
                    origin(file, value, field_path),
                    f"unknown field {key!r}; expected 'name' and 'imageVectorOverwrite'",
                )
            )
    for required in ("name", "imageVectorOverwrite"):
        if required not in seen:
            problems.append(Problem(origin(file, node, path), f"missing required field {required!r}"))
    if any(p.severity == "error" for p in problems[start:]) or name is None or text is None:
        return None
    return Component(name, text, overwrite, origin(file, node, path))


def _embedded(
    text: str,
    node: ScalarNode,
    file: str,
    path: str,
    version_field: VersionField,
    lines: list[str],
    problems: list[Problem],
) -> ImageVector:
    """Validate an overwrite embedded in a string; locations point into the outer file where possible."""
    line_offset, column_offset = _embedded_offset(node, lines)
    inner: list[Problem] = []
    try:
        inner_node = compose_one(text, file)
    except YAMLError as exc:
        inner = [exc.problem]
        vector = ImageVector()
    else:
        vector, inner = vector_from_node(inner_node, file, "overwrite", version_field)
    def outer(o: Origin) -> Origin:
        line = o.line + line_offset if o.line else node.start_mark.line + 1
        column = o.column + column_offset if o.line else node.start_mark.column + 1
        return Origin(file, line, column, f"{path}: {o.path}" if o.path else path)

    for problem in inner:
        problems.append(Problem(outer(problem.origin), problem.message, problem.severity))
    images = tuple(replace(image, origin=outer(image.origin)) if image.origin else image for image in vector.images)
    return ImageVector(images, vector.ca_bundle)


def detect_kind(node: Node | None) -> FileKind:
    """`components` files are recognised by their top-level key; everything else is a vector."""
    if isinstance(node, MappingNode):
        for key_node, _ in node.value:
            if isinstance(key_node, ScalarNode) and key_node.value == "components":
                return "components"
    return "vector"
