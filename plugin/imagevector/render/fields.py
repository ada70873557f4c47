"""Where image fields are: field specs as data, and a small walker over composed nodes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..yamlnodes import NULL, kind_of

EACH = "[]"
Path = tuple[str, ...]

WORKLOAD_POD_SPECS: dict[str, Path] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    "PodTemplate": ("template", "spec"),
}

POD_SPEC_IMAGES: tuple[Path, ...] = (
    ("containers", EACH, "image"),
    ("initContainers", EACH, "image"),
    ("ephemeralContainers", EACH, "image"),
    ("volumes", EACH, "image", "reference"),
)


def parse_path(text: str) -> Path:
    """`spec/containers[]/image` (kustomize style) or `spec.image`; `[]` steps into every list item."""
    separator = "/" if "/" in text else "."
    steps: list[str] = []
    for part in text.strip(separator).split(separator):
        if part.endswith(EACH):
            if part[: -len(EACH)]:
                steps.append(part[: -len(EACH)])
            steps.append(EACH)
        elif part:
            steps.append(part)
    if not steps:
        raise ValueError(f"empty field path {text!r}")
    return tuple(steps)


@dataclass(frozen=True)
class FieldSpec:
    """Image fields of a kind: either a direct path to an image string, or a path to a pod spec."""

    kind: str
    path: Path
    pod_spec: bool = False
    group: str | None = None  # API group to match, None for any

    def matches(self, kind: str | None, api_version: str | None) -> bool:
        if kind != self.kind:
            return False
        if self.group is None:
            return True
        group = api_version.rsplit("/", 1)[0] if api_version and "/" in api_version else ""
        return group == self.group


def default_specs() -> tuple[FieldSpec, ...]:
    return tuple(FieldSpec(kind, path, pod_spec=True) for kind, path in WORKLOAD_POD_SPECS.items())


@dataclass(frozen=True)
class Hit:
    """An image field found in a document."""

    node: Node
    path: str  # e.g. spec.template.spec.containers[0].image
    container: str | None  # the container's name, when the field is in a container


@dataclass(frozen=True)
class ShapeError:
    node: Node
    path: str
    message: str


def get(node: Node, key: str) -> Node | None:
    if isinstance(node, MappingNode):
        for key_node, value in node.value:
            if isinstance(key_node, ScalarNode) and key_node.value == key:
                return value  # type: ignore[no-any-return]
    return None


def scalar(node: Node | None) -> str | None:
    if isinstance(node, ScalarNode) and node.tag != NULL:
        return str(node.value)
    return None


def _is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == NULL


def walk(
    node: Node, path: Path, where: str, container: str | None = None
) -> Iterator[Hit | ShapeError]:
    """Follow `path` from `node`; yield every leaf, or a ShapeError where the document has the wrong shape."""
    if not path:
        yield Hit(node, where, container)
        return
    step, rest = path[0], path[1:]
    if _is_null(node):
        return
    if step == EACH:
        if not isinstance(node, SequenceNode):
            yield ShapeError(node, where, f"must be a list, not {kind_of(node)}")
            return
        for i, item in enumerate(node.value):
            name = scalar(get(item, "name")) if isinstance(item, MappingNode) else None
            yield from walk(item, rest, f"{where}[{i}]", name if name is not None else container)
        return
    if not isinstance(node, MappingNode):
        yield ShapeError(node, where, f"must be a mapping, not {kind_of(node)}")
        return
    child = get(node, step)
    if child is None:
        return
    yield from walk(child, rest, f"{where}.{step}" if where else step, container)


def image_fields(root: Node, kind: str | None, api_version: str | None, specs: tuple[FieldSpec, ...]) -> Iterator[
    Hit | ShapeError
]:
    """Every image field of a document, by the field specs that match its kind."""
    for spec in specs:
        if not spec.matches(kind, api_version):
            continue
        if spec.pod_spec:
            for found in walk(root, spec.path, ""):
                if isinstance(found, ShapeError):
                    yield found
                    continue
                for image_path in POD_SPEC_IMAGES:
                    yield from walk(found.node, image_path, found.path, found.container)
        else:
            yield from walk(root, spec.path, "")
