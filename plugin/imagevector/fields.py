"""Where image fields are: field specs as data (the event scan in scan.py follows them)."""

from __future__ import annotations

from collections.abc import Sequence

from .records import dataclass

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


ITEMS = ("items", EACH)  # the resources of a `kind: List` (and DeploymentList, ResourceList, …)


@dataclass(frozen=True)
class Patterns:
    """Image field paths of all field specs, with `[]` for list items.

    Every path is also known below `items[]`, with spec index `len(specs) + i`: the items of a `kind: List`
    are resources whose own kind decides (the scan cannot know the document's kind before it ends)."""

    specs: tuple[FieldSpec, ...]
    leaves: dict[tuple[str, ...], tuple[int, ...]]
    lists: dict[tuple[str, ...], int]  # path → scope (1 document, 2 List item, 3 both)
    prefixes: frozenset[tuple[str, ...]]  # paths on the way to a leaf or to the document's identity

    @classmethod
    def of(cls, specs: tuple[FieldSpec, ...]) -> Patterns:
        leaves: dict[tuple[str, ...], list[int]] = {}
        lists: dict[tuple[str, ...], int] = {}
        count = len(specs)
        for i, spec in enumerate(specs):
            paths = [spec.path + sub for sub in POD_SPEC_IMAGES] if spec.pod_spec else [spec.path]
            for path in paths:
                for root, index, scope in (((), i, 1), (ITEMS, count + i, 2)):
                    full = root + path
                    leaves.setdefault(full, []).append(index)
                    for j, step in enumerate(full):
                        if step == EACH and j >= len(root):
                            lists[full[:j]] = lists.get(full[:j], 0) | scope
        prefixes = {("metadata",), ("metadata", "annotations"), (*ITEMS, "metadata"),
                    (*ITEMS, "metadata", "annotations")}
        for path in leaves:
            prefixes.update(path[:j] for j in range(1, len(path)))
        return cls(specs, {k: tuple(v) for k, v in leaves.items()}, lists, frozenset(prefixes))


def display_path(path: Sequence[str], indices: Sequence[int | None]) -> str:
    out = ""
    for step, index in zip(path, indices, strict=True):
        if index is not None:
            out += f"[{index}]"
        else:
            out += f".{step}" if out else step
    return out
