"""Structural edits of one workload document with ruamel: comments, key order and indentation kept."""

from __future__ import annotations

import io
import re
from typing import Any

from ..fields import Path
from ..model import Problem
from ..scalars import LINE_BREAK, OTHER_BREAK_CHARS
from .splice import line_break


class StructuralError(Exception):
    """A workload that cannot be wired; `problem`: what and which field (the caller says which document)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.problem = Problem(message, field=field)


_OTHER_BREAK = re.compile(f"[{OTHER_BREAK_CHARS}]")  # NEL, LINE SEPARATOR, PARAGRAPH SEPARATOR
_MARKER = re.compile(r"^---[ \t]*(?:#[^\n]*)?\n")


def detect_indent(text: str) -> tuple[int, int]:
    """(mapping indent, sequence dash offset) as the document writes them; defaults (2, 0)."""
    mapping: int | None = None
    offset: int | None = None
    previous: str | None = None
    for line in text.splitlines():
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue
        if previous is not None:
            parent_indent = len(previous) - len(previous.lstrip(" "))
            indent = len(line) - len(stripped)
            if previous.rstrip().endswith(":") and not previous.lstrip(" ").startswith("- "):
                if stripped.startswith("- "):
                    offset = indent - parent_indent if offset is None else offset
                elif indent > parent_indent and mapping is None:
                    mapping = indent - parent_indent
        if mapping is not None and offset is not None:
            break
        previous = line
    return mapping or 2, max(offset or 0, 0)


def _yaml(mapping: int, offset: int) -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 1 << 16
    yaml.brace_single_entry_mapping_in_flow_sequence = True
    yaml.indent(mapping=mapping, sequence=offset + 2, offset=offset)
    return yaml


def _child(node: Any, key: str, path: str, create: type | None = None) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if not isinstance(node, dict):
        raise StructuralError(f"must be a mapping, not {type(node).__name__}", path)
    value = node.get(key)
    if value is None and create is not None:
        value = CommentedMap() if create is dict else CommentedSeq()
        node[key] = value
    return value


def edit_workload(
    text: str,
    pod_path: Path,
    *,
    container: str | None,
    volume: dict[str, Any],
    mount: dict[str, Any],
    env: list[dict[str, Any]],
    annotations: dict[str, Any],
    replace_env: bool,
) -> str:
    """Add (or update) the volume, mount, env and pod annotations; existing wiring is never duplicated. A document
    written with CRLF line breaks (most of its lines) comes back with CRLF throughout (ruamel writes "\n")."""
    other = _OTHER_BREAK.search(text)
    if other is not None:  # libyaml reads them as line breaks, ruamel (YAML 1.2) as text: it would misread it
        line = len(re.findall(LINE_BREAK, text[:other.start()])) + 1
        raise StructuralError(f"cannot wire a document with a U+{ord(other.group()):04X} line break (line {line} of "
                              "the document); write it with LF or CRLF line breaks")
    crlf = line_break(text, len(text)) == "\r\n"
    if crlf:
        text = text.replace("\r\n", "\n")
    marker = _MARKER.match(text)
    header = marker.group(0) if marker else ""
    body = text[len(header):]
    mapping, offset = detect_indent(body)
    yaml = _yaml(mapping, offset)
    if not header and body.startswith("---"):
        yaml.explicit_start = True
    data = yaml.load(body)
    path = ""
    node = data
    for step in pod_path:
        path = f"{path}.{step}" if path else step
        node = _child(node, step, path, dict)
    pod = node
    template_path = pod_path[:-1]
    template = data
    for step in template_path:
        template = template[step]
    if isinstance(template, dict) and template.get("metadata") is None:
        from ruamel.yaml.comments import CommentedMap

        template.insert(0, "metadata", CommentedMap()) if hasattr(template, "insert") else None
    metadata = _child(template, "metadata", ".".join((*template_path, "metadata")), dict)
    pod_annotations = _child(metadata, "annotations", "metadata.annotations", dict)
    for key, value in annotations.items():
        pod_annotations[key] = value

    spec_path = ".".join(pod_path)
    target, container_path = _container(pod, container, spec_path)
    volumes = _child(pod, "volumes", f"{spec_path}.volumes", list)
    _upsert(volumes, volume, "name", f"{spec_path}.volumes")
    _mount(target, mount, container_path)
    _env(target, env, container_path, replace_env)

    out = io.StringIO()
    yaml.dump(data, out)
    dumped = out.getvalue()
    if not text.endswith("\n") and dumped.endswith("\n"):
        dumped = dumped[:-1]
    return (header + dumped).replace("\n", "\r\n") if crlf else header + dumped


def _container(pod: Any, container: str | None, spec_path: str) -> tuple[Any, str]:
    """The container to wire (the first, or the one named) and its field path."""
    containers = pod.get("containers")
    if not isinstance(containers, list) or not containers:
        raise StructuralError("has no containers to wire", f"{spec_path}.containers")
    if container is None:
        index = 0
    else:
        names = [c.get("name") if isinstance(c, dict) else None for c in containers]
        if container not in names:
            raise StructuralError(
                f"no container {container!r} (containers: {', '.join(str(n) for n in names)})",
                f"{spec_path}.containers",
            )
        index = names.index(container)
    return containers[index], f"{spec_path}.containers[{index}]"


def _mount(target: Any, mount: dict[str, Any], container_path: str) -> None:
    mounts = _child(target, "volumeMounts", f"{container_path}.volumeMounts", list)
    for i, existing in enumerate(mounts):
        if (
            isinstance(existing, dict)
            and existing.get("mountPath") == mount["mountPath"]
            and existing.get("name") != mount["name"]
        ):
            raise StructuralError(
                f"volume {existing.get('name')!r} is already mounted at {mount['mountPath']}; "
                "choose another mount path",
                f"{container_path}.volumeMounts[{i}]",
            )
    _upsert(mounts, mount, "name", f"{container_path}.volumeMounts")


def _env(target: Any, env: list[dict[str, Any]], container_path: str, replace_env: bool) -> None:
    env_list = _child(target, "env", f"{container_path}.env", list)
    for entry in env:
        for i, existing in enumerate(env_list):
            if isinstance(existing, dict) and existing.get("name") == entry["name"]:
                if existing.get("value") != entry["value"] or "valueFrom" in existing:
                    if not replace_env:
                        current = existing.get("value", "<valueFrom>")
                        raise StructuralError(
                            f"env {entry['name']} is already set to {current!r}, not {entry['value']!r}; "
                            "remove it or allow replacing it (--replace-env)",
                            f"{container_path}.env[{i}]",
                        )
                    existing.pop("valueFrom", None)
                    existing["value"] = entry["value"]
                break
        else:
            env_list.append(entry)


def _upsert(items: Any, item: dict[str, Any], key: str, path: str) -> None:
    if not isinstance(items, list):
        raise StructuralError(f"must be a list, not {type(items).__name__}", path)
    for existing in items:
        if isinstance(existing, dict) and existing.get(key) == item[key]:
            if dict(existing) != item:
                existing.clear()
                existing.update(item)
            return
    items.append(item)
