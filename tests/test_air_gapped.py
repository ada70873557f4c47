"""Air-gapped and regional registries: mirror rules in render (every face), the mirrored overwrite handed to
wired workloads, `imagevector overwrite`, `imagevector images`, `render --images-out`, real kustomize and kpt,
and an end-to-end copy between two real registries (Debian's docker-registry and skopeo)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from airgap import MIRROR, RULES, assert_all_mirrored, assert_overwrite_repoints, image_fields
from helpers import clean_env, without
from tools import tool

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
GARDENER = FIXTURES / "gardener-containers.yaml"
GOLDEN_WIRING = ROOT / "tests" / "golden" / "wiring"
EXAMPLE = ROOT / "kustomize-example"
DIGEST = "sha256:" + "0123456789abcdef" * 4
MIRROR_ARGS = [f"--mirror={rule}" for rule in RULES]

VECTOR = """\
images:
- name: app
  repository: europe-docker.pkg.dev/gardener-project/releases/gardener/app
  tag: v1.2.3
- name: pause-container
  repository: registry.k8s.io/pause
  tag: "3.10"
"""

STREAM = f"""\
# Source: chart/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: apps
spec:
  template:
    spec:
      initContainers:
      - name: init
        image: busybox:1.36   # Docker Hub short form
      containers:
      - name: app
        image: app   # a vector name
      - name: pinned
        image: "quay.io/prometheus/node-exporter:v1.8.2@{DIGEST}"
      - name: by-digest
        image: 'registry.k8s.io/kube-proxy@{DIGEST}'
      - name: elsewhere
        image: ghcr.io/example/tool:1.0
      volumes:
      - name: data
        image:
          reference: bitnami/redis:7.2
---
apiVersion: v1
kind: Pod
metadata:
  name: debug
spec:
  ephemeralContainers:
  - name: debug
    image: nginx
  containers:
  - name: c
    image: pause-container
---
apiVersion: example.com/v1
kind: Etcd
metadata:
  name: etcd
spec:
  image: gcr.io/etcd-development/etcd:v3.5.27
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: untouched
data:
  image: nginx
