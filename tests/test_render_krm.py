"""A ResourceList is spliced like any stream (issue 11): comments, quotes, flow mappings and key order of every
item survive; only items that get wiring, and generated items, are serialised anew; a ResourceList that
nothing changes comes back byte for byte apart from the `results` added."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from imagevector.errors import UserError
from imagevector.inputs import TextSource
from imagevector.model import Problem, Resource
from imagevector.render import krm
from imagevector.render.krm import run_krm
from imagevector.render.types import RenderContext, WireOptions, WireTarget
from imagevector.settings import Settings, resolve_settings

VECTOR = ("images:\n- {name: etcd, repository: gcr.io/etcd, tag: v3.5.27}\n"
          "- {name: app, repository: r.example/app, targetVersion: '>= 1.40'}\n")
OVERWRITE = "images:\n- {name: etcd, repository: mirror.example/etcd}\n"
ETCD = "gcr.io/etcd:v3.5.27"
HEAD = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n"
ITEMS = """\
items:
# the first item
- kind: Deployment   # key order is the author's
  apiVersion: apps/v1
  metadata:
    name: etcd
    namespace: 'garden'
    annotations: {config.kubernetes.io/path: "apps/etcd.yaml"}
  spec:
    template:
      spec:
        containers:
        - {name: etcd, image: "IMAGE"}   # flow
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: versions}
  data:
    kubernetes: "1.32.4"    # quoted
