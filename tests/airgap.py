"""Shared checks of the air-gapped tests: every image field under the mirror, and a handed overwrite that
re-points every base entry (base + overwrite resolves to the mirrored reference of base + user overwrite)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from imagevector.fleet import parse_versions
from imagevector.inputs import TextSource, load_vector, read_source
from imagevector.mirror import apply, parse_rules
from imagevector.model import ARCHITECTURES, FindOptions
from imagevector.vector import find, merge, merge_all

MIRROR = "mirror.example"
RULES = (
    "registry.k8s.io=mirror.example/k8s",
    "europe-docker.pkg.dev/gardener-project/releases=mirror.example/gardener",
    "docker.io=mirror.example/hub",
    "quay.io=mirror.example/quay",
    "gcr.io=mirror.example/gcr",
    "registry.example.internal=mirror.example/internal",
)
POD_SPECS = {"Pod": ("spec",), "CronJob": ("spec", "jobTemplate", "spec", "template", "spec")}


def pod_spec(doc: dict[str, Any]) -> dict[str, Any] | None:
    node: Any = doc
    for key in POD_SPECS.get(doc.get("kind", ""), ("spec", "template", "spec")):
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, dict) and "containers" in node else None


def image_fields(docs: Iterable[dict[str, Any]]) -> dict[str, str]:
    """`Kind/name/container` → image of every container, init and ephemeral container and image volume."""
    out: dict[str, str] = {}
    for doc in docs:
        spec = pod_spec(doc)
        if spec is None:
            continue
        where = f"{doc['kind']}/{doc['metadata']['name']}"
        for key in ("initContainers", "containers", "ephemeralContainers"):
            for container in spec.get(key) or []:
                out[f"{where}/{container['name']}"] = container["image"]
        for volume in spec.get("volumes") or []:
            if isinstance(volume.get("image"), dict):
                out[f"{where}/volume:{volume['name']}"] = volume["image"]["reference"]
    return out


def assert_all_mirrored(docs: Iterable[dict[str, Any]], expect_some: int = 1) -> dict[str, str]:
    fields = image_fields(docs)
    assert len(fields) >= expect_some, fields
    outside = {k: v for k, v in fields.items() if not v.startswith(MIRROR + "/")}
    assert not outside, f"image fields outside the mirror: {outside}"
    return fields


def assert_overwrite_repoints(handed: str, vector: Path, user_overwrites: Sequence[Path] = (),
                              rules: Sequence[str] = RULES, versions: str = "1.28-1.35") -> None:
    """base + handed resolves, for every name × version × architecture, to the mirrored reference of what
    base + the user's overwrites resolves; the handed overwrite merges without a warning."""
    parsed = parse_rules(rules)
    base = load_vector(read_source(str(vector), "vector"), "vector")
    users = [load_vector(read_source(str(p), "overwrite"), "overwrite") for p in user_overwrites]
    expected = merge_all([base], users).vector
    over = load_vector(TextSource("handed overwrite", handed), "overwrite")
    merged = merge(base, over)
    assert not merged.errors and not merged.warnings, (merged.errors, merged.warnings)
    for name in expected.names():
        for version in parse_versions(versions):
            for arch in ARCHITECTURES:
                options = FindOptions(target_version=version, architecture=arch)
                want, got = find(expected, name, options).image, find(merged.vector, name, options).image
                assert (want is None) == (got is None), (name, version, arch)
                if want is not None and got is not None:
                    assert got.reference == apply(parsed, want.reference), (name, version, arch)
