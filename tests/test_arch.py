"""Per-workload architecture: what a pod spec selects, what its images must serve, and the render errors."""

from __future__ import annotations

import os
import textwrap
from typing import Any

import pytest
import yaml
from helpers import run, vector
from imagevector.model import FindOptions
from imagevector.render.arch import effective, pod_architectures, walk
from imagevector.settings import Settings
from imagevector.vector import find


def _affinity(*terms: list[dict[str, Any]]) -> dict[str, Any]:
    return {"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [{"matchExpressions": list(term)} for term in terms]}}}}


def _expr(operator: str, *values: str, key: str = "kubernetes.io/arch") -> dict[str, Any]:
    return {"key": key, "operator": operator, **({"values": list(values)} if values else {})}


BOTH = frozenset({"amd64", "arm64"})


@pytest.mark.parametrize(
    ("pod", "expected"),
    [
        ({}, None),
        ({"containers": []}, None),
        ({"nodeSelector": {"kubernetes.io/arch": "arm64"}}, frozenset({"arm64"})),
        ({"nodeSelector": {"beta.kubernetes.io/arch": "amd64"}}, frozenset({"amd64"})),
        ({"nodeSelector": {"kubernetes.io/os": "linux"}}, None),
        (_affinity([_expr("In", "amd64", "arm64")]), BOTH),
        (_affinity([_expr("In", "arm64")]), frozenset({"arm64"})),
        (_affinity([_expr("NotIn", "arm64")]), frozenset({"amd64"})),
        (_affinity([_expr("Exists")]), None),
        (_affinity([_expr("In", "arm64", key="kubernetes.io/os")]), None),
        # terms are ORed; a term without an arch expression admits every node
        (_affinity([_expr("In", "amd64")], [_expr("In", "arm64")]), BOTH),
        (_affinity([_expr("In", "amd64")], [_expr("In", "linux", key="kubernetes.io/os")]), None),
        # expressions of one term are ANDed
        (_affinity([_expr("In", "amd64", "arm64"), _expr("NotIn", "amd64")]), frozenset({"arm64"})),
        # nodeSelector and affinity both hold
        ({"nodeSelector": {"kubernetes.io/arch": "arm64"}, **_affinity([_expr("In", "amd64", "arm64")])},
         frozenset({"arm64"})),
        ({"nodeSelector": {"kubernetes.io/arch": "arm64"}, **_affinity([_expr("In", "amd64")])}, frozenset()),
        # preferred affinity does not restrict
        ({"affinity": {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 1, "preference": {"matchExpressions": [_expr("In", "arm64")]}}]}}}, None),
        # odd shapes are not a crash
        ({"nodeSelector": None, "affinity": {"nodeAffinity": None}}, None),
        ({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": ["x", {"matchExpressions": [None, _expr("In", "arm64")]}]}}}}, None),
    ],
)
def test_pod_architectures(pod: dict[str, Any], expected: frozenset[str] | None) -> None:
    assert pod_architectures(pod) == expected


@pytest.mark.parametrize(
    ("selected", "cluster", "expected"),
    [
        (None, ("amd64",), ("amd64",)),
        (None, ("amd64", "arm64"), ("amd64", "arm64")),
        (frozenset({"arm64"}), ("amd64",), ("arm64",)),  # the workload says where it runs
        (frozenset({"arm64"}), ("amd64", "arm64"), ("arm64",)),
        (BOTH, ("amd64",), ("amd64",)),  # a single-architecture cluster keeps today's behaviour
        (BOTH, ("arm64", "amd64"), ("arm64", "amd64")),
        (frozenset(), ("amd64", "arm64"), ("amd64", "arm64")),
        (frozenset({"s390x", "arm64"}), ("amd64",), ("arm64", "s390x")),
    ],
)
def test_effective(selected: frozenset[str] | None, cluster: tuple[str, ...], expected: tuple[str, ...]) -> None:
    assert effective(selected, cluster) == expected