"""
CONFIG = "functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: config}\n"


def _build(overwrite: str | None = None, wire: bool = False, hashed: bool = False) -> Any:
    def build(function_config: Any) -> RenderContext:
        overwrites = [TextSource("o.yaml", overwrite)] if overwrite else []
        resolved = resolve_settings(Settings(vectors=[TextSource("v.yaml", VECTOR)], overwrites=overwrites,
                                             target_version="1.32"))
        targets = (WireTarget("Deployment", "garden", "etcd"),) if wire else ()
        return RenderContext(resolved, wire=WireOptions(targets=targets, hashed_names=hashed, annotate_paths=True))
    return build


def _load(text: str) -> Any:
    return yaml.load(text, Loader=yaml.CSafeLoader)


def test_a_resource_list_nothing_changes_comes_back_byte_for_byte() -> None:
    text = HEAD + ITEMS.replace("IMAGE", "nginx:1.25") + CONFIG
    out, problems, ok = run_krm(text, _build())
    assert ok and problems == []
    assert out == text


def test_an_image_change_is_spliced_into_the_item() -> None:
    text = HEAD + ITEMS.replace("IMAGE", "etcd") + CONFIG
    out, _, ok = run_krm(text, _build())
    assert ok
    assert out == text.replace('image: "etcd"', f'image: "{ETCD}"')


def test_results_are_added_and_nothing_else_changes() -> None:
    digest = "sha256:" + "a" * 64
    text = HEAD + ITEMS.replace("IMAGE", f"gcr.io/etcd:v3.4@{digest}") + CONFIG
    out, problems, ok = run_krm(text, _build())
    assert ok
    body, results = out.split("results:\n", 1)
    assert body == text.replace(f"gcr.io/etcd:v3.4@{digest}", ETCD)
    (result,) = _load(out)["results"]
    assert result["severity"] == "warning" and "is dropped" in result["message"]
    assert result["resourceRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "etcd",
                                     "namespace": "garden"}
    assert result["field"] == {"path": "spec.template.spec.containers[0].image"}
    assert result["file"] == {"path": "apps/etcd.yaml"}
    assert [p.severity for p in problems] == ["warning"]


def test_existing_results_are_replaced() -> None:
    text = HEAD + ITEMS.replace("IMAGE", "gcr.io/etcd:v1@sha256:" + "a" * 64) + "results:\n- {message: old}\n" + CONFIG
    out, _, ok = run_krm(text, _build())
    assert ok
    data = _load(out)
    assert [r["severity"] for r in data["results"]] == ["warning"]
    assert out.endswith(CONFIG)


def test_an_error_leaves_the_items_as_they_were_and_reports_the_item() -> None:
    text = HEAD + ITEMS.replace("IMAGE", "app") + CONFIG
    out, problems, ok = run_krm(text, _build())
    assert not ok
    assert out.startswith(text)
    (result,) = _load(out)["results"]
    assert result["severity"] == "error" and result["resourceRef"]["name"] == "etcd"
    assert result["field"] == {"path": "spec.template.spec.containers[0].image"}


def test_json_resource_list() -> None:
    data = _load(HEAD + ITEMS.replace("IMAGE", "etcd") + CONFIG)
    text = json.dumps(data, indent=1)
    out, _, ok = run_krm(text, _build(overwrite=OVERWRITE, wire=True))
    assert ok
    rendered = json.loads(out)  # still JSON
    names = [item["metadata"]["name"] for item in rendered["items"]]
    assert names == ["etcd", "versions", "etcd-images-overwrite"]
    assert rendered["items"][0]["spec"]["template"]["spec"]["containers"][0]["image"] == "mirror.example/etcd:v3.5.27"
    assert rendered["items"][1] == data["items"][1]


def test_only_the_wired_item_and_the_generated_one_are_serialised_anew() -> None:
    text = HEAD + ITEMS.replace("IMAGE", "etcd") + CONFIG
    out, problems, ok = run_krm(text, _build(overwrite=OVERWRITE, wire=True))
    assert ok, [str(p) for p in problems]
    assert "# the first item\n" in out  # before the wired item: kept
    config_map = ITEMS.split("- apiVersion: v1\n", 1)[1]
    assert "- apiVersion: v1\n" + config_map in out  # the untouched item, byte for byte
    assert out.startswith(HEAD) and out.endswith(CONFIG)
    data = _load(out)
    assert [i["kind"] for i in data["items"]] == ["Deployment", "ConfigMap", "ConfigMap"]
    deployment = data["items"][0]
    assert deployment["spec"]["template"]["spec"]["volumes"][0]["configMap"]["name"] == "etcd-images-overwrite"
    assert data["items"][2]["metadata"]["annotations"]["config.kubernetes.io/path"] == \
        "apps/configmap_etcd-images-overwrite.yaml"
    again, _, ok = run_krm(out, _build(overwrite=OVERWRITE, wire=True))
    assert ok and again == out  # idempotent


def test_a_superseded_hashed_config_map_is_removed() -> None:
    text = HEAD + ITEMS.replace("IMAGE", "etcd") + CONFIG
    once, _, _ = run_krm(text, _build(overwrite=OVERWRITE, wire=True, hashed=True))
    other = "images:\n- {name: etcd, repository: other.example/etcd}\n"
    twice, _, ok = run_krm(once, _build(overwrite=other, wire=True, hashed=True))
    assert ok

    def generated(text: str) -> list[str]:
        return [i["metadata"]["name"] for i in _load(text)["items"]
                if i["kind"] == "ConfigMap" and i["metadata"]["name"] != "versions"]

    (first,), (second,) = generated(once), generated(twice)
    assert first != second and first.startswith("etcd-images-overwrite-")
    assert "- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: versions}\n" in twice


def test_items_indented_under_their_key() -> None:
    items = "items:\n  - kind: Pod\n    apiVersion: v1\n    metadata: {name: p}   # c\n    spec:\n      containers:\n" \
            "        - name: a\n          image: etcd\n"
    text = HEAD + items + CONFIG
    out, _, ok = run_krm(text, _build())
    assert ok and out == text.replace("image: etcd", f"image: {ETCD}")


def test_json_resource_list_gets_json_results() -> None:
    data = _load(HEAD + ITEMS.replace("IMAGE", "gcr.io/etcd:v1@sha256:" + "a" * 64) + CONFIG)
    text = json.dumps(data)
    out, _, ok = run_krm(text, _build())
    assert ok
    rendered = json.loads(out)
    assert [r["severity"] for r in rendered["results"]] == ["warning"]
    assert out.startswith(text[:-1].replace("gcr.io/etcd:v1@sha256:" + "a" * 64, ETCD))


def test_comments_after_a_wired_item_stay() -> None:
    items = ("items:\n  - apiVersion: apps/v1\n    kind: Deployment\n    metadata: {name: etcd, namespace: garden}\n"
             "    spec:\n      template:\n        spec:\n          containers:\n            - name: etcd\n"
             "              image: etcd   # goes with the item\n  # about the next item\n"
             "  - {apiVersion: v1, kind: Service, metadata: {name: s}}\n")
    text = HEAD + items + CONFIG
    out, problems, ok = run_krm(text, _build(overwrite=OVERWRITE, wire=True))
    assert ok, [str(p) for p in problems]
    assert "  # about the next item\n  - {apiVersion: v1, kind: Service, metadata: {name: s}}\n" in out
    assert "image: mirror.example/etcd:v3.5.27   # goes with the item\n" in out  # the wired item keeps its comments
    assert [i["kind"] for i in _load(out)["items"]] == ["Deployment", "Service", "ConfigMap"]
    again, _, _ = run_krm(out, _build(overwrite=OVERWRITE, wire=True))
    assert again == out


def test_results_carry_resource_file_and_field_from_the_problem() -> None:
    text = HEAD + ITEMS.replace("IMAGE", "app") + CONFIG
    out, problems, ok = run_krm(text, _build())
    (result,) = _load(out)["results"]
    assert result == {
        "message": result["message"], "severity": "error",
        "resourceRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "etcd", "namespace": "garden"},
        "file": {"path": "apps/etcd.yaml"},
        "field": {"path": "spec.template.spec.containers[0].image"},
    }
    (problem,) = problems
    assert problem.resource is not None and problem.resource.file == "apps/etcd.yaml"
    # for people: the resource and its file, not lines of the ResourceList
    assert str(problem) == ("Deployment garden/etcd (from apps/etcd.yaml): spec.template.spec.containers[0].image: "
                            + result["message"])


def test_a_result_is_made_of_the_problem_alone() -> None:
    etcd = Resource("Deployment", "garden", "etcd", "apps/v1", file="apps/etcd.yaml")
    about_item = Problem("wrong", "warning", file="stdin", field="spec.x", document=0, resource=etcd)
    assert krm._result(about_item) == {
        "message": "wrong", "severity": "warning", "field": {"path": "spec.x"}, "file": {"path": "apps/etcd.yaml"},
        "resourceRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "etcd", "namespace": "garden"}}
    in_vector = Problem("unchecked", "warning", file="v.yaml", line=2, column=3, field="images[0]")
    assert krm._result(in_vector) == {"message": "v.yaml:2:3: images[0]: unchecked", "severity": "warning"}
    assert krm._result(Problem("--wire X: no such workload")) == {
        "message": "--wire X: no such workload", "severity": "error"}


def _krm_cli(tmp_path: Any, stdin: str, *args: str) -> Any:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("IMAGEVECTOR") or k == "IMAGEVECTOR_CACHE_DIR"}
    return subprocess.run([sys.executable, "-m", "imagevector", "render", *args], input=stdin, text=True,
                          capture_output=True, env=env, cwd=tmp_path, check=False)


def test_an_error_before_the_render_comes_back_as_results_of_the_list_with_strict(tmp_path: Any) -> None:
    (tmp_path / "v.yaml").write_text("images:\n- {name: etcd, repository: gcr.io/etcd, tag: v3.5.27, tga: x}\n")
    text = HEAD + ITEMS.replace("IMAGE", "etcd")
    done = _krm_cli(tmp_path, text, "--vector", "v.yaml", "--strict")
    assert done.returncode == 1
    assert "v.yaml:2:" in done.stderr and "unknown field 'tga'" in done.stderr
    out = _load(done.stdout)  # kpt and kustomize show a function's results: the error is one of them
    assert out["items"] == _load(text)["items"]
    (result,) = out["results"]
    assert result["severity"] == "error" and "unknown field 'tga'" in result["message"]
    assert done.stdout.startswith(text)  # the list as it came, the results added
    # without --strict it is a warning and the render goes on
    lenient = _krm_cli(tmp_path, text, "--vector", "v.yaml")
    assert lenient.returncode == 0 and _load(lenient.stdout)["results"][0]["severity"] == "warning"


def test_a_wrong_function_config_comes_back_as_results(tmp_path: Any) -> None:
    config = ("functionConfig:\n  apiVersion: imagevector.dev/v1alpha1\n  kind: ImageVectorRenderer\n"
              "  metadata: {name: r}\n  spec: {vector: missing.yaml}\n")
    done = _krm_cli(tmp_path, HEAD + ITEMS.replace("IMAGE", "etcd") + config)
    assert done.returncode == 1 and "missing.yaml" in done.stderr
    (result,) = _load(done.stdout)["results"]
    assert result["severity"] == "error" and "missing.yaml" in result["message"]


def test_input_that_is_no_resource_list_gets_no_list_back(tmp_path: Any) -> None:
    done = _krm_cli(tmp_path, HEAD + "items: 3\n", "--vector", "v.yaml")
    assert done.returncode == 1 and done.stdout == "" and "'items' must be a list" in done.stderr


def _crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


def test_a_crlf_resource_list_keeps_crlf_everywhere() -> None:
    """Results added, results replaced, an item wired and a ConfigMap item generated: every line break of a CRLF
    list stays CRLF (no mixed endings), and the output is the LF output with CRLF."""
    digest = "sha256:" + "a" * 64
    cases = [
        (HEAD + ITEMS.replace("IMAGE", f"gcr.io/etcd:v3.4@{digest}") + CONFIG, _build()),
        (HEAD + ITEMS.replace("IMAGE", f"gcr.io/etcd:v1@{digest}") + "results:\n- {message: old}\n" + CONFIG,
         _build()),
        (HEAD + ITEMS.replace("IMAGE", "etcd") + CONFIG, _build(OVERWRITE, wire=True)),
    ]
    for text, build in cases:
        lf, _, ok = run_krm(text, build)
        crlf, _, crlf_ok = run_krm(_crlf(text), build)
        assert ok and crlf_ok
        assert "results:" in lf or "images-overwrite" in lf  # each case adds something
        assert crlf == _crlf(lf)
        assert "\n" not in crlf.replace("\r\n", "")


def test_a_crlf_resource_list_is_recognised() -> None:
    from imagevector.commands.render import is_resource_list

    for head in (HEAD, "apiVersion: config.kubernetes.io/v1\nkind: ResourceList  # the list\n",
                 "apiVersion: config.kubernetes.io/v1\nkind: 'ResourceList'\t\n"):
        assert is_resource_list(head + ITEMS) and is_resource_list(_crlf(head + ITEMS))
    assert not is_resource_list(_crlf("kind: ResourceListX\n")) and not is_resource_list("kind: List\r\n")


@pytest.mark.parametrize("br", ["\r", "\x85", "\u2028", "\u2029"])
def test_a_resource_list_with_other_line_breaks_is_recognised_and_refused(br: str) -> None:
    """kustomize and kpt write LF; a list broken by a lone CR, NEL, LS or PS was not recognised (rendered as a
    plain stream: functionConfig ignored), and once recognised, its results were written into the wrong place
    (output that does not parse, exit 0). It is a one-line error, located."""
    from imagevector.commands.render import is_resource_list

    text = (HEAD + ITEMS.replace("IMAGE", "etcd") + "results:\n- {message: old}\n" + CONFIG).replace("\n", br)
    assert is_resource_list(text)
    with pytest.raises(UserError) as caught:
        run_krm(text, _build())
    assert caught.value.lines == [f"stdin (ResourceList):1:36: a U+{ord(br):04X} line break: a ResourceList is read "
                                  "with LF or CRLF line breaks only"]


def test_a_json_resource_list_with_crlf_is_the_lf_one_with_crlf() -> None:
    data = _load(HEAD + ITEMS.replace("IMAGE", "gcr.io/etcd:v1@sha256:" + "a" * 64) + CONFIG)
    text = json.dumps(data, indent=1)
    for build in (_build(), _build(overwrite=OVERWRITE, wire=True)):
        lf, _, ok = run_krm(text, build)
        crlf, _, crlf_ok = run_krm(_crlf(text), build)
        assert ok and crlf_ok and '"results"' in lf
        assert crlf == _crlf(lf)


def test_a_resource_list_with_mixed_line_breaks_parses() -> None:
    """Some lines CRLF, some LF: results are added and an item wired; the output reads as the LF output."""
    text = HEAD + ITEMS.replace("IMAGE", "gcr.io/etcd:v1@sha256:" + "a" * 64) + "results:\n- {message: old}\n" + CONFIG
    for build in (_build(), _build(overwrite=OVERWRITE, wire=True)):
        lf, _, ok = run_krm(text, build)
        mixed, _, mixed_ok = run_krm(text.replace("\n", "\r\n", 7), build)
        assert ok and mixed_ok
        assert _load(mixed) == _load(lf)