"""


def cli(*args: str, stdin: str | None = "", env: dict[str, str] | None = None,
        cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    base = clean_env()
    return subprocess.run([sys.executable, "-m", "imagevector", *args], input=stdin, capture_output=True, text=True,
                          env={**base, **(env or {})}, cwd=cwd, timeout=120, check=False,
                          stdin=subprocess.DEVNULL if stdin is None else None)


@pytest.fixture
def vector(tmp_path: Path) -> Path:
    path = tmp_path / "images.yaml"
    path.write_text(VECTOR, encoding="utf-8")
    return path


def docs_of(text: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(text) if d]


# ------------------------------------------------------------------------------------------------ render


def test_render_mirrors_every_image_field(vector: Path) -> None:
    proc = cli("render", f"--vector={vector}", "--image-field=Etcd:spec/image", *MIRROR_ARGS, stdin=STREAM)
    assert proc.returncode == 0, proc.stderr
    fields = image_fields(docs_of(proc.stdout))
    assert fields == {
        "Deployment/web/init": "mirror.example/hub/library/busybox:1.36",
        "Deployment/web/app": "mirror.example/gardener/gardener/app:v1.2.3",  # resolved first, then mirrored
        "Deployment/web/pinned": f"mirror.example/quay/prometheus/node-exporter:v1.8.2@{DIGEST}",  # digest kept
        "Deployment/web/by-digest": f"mirror.example/k8s/kube-proxy@{DIGEST}",
        "Deployment/web/elsewhere": "ghcr.io/example/tool:1.0",  # no rule: untouched
        "Deployment/web/volume:data": "mirror.example/hub/bitnami/redis:7.2",
        "Pod/debug/debug": "mirror.example/hub/library/nginx",
        "Pod/debug/c": "mirror.example/k8s/pause:3.10",
    }
    etcd = next(d for d in docs_of(proc.stdout) if d["kind"] == "Etcd")
    assert etcd["spec"]["image"] == "mirror.example/gcr/etcd-development/etcd:v3.5.27"  # field specs too
    # only the values changed: comments, quoting and the untouched document are kept
    assert "image: mirror.example/hub/library/busybox:1.36   # Docker Hub short form\n" in proc.stdout
    assert f"image: 'mirror.example/k8s/kube-proxy@{DIGEST}'\n" in proc.stdout
    assert proc.stdout.endswith("data:\n  image: nginx\n")
    # rendering the output again changes nothing
    again = cli("render", f"--vector={vector}", "--image-field=Etcd:spec/image", *MIRROR_ARGS, stdin=proc.stdout)
    assert again.returncode == 0 and again.stdout == proc.stdout


def test_render_without_matching_rule_is_byte_identical(vector: Path) -> None:
    plain = cli("render", f"--vector={vector}", stdin=STREAM)
    mirrored = cli("render", f"--vector={vector}", "--mirror=registry.example=other.example", stdin=STREAM)
    assert plain.returncode == mirrored.returncode == 0
    assert mirrored.stdout == plain.stdout


def test_mirrors_from_config_environment_and_flags(vector: Path, tmp_path: Path) -> None:
    config = tmp_path / "imagevector.yaml"
    config.write_text(
        "apiVersion: imagevector.dev/v1alpha1\nkind: ImageVectorRenderer\nmetadata: {name: iv}\n"
        f"spec:\n  vector: {vector.name}\n  mirrors:\n  - source: docker.io\n    target: from-config.example/hub\n",
        encoding="utf-8")
    from_config = cli("render", f"--config={config}", stdin=STREAM)
    assert from_config.returncode == 0, from_config.stderr
    assert "image: from-config.example/hub/library/busybox:1.36" in from_config.stdout
    env = {"IMAGEVECTOR_MIRRORS": "docker.io=from-env.example/hub, registry.k8s.io=from-env.example/k8s"}
    from_env = cli("render", f"--vector={vector}", stdin=STREAM, env=env)
    assert "image: from-env.example/hub/library/busybox:1.36" in from_env.stdout
    assert "image: from-env.example/k8s/pause:3.10" in from_env.stdout
    # flags first, then the config, then the environment
    flag = cli("render", f"--config={config}", "--mirror=docker.io=from-flag.example", stdin=STREAM, env=env)
    assert "image: from-flag.example/library/busybox:1.36" in flag.stdout
    over_env = cli("render", f"--config={config}", stdin=STREAM, env=env)
    assert "image: from-config.example/hub/library/busybox:1.36" in over_env.stdout
    # a ConfigMap functionConfig takes one string of rules
    cm = tmp_path / "cm.yaml"
    cm.write_text(f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: iv}}\ndata:\n  vector: {vector.name}\n"
                  "  mirrors: docker.io=cm.example/hub\n", encoding="utf-8")
    assert "image: cm.example/hub/library/busybox:1.36" in cli("render", f"--config={cm}", stdin=STREAM).stdout


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--mirror=registry.k8s.io"], {}, "--mirror: 'registry.k8s.io': expected SOURCE=TARGET"),
        (["--mirror=docker.io=a.example", "--mirror=docker.io=b.example"], {}, "already mirrored to 'a.example'"),
        (["--mirror=nginx:1.0=a.example"], {}, "without tag or digest"),
        ([], {"IMAGEVECTOR_MIRRORS": "docker.io"}, "$IMAGEVECTOR_MIRRORS: 'docker.io': expected SOURCE=TARGET"),
    ],
)
def test_a_wrong_rule_is_one_line_and_nothing_is_written(vector: Path, args: list[str], env: dict[str, str],
                                                         message: str) -> None:
    proc = cli("render", f"--vector={vector}", *args, stdin=STREAM, env=env)
    assert proc.returncode == 1 and proc.stdout == ""
    assert message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_config_mirrors_problems_are_located(vector: Path, tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("apiVersion: imagevector.dev/v1alpha1\nkind: ImageVectorRenderer\nmetadata: {name: iv}\n"
                      f"spec:\n  vector: {vector.name}\n  mirrors:\n  - {{source: docker.io, targt: x.example}}\n",
                      encoding="utf-8")
    proc = cli("render", f"--config={config}", stdin=STREAM)
    assert proc.returncode == 1 and proc.stdout == ""
    assert "spec.mirrors[0]: unknown field(s) targt" in proc.stderr


def test_a_value_that_is_no_reference_is_a_warning(vector: Path) -> None:
    stream = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: c, image: 'Not A Ref'}\n"
    proc = cli("render", f"--vector={vector}", *MIRROR_ARGS, stdin=stream)
    assert proc.returncode == 0 and proc.stdout == stream
    assert "warning:" in proc.stderr and "'Not A Ref' is not mirrored" in proc.stderr


# ------------------------------------------------------------------------------- the wired overwrite


def test_the_wired_and_component_overwrites_are_mirrored() -> None:
    args = (GOLDEN_WIRING / "args").read_text(encoding="utf-8").split()
    proc = cli("render", *args, *MIRROR_ARGS, stdin=(GOLDEN_WIRING / "input.yaml").read_text(encoding="utf-8"),
               cwd=GOLDEN_WIRING)
    assert proc.returncode == 0, proc.stderr
    docs = docs_of(proc.stdout)
    configmap = next(d for d in docs if d["metadata"]["name"] == "gardenlet-images-overwrite")
    handed = configmap["data"]["images_overwrite.yaml"]
    # every base entry re-pointed, merged with the user's overwrite (my.registry is not mirrored: no rule)
    assert_overwrite_repoints(handed, GOLDEN_WIRING / "vector.yaml", [GOLDEN_WIRING / "overwrite.yaml"])
    entries = yaml.safe_load(handed)["images"]
    assert {"name": "gardenlet", "repository": "my.registry/gardenlet"} in entries
    assert {"name": "kube-proxy", "targetVersion": ">= 1.31", "repository": "mirror.example/k8s/kube-proxy"} in entries
    # the component file handed on, and the component's own overwrite, are mirrored in place (keys kept)
    components = yaml.safe_load(configmap["data"]["components.yaml"])["components"]
    (druid,) = components
    druid_entries = yaml.safe_load(druid["imageVectorOverwrite"])["images"]
    assert druid_entries == [{"name": "etcd", "repository": "mirror.example/hub/etcd/etcd", "tag": "v1.2.3"}]
    injected = next(d for d in docs if d["metadata"]["name"] == "etcd-druid-images-overwrite")
    assert yaml.safe_load(injected["data"]["images_overwrite.yaml"])["images"] == druid_entries
    # and the rendered images are mirrored where a rule matches
    fields = image_fields(docs)
    assert fields["Deployment/gardenlet/init"] == "mirror.example/k8s/pause:3.10"
    assert fields["Deployment/gardenlet/third-party"] == "mirror.example/hub/library/nginx:1.27.3"


def test_mirror_rules_alone_give_the_wired_workload_an_overwrite(vector: Path) -> None:
    stream = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app, namespace: ns}\nspec:\n  template:\n"
              "    spec:\n      containers:\n      - {name: app, image: app}\n")
    proc = cli("render", f"--vector={vector}", "--wire=Deployment/ns/app", *MIRROR_ARGS, stdin=stream)
    assert proc.returncode == 0, proc.stderr
    configmap = next(d for d in docs_of(proc.stdout) if d["kind"] == "ConfigMap")
    assert_overwrite_repoints(configmap["data"]["images_overwrite.yaml"], vector)


# ----------------------------------------------------------------------------------- imagevector overwrite


def test_generated_overwrite_of_the_gardener_vector_validates_and_repoints(tmp_path: Path) -> None:
    proc = cli("overwrite", f"--vector={GARDENER}", *MIRROR_ARGS)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    generated = tmp_path / "generated.yaml"
    generated.write_text(proc.stdout, encoding="utf-8")
    validate = cli("validate", str(generated))
    assert validate.returncode == 0 and validate.stdout == validate.stderr == ""
    entries = yaml.safe_load(proc.stdout)["images"]
    assert len(entries) > 50
    assert all(not e.get("repository", MIRROR).startswith(("europe-docker", "registry.k8s.io", "quay.io"))
               for e in entries)
    assert_overwrite_repoints(proc.stdout, GARDENER)


def test_generated_overwrite_merges_the_user_overwrite() -> None:
    proc = cli("overwrite", f"--vector={GOLDEN_WIRING / 'vector.yaml'}",
               f"--overwrite={GOLDEN_WIRING / 'overwrite.yaml'}", *MIRROR_ARGS)
    assert proc.returncode == 0, proc.stderr
    assert_overwrite_repoints(proc.stdout, GOLDEN_WIRING / "vector.yaml", [GOLDEN_WIRING / "overwrite.yaml"])


def test_generated_component_overwrite() -> None:
    proc = cli("overwrite", "--components", f"--vector={GOLDEN_WIRING / 'vector.yaml'}",
               f"--components-overwrite={GOLDEN_WIRING / 'components.yaml'}", *MIRROR_ARGS)
    assert proc.returncode == 0, proc.stderr
    (druid,) = yaml.safe_load(proc.stdout)["components"]
    assert yaml.safe_load(druid["imageVectorOverwrite"])["images"][0]["repository"] == "mirror.example/hub/etcd/etcd"


def test_overwrite_needs_rules() -> None:
    proc = cli("overwrite", f"--vector={GARDENER}")
    assert proc.returncode == 1 and proc.stdout == "" and "no mirror rules" in proc.stderr


# -------------------------------------------------------------------------------------- imagevector images


STREAM_IMAGES = [
    "docker.io/bitnami/redis:7.2",
    "docker.io/library/busybox:1.36",
    "docker.io/library/nginx",
    "europe-docker.pkg.dev/gardener-project/releases/gardener/app:v1.2.3",
    "gcr.io/etcd-development/etcd:v3.5.27",
    "ghcr.io/example/tool:1.0",
    f"quay.io/prometheus/node-exporter:v1.8.2@{DIGEST}",
    f"registry.k8s.io/kube-proxy@{DIGEST}",
    "registry.k8s.io/pause:3.10",
]


def test_images_of_a_stream(vector: Path) -> None:
    proc = cli("images", f"--vector={vector}", "--image-field=Etcd:spec/image", stdin=STREAM)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == STREAM_IMAGES
    assert "docker.io/library/nginx has neither tag nor digest" in proc.stderr
    # without a vector the names are what they are: `app` is a Docker Hub image
    plain = cli("images", stdin=STREAM)
    assert "docker.io/library/app" in plain.stdout.splitlines()


def test_images_of_a_resource_list(vector: Path) -> None:
    items = docs_of(STREAM)
    resource_list = yaml.safe_dump({"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList", "items": items})
    proc = cli("images", f"--vector={vector}", "--image-field=Etcd:spec/image", stdin=resource_list)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == STREAM_IMAGES


def test_images_json_says_where(vector: Path) -> None:
    proc = cli("images", f"--vector={vector}", "-o", "json", "--mirror=docker.io=mirror.example/hub", stdin=STREAM)
    data = json.loads(proc.stdout)
    busybox = next(i for i in data if i["reference"] == "docker.io/library/busybox:1.36")
    assert busybox == {
        "reference": "docker.io/library/busybox:1.36", "registry": "docker.io",
        "repository": "docker.io/library/busybox",
        "tag": "1.36", "digest": None, "mirror": "mirror.example/hub/library/busybox:1.36",
        "documents": [{"document": 1, "kind": "Deployment", "namespace": "apps", "name": "web",
                       "source": "chart/templates/deployment.yaml"}],
    }
    pinned = next(i for i in data if i["repository"] == "quay.io/prometheus/node-exporter")
    assert (pinned["tag"], pinned["digest"]) == ("v1.8.2", DIGEST)


def test_images_copy_pairs_match_the_render(vector: Path) -> None:
    proc = cli("images", f"--vector={vector}", "--image-field=Etcd:spec/image", "-o", "copy", *MIRROR_ARGS,
               stdin=STREAM)
    assert proc.returncode == 0, proc.stderr
    pairs = dict(line.split(" ") for line in proc.stdout.splitlines())
    assert "ghcr.io/example/tool:1.0" not in pairs  # no rule: said on stderr
    assert "ghcr.io/example/tool:1.0: no mirror rule matches" in proc.stderr
    rendered = cli("render", f"--vector={vector}", "--image-field=Etcd:spec/image", *MIRROR_ARGS, stdin=STREAM)
    out = cli("images", "--image-field=Etcd:spec/image", stdin=rendered.stdout).stdout.splitlines()
    # a tag and a digest: skopeo takes only one, so the digest is copied to the tag
    assert pairs[f"quay.io/prometheus/node-exporter@{DIGEST}"] == "mirror.example/quay/prometheus/node-exporter:v1.8.2"
    pairs[f"quay.io/prometheus/node-exporter@{DIGEST}"] += f"@{DIGEST}"
    assert sorted(pairs.values()) == sorted(o for o in out if o.startswith(MIRROR))


def test_images_copy_needs_rules(vector: Path) -> None:
    proc = cli("images", f"--vector={vector}", "-o", "copy", stdin=STREAM)
    assert proc.returncode == 1 and "-o copy: give the mirror rules" in proc.stderr


def test_images_of_the_vector_over_a_fleet() -> None:
    proc = cli("images", f"--vector={FIXTURES.parent / 'charts' / 'images.yaml'}", "--target-versions", "1.29-1.32",
               "--architectures", "amd64,arm64", stdin=None)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "europe-docker.pkg.dev/gardener-project/releases/3rd/alpine:3.21.3",
        "europe-docker.pkg.dev/gardener-project/releases/gardener/gardenlet:v1.110.0",
        "registry.k8s.io/pause:3.10",
        "registry.k8s.io/pause:3.9",
    ]
    only_new = cli("images", f"--vector={FIXTURES.parent / 'charts' / 'images.yaml'}", "--target-versions", "1.31,1.32")
    assert "registry.k8s.io/pause:3.9" not in only_new.stdout


def test_images_of_the_gardener_vector_cover_every_generated_target(tmp_path: Path) -> None:
    proc = cli("images", f"--vector={GARDENER}", "--target-versions", "1.30-1.34", "--architectures", "amd64,arm64",
               "-o", "copy", *MIRROR_ARGS)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) > 100 and all(line.split(" ")[1].startswith(MIRROR + "/") for line in lines)


def test_images_skopeo_sync_file(vector: Path) -> None:
    proc = cli("images", f"--vector={vector}", "-o", "skopeo", stdin=STREAM)
    data = yaml.safe_load(proc.stdout)
    assert data["registry.k8s.io"]["images"] == {"kube-proxy": [DIGEST], "pause": ["3.10"]}
    assert data["docker.io"]["images"]["library/nginx"] == ["latest"]
    assert data["quay.io"]["images"]["prometheus/node-exporter"] == ["v1.8.2", DIGEST]
    bad = cli("images", "-o", "skopeo", "--mirror=registry.k8s.io/kube-proxy=m.example/p", stdin=STREAM)
    assert "`skopeo sync` would copy registry.k8s.io/kube-proxy to DEST/kube-proxy, not to m.example/p" in bad.stderr
    scoped = cli("images", "-o", "skopeo", "--mirror=registry.k8s.io=m.example/registry.k8s.io", stdin=STREAM)
    assert "skopeo sync" not in scoped.stderr


def test_render_images_out(vector: Path, tmp_path: Path) -> None:
    out = tmp_path / "images.txt"
    proc = cli("render", f"--vector={vector}", f"--images-out={out}", "--trust-input", *MIRROR_ARGS, stdin=STREAM)
    assert proc.returncode == 0, proc.stderr
    listed = out.read_text(encoding="utf-8").splitlines()
    assert listed == sorted(set(listed)) and "ghcr.io/example/tool:1.0" in listed
    assert listed == cli("images", stdin=proc.stdout).stdout.splitlines()  # what the render emitted
    failed = cli("render", "--vector=/nonexistent", f"--images-out={tmp_path / 'no.txt'}", stdin=STREAM)
    assert failed.returncode == 1 and not (tmp_path / "no.txt").exists()


# ------------------------------------------------------------------------------------------ kustomize, kpt


def _example_with_mirrors(tmp_path: Path) -> Path:
    work = tmp_path / "pkg"
    shutil.copytree(EXAMPLE, work)
    config = work / "imagevector.yaml"
    rules = "".join(f"  - source: {r.split('=')[0]}\n    target: {r.split('=')[1]}\n" for r in RULES)
    config.write_text(config.read_text(encoding="utf-8") + "  mirrors:\n" + rules, encoding="utf-8")
    return work


def _tool_env(tmp_path: Path) -> dict[str, str]:
    env = without(("IMAGEVECTOR", "KUSTOMIZE_PLUGIN"))
    env.pop("KUBE_VERSION", None)
    env.update(PATH=os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
               HOME=str(tmp_path / "home"), XDG_CONFIG_HOME=str(tmp_path / "xdg"))
    return env


def _assert_example_mirrored(docs: list[dict[str, Any]]) -> None:
    assert_all_mirrored(docs, expect_some=4)
    handed = next(d for d in docs if d["metadata"]["name"] == "gardenlet-images-overwrite")
    assert_overwrite_repoints(handed["data"]["images_overwrite.yaml"], EXAMPLE / "images.yaml",
                              [EXAMPLE / "overwrite.yaml"])
    druid = next(d for d in docs if d["metadata"]["name"] == "etcd-druid-images-overwrite")
    (etcd,) = yaml.safe_load(druid["data"]["images_overwrite.yaml"])["images"]
    assert etcd["repository"] == "mirror.example/internal/etcd-development/etcd"


def test_kustomize_build_with_mirrors(tmp_path: Path) -> None:
    work = _example_with_mirrors(tmp_path)
    kustomize = tool("kustomize")
    proc = subprocess.run([kustomize, "build", "--enable-alpha-plugins", "--enable-exec", str(work)],
                          capture_output=True, text=True, env=_tool_env(tmp_path), cwd=tmp_path, timeout=120,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    _assert_example_mirrored(docs_of(proc.stdout))


def test_kpt_fn_render_with_mirrors(tmp_path: Path) -> None:
    work = _example_with_mirrors(tmp_path)
    proc = subprocess.run([tool("kpt"), "fn", "render", "--allow-exec", "-o", "unwrap"], capture_output=True,
                          text=True, env=_tool_env(tmp_path), cwd=work, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    _assert_example_mirrored([d for d in docs_of(proc.stdout) if d.get("kind") in ("Deployment", "ConfigMap")])


def test_validate_with_vector_and_generated_overwrite_reports_nothing(tmp_path: Path) -> None:
    generated = tmp_path / "generated.yaml"
    generated.write_text(cli("overwrite", f"--vector={GARDENER}", *MIRROR_ARGS).stdout, encoding="utf-8")
    proc = cli("validate", f"--vector={GARDENER}", f"--overwrite={generated}",
               "--target-versions=1.32-1.36", "--architectures=amd64,arm64")
    assert proc.returncode == 0 and proc.stdout == proc.stderr == "", proc.stderr


def test_images_out_with_a_resource_list_says_what_to_do(vector: Path, tmp_path: Path) -> None:
    resource_list = yaml.safe_dump({"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList",
                                    "items": docs_of(STREAM)})
    proc = cli("render", f"--vector={vector}", f"--images-out={tmp_path / 'i.txt'}", stdin=resource_list)
    assert proc.returncode == 1 and proc.stdout == ""
    assert "--images-out: works on a YAML stream" in proc.stderr and "imagevector images" in proc.stderr
    assert not (tmp_path / "i.txt").exists()
