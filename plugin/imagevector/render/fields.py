"""Where image fields are: field specs as data (the event scan in scan.py follows them)."""

from __future__ import annotations

from dataclasses import dataclass

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
