"""End to end with real registries, no mocks: two distribution registries (Debian's docker-registry) on loopback
ports, skopeo (Debian) to push a generated OCI image and to copy, Helm 3 to render the test chart.

Upstream holds the images under the names the test chart and its vector use; `imagevector images -o copy` lists
the pairs, skopeo copies them, `imagevector render --mirror` re-points the chart, and every rendered reference
must exist in the mirror with the upstream digest."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from airgap import image_fields
from helpers import clean_env
from imagevector.reference import parse
from registry import digest_of, oci_layout, push, registry, skopeo
from tools import tool

ROOT = Path(__file__).resolve().parent.parent
CHART = ROOT / "tests" / "charts" / "gardenlet"

VECTOR = """\
images:
- name: gardenlet
  repository: {u}/gardener/gardenlet
  tag: v1.110.0
- name: pause-container
  repository: {u}/pause
  tag: "3.9"
  targetVersion: "< 1.31"
- name: pause-container
  repository: {u}/pause
  tag: "3.10"
  targetVersion: ">= 1.31"
- name: alpine
  repository: {u}/3rd/alpine
  tag: "3.21.3"
"""
UPSTREAM = ("gardener/gardenlet:v1.110.0", "pause:3.9", "pause:3.10", "3rd/alpine:3.21.3", "tools/busybox:1.0",
            "tools/agent:2.0")


def imagevector(*args: str, stdin: str = "") -> str:
    env = clean_env()
    proc = subprocess.run([sys.executable, "-m", "imagevector", *args], input=stdin, capture_output=True, text=True,
                          env=env, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.fixture(scope="module")
def registries(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    binary = tool("docker-registry")
    tool("skopeo")
    root = tmp_path_factory.mktemp("registries")
    with registry(binary, root / "upstream") as upstream, registry(binary, root / "mirror") as mirror:
        yield upstream, mirror


def test_copy_list_fills_the_mirror_and_the_render_points_at_it(registries: tuple[str, str], tmp_path: Path) -> None:
    upstream, mirror_host = registries
    sk = tool("skopeo")
    digests: dict[str, str] = {}
    for i, name in enumerate(UPSTREAM):  # distinct content, so that a wrong copy shows as a wrong digest
        layout = oci_layout(tmp_path / f"layout-{i}", f"image {name}\n")
        digests[f"{upstream}/{name}"] = push(sk, layout, f"{upstream}/{name}")
    busybox = f"{upstream}/tools/busybox@{digests[f'{upstream}/tools/busybox:1.0']}"
    digests[busybox] = digests[f"{upstream}/tools/busybox:1.0"]
    agent = f"{upstream}/tools/agent:2.0@{digests[f'{upstream}/tools/agent:2.0']}"  # a tag and a digest
    digests[agent] = digests[f"{upstream}/tools/agent:2.0"]
    vector = tmp_path / "images.yaml"
    vector.write_text(VECTOR.format(u=upstream), encoding="utf-8")
    rule = f"--mirror={upstream}={mirror_host}/air-gapped"

    # the chart, as Helm 3 renders it (hooks included: `helm template`), with a third-party image by digest
    helm_env = {**os.environ, **{f"HELM_{d}_HOME": str(tmp_path / "helm" / d) for d in ("CACHE", "CONFIG", "DATA")}}
    helm = subprocess.run([tool("helm3"), "template", "gardenlet", str(CHART), "--namespace", "garden",
                           "--set", f"pauseImage={busybox}", "--set", f"image={agent}"], capture_output=True,
                          text=True, timeout=120,
                          check=False, env=helm_env)
    assert helm.returncode == 0, helm.stderr
    common = [f"--vector={vector}", "--target-version=1.32"]

    # 1. the copy list, run through skopeo copy
    pairs = [line.split(" ") for line in imagevector("images", *common, rule, "-o", "copy", stdin=helm.stdout)
             .splitlines()]
    assert len(pairs) == 3, pairs  # the agent (tag and digest), busybox (digest) and alpine (a vector name; a hook)
    assert [f"{upstream}/tools/agent@{digests[agent]}", f"{mirror_host}/air-gapped/tools/agent:2.0"] in pairs
    for source, target in pairs:
        skopeo(sk, "copy", "--all", "--src-tls-verify=false", "--dest-tls-verify=false",
               f"docker://{source}", f"docker://{target}")

    # 2. the render with the mirror rule: every reference is in the mirror, with the upstream digest
    images_out = tmp_path / "images.txt"
    rendered = imagevector("render", *common, rule, f"--images-out={images_out}", stdin=helm.stdout)
    fields = image_fields(d for d in yaml.safe_load_all(rendered) if d)
    assert len(fields) == 3 and all(v.startswith(f"{mirror_host}/air-gapped/") for v in fields.values()), fields
    listed = images_out.read_text(encoding="utf-8").splitlines()
    assert sorted(set(fields.values())) == listed
    for reference in listed:
        upstream_ref = reference.replace(f"{mirror_host}/air-gapped", upstream, 1)
        parsed = parse(reference)
        by_digest = f"{parsed.name}@{parsed.digest}" if parsed.digest else reference
        assert digest_of(sk, by_digest) == digests[upstream_ref], reference  # (skopeo takes no tag@digest)
    assert f"{mirror_host}/air-gapped/tools/busybox@{digests[busybox]}" in listed  # the digests survived
    assert f"{mirror_host}/air-gapped/tools/agent:2.0@{digests[agent]}" in listed
    assert digest_of(sk, f"{mirror_host}/air-gapped/tools/agent:2.0") == digests[agent]

    # 3. the skopeo sync file of the vector over a fleet fills a second mirror path: `skopeo sync` puts
    #    REGISTRY/NAME at DEST/NAME, so the rule REGISTRY=DEST matches for images at the registry's top level
    sync = yaml.safe_load(imagevector("images", f"--vector={vector}", "--target-versions=1.30-1.32", "-o", "skopeo"))
    assert sync[upstream]["images"]["pause"] == ["3.10", "3.9"]
    sync = {upstream: {"tls-verify": False, "images": {"pause": sync[upstream]["images"]["pause"]}}}
    sync_file = tmp_path / "sync.yaml"
    sync_file.write_text(yaml.safe_dump(sync), encoding="utf-8")
    skopeo(sk, "sync", "--all", "--src", "yaml", "--dest", "docker", "--dest-tls-verify=false", str(sync_file),
           f"{mirror_host}/synced")
    fleet_rule = f"--mirror={upstream}={mirror_host}/synced"
    copied = imagevector("images", f"--vector={vector}", "--target-versions=1.30-1.32", fleet_rule, "-o", "copy")
    pause = [line.split(" ") for line in copied.splitlines() if "/pause:" in line]
    assert len(pause) == 2
    for source, target in pause:
        assert digest_of(sk, target) == digests[source], target