def test_parse_fails_loudly() -> None:
    from imagevector.render.arch import parse
    from imagevector.scan import ScanError

    assert parse("---\n...\n---\nkind: X\n") == {"kind": "X"}
    with pytest.raises(ScanError, match="cannot read the node selector"):
        parse("spec: !!python/object:x 1\n")


def test_walk_follows_scan_paths() -> None:
    doc = {"spec": {"templates": [{"pod": {"a": 1}}, {"pod": {"b": 2}}]}}
    assert walk(doc, ("spec", "templates", "[]", "pod"), (None, None, 1, None)) == {"b": 2}
    assert walk(doc, ("spec", "templates", "[]", "pod"), (None, None, 5, None)) is None
    assert walk(doc, ("spec", "nope", "x"), (None, None, None)) is None


VECTOR = """\
images:
- {name: agent, repository: r/agent, tag: v1, architectures: [amd64]}
- {name: agent, repository: r/agent-arm, tag: v1, architectures: [arm64]}
- {name: multi, repository: r/multi, tag: v2}
- {name: multi, repository: r/multi-amd, tag: v2, architectures: [amd64]}
- {name: both, repository: r/both, tag: v3, architectures: [arm64, amd64]}
- {name: both, repository: r/both-any, tag: v3}
"""


@pytest.mark.parametrize(
    ("archs", "expected"),
    [
        (("amd64",), {"agent": "r/agent:v1", "multi": "r/multi-amd:v2", "both": "r/both:v3"}),
        (("arm64",), {"agent": "r/agent-arm:v1", "multi": "r/multi:v2", "both": "r/both:v3"}),
        # several: only entries that serve all; one listing exactly them beats one without architectures
        (("amd64", "arm64"), {"agent": None, "multi": "r/multi:v2", "both": "r/both:v3"}),
    ],
)
def test_find_for_several_architectures(archs: tuple[str, ...], expected: dict[str, str | None]) -> None:
    v = vector(VECTOR)
    options = FindOptions(architecture=archs[0], architectures=archs if len(archs) > 1 else ())
    for name, ref in expected.items():
        image = find(v, name, options).image
        assert (image.reference if image else None) == ref, name
    if len(archs) > 1:
        error = find(v, "agent", options).error()
        assert error == ("no entry of image 'agent' matches architectures=amd64,arm64 (images[0] (test.yaml:2): "
                         "serves only amd64, not arm64; images[1] (test.yaml:3): serves only arm64, not amd64)")


def test_settings_read_a_list_of_architectures() -> None:
    assert Settings(architecture="amd64, arm64").options() == FindOptions(architecture="amd64",
                                                                           architectures=("amd64", "arm64"))
    assert Settings(architecture="arm64").options() == FindOptions(architecture="arm64")
    assert Settings().options() == FindOptions()


MANIFESTS = """\
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: kube-system}
spec:
  template:
    spec:
      nodeSelector:
        kubernetes.io/arch: arm64
      containers:
      - {name: agent, image: agent}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: job}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          affinity:
            nodeAffinity:
              requiredDuringSchedulingIgnoredDuringExecution:
                nodeSelectorTerms:
                - matchExpressions:
                  - key: kubernetes.io/arch
                    operator: In
                    values: [amd64]
          containers:
          - name: c
            image: agent   # amd64 only
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: app}
spec:
  template:
    spec:
      containers:
      - name: web
        image: multi
"""


def _render(tmp_path: Any, manifests: str, *argv: str) -> Any:
    import subprocess
    import sys

    (tmp_path / "v.yaml").write_text(VECTOR)
    return subprocess.run([sys.executable, "-m", "imagevector", "render", "--vector", "v.yaml", *argv],
                          input=manifests, capture_output=True, text=True, cwd=tmp_path, check=False,
                          env={"PATH": "/usr/bin:/bin", "IMAGEVECTOR_CACHE_DIR": os.environ["IMAGEVECTOR_CACHE_DIR"]})


def test_render_single_architecture_follows_each_pod_spec(tmp_path: Any) -> None:
    r = _render(tmp_path, MANIFESTS)
    assert r.returncode == 0, r.stderr
    # only the image values change, byte for byte
    expected = (MANIFESTS.replace("image: agent}", "image: r/agent-arm:v1}")
                .replace("image: agent   #", "image: r/agent:v1   #").replace("image: multi", "image: r/multi-amd:v2"))
    assert r.stdout == expected


def test_render_several_architectures_need_images_that_serve_all(tmp_path: Any) -> None:
    r = _render(tmp_path, MANIFESTS, "--architecture", "amd64,arm64")
    assert r.returncode == 0, r.stderr
    assert "image: r/agent-arm:v1}" in r.stdout and "image: r/agent:v1   #" in r.stdout
    assert "image: r/multi:v2" in r.stdout  # the Deployment may run on both: the entry that serves both
    unpinned = MANIFESTS.replace("      nodeSelector:\n        kubernetes.io/arch: arm64\n", "")
    r = _render(tmp_path, unpinned, "--architecture", "amd64,arm64")
    assert r.returncode == 1 and r.stdout == ""
    lines = r.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("imagevector: stdin (document 1, line 8): DaemonSet kube-system/agent: "
                               "spec.template.spec.containers[0].image: container 'agent', image 'agent': "
                               "the workload may run on amd64, arm64 (the cluster's --architecture)")
    assert "serves only amd64, not arm64" in lines[0] and "serves only arm64, not amd64" in lines[0]


def test_render_pinned_architecture_without_image(tmp_path: Any) -> None:
    pinned = MANIFESTS.replace("image: multi", "image: multi\n      nodeSelector: {kubernetes.io/arch: s390x}")
    r = _render(tmp_path, pinned)
    assert r.returncode == 0, r.stderr  # multi has an entry without architectures: it serves s390x too
    assert "image: r/multi:v2\n      nodeSelector: {kubernetes.io/arch: s390x}" in r.stdout
    pinned = MANIFESTS.replace("kubernetes.io/arch: arm64", "kubernetes.io/arch: s390x")
    r = _render(tmp_path, pinned)
    assert r.returncode == 1
    assert "DaemonSet kube-system/agent" in r.stderr
    assert "the pod spec runs on s390x (nodeSelector or node affinity on kubernetes.io/arch)" in r.stderr


def test_render_architecture_from_config_and_env(tmp_path: Any) -> None:
    unpinned = MANIFESTS.replace("      nodeSelector:\n        kubernetes.io/arch: arm64\n", "")
    (tmp_path / "c.yaml").write_text(textwrap.dedent("""\
        apiVersion: imagevector.dev/v1alpha1
        kind: ImageVectorRenderer
        spec: {vector: v.yaml, architecture: "amd64,arm64"}
    """))
    r = _render(tmp_path, unpinned, "--config", "c.yaml")
    assert r.returncode == 1 and "may run on amd64, arm64" in r.stderr
    r = _render(tmp_path, unpinned, "--architecture", "amd64,sparc")
    assert r.returncode == 1 and "--architecture: 'sparc' is unknown" in r.stderr


def test_resolve_several_architectures() -> None:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "v.yaml"
        path.write_text(VECTOR)
        assert run("resolve", "multi", "both", "--vector", str(path), "--architecture", "amd64,arm64").out == (
            "r/multi:v2\nr/both:v3\n"
        )
        r = run("resolve", "agent", "--vector", str(path), "--architecture", "arm64,amd64")
        assert r.code == 1 and "matches architectures=arm64,amd64" in r.err


def test_render_output_still_parses(tmp_path: Any) -> None:
    r = _render(tmp_path, MANIFESTS)
    assert [d["kind"] for d in yaml.safe_load_all(r.stdout)] == ["DaemonSet", "CronJob", "Deployment"]
