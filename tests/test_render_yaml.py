"""Table tests for the YAML forms a renderer meets (issue 11): directives, anchors and tags on a rewritten
scalar, aliases and merge keys, undefined aliases, `kind: List`, digests, and what --trust-input may skip.

Each case renders in-process with and without --trust-input (the output must be the same) and checks the
output parses; an expected text is the whole output, or a list of (old, new) line edits of the input."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from imagevector.inputs import TextSource
from imagevector.render.pipeline import render
from imagevector.render.types import RenderContext, RenderResult
from imagevector.settings import Settings, resolve_settings

VECTOR = """\
images:
- {name: pause-container, repository: registry.k8s.io/pause, tag: "3.10"}
- {name: etcd, repository: gcr.io/etcd-development/etcd, tag: v3.5.27}
- {name: controller, repository: registry.k8s.io/ingress-nginx/controller, tag: v1.15.1}
- name: coredns
  repository: registry.k8s.io/coredns/coredns
  tag: v1.11.3@sha256:9caabbf6238b189a65d0d6e6ac138de60d6a1c419e5a341fbbb7c78382559c6e
"""
PAUSE = "registry.k8s.io/pause:3.10"
ETCD = "gcr.io/etcd-development/etcd:v3.5.27"
DIGEST = "sha256:" + "5a" * 32
POD = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"


def _ctx(trust: bool = False) -> RenderContext:
    resolved = resolve_settings(Settings(vectors=[TextSource("v.yaml", VECTOR)], target_version="1.32"))
    return RenderContext(resolved, trust_input=trust)


def _render(text: str) -> RenderResult:
    result = render(text, _ctx())
    trusted = render(text, _ctx(trust=True))
    if result.ok:  # --trust-input may never change the output
        assert trusted.ok and trusted.text == result.text
        assert [str(p) for p in trusted.problems] == [str(p) for p in result.problems]
        list(yaml.load_all(result.text, Loader=yaml.CSafeLoader))  # the output parses
    return result


def _edited(text: str, edits: list[tuple[str, str]]) -> str:
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


# name: (input, edits of the input that make the output)
RENDERED: dict[str, tuple[str, list[tuple[str, str]]]] = {
    # directives start a document; the image after them is rendered and nothing is glued onto `---`
    "yaml-directive": ("%YAML 1.2\n---\n" + POD + "  - {name: a, image: pause-container}\n",
                       [("image: pause-container", f"image: {PAUSE}")]),
    "directives-later-document": (
        POD + "  - {name: a, image: etcd}\n...\n%YAML 1.1\n%TAG !e! tag:yaml.org,2002:\n# a comment\n---\n"
        + POD.replace("name: p", "name: q") + "  - {name: b, image: !e!str pause-container}\n",
        [("image: etcd", f"image: {ETCD}"), ("!e!str pause-container", f"!e!str {PAUSE}")]),
    "directive-without-end-marker": (
        POD + "  - {name: a, image: etcd}\n%YAML 1.1\n---\n" + POD + "  - {name: b, image: pause-container}\n",
        [("image: etcd", f"image: {ETCD}"), ("image: pause-container", f"image: {PAUSE}")]),
    "directive-crlf": (("%YAML 1.2\r\n---\r\n" + POD + "  - name: a\n    image: pause-container\n").replace(
        "\n", "\r\n").replace("\r\r", "\r"), [("image: pause-container", f"image: {PAUSE}")]),
    # anchors and tags stay; only the value changes
    "anchor": (POD + "  - name: a\n    image: &img pause-container\n", [("&img pause-container", f"&img {PAUSE}")]),
    "anchor-then-tag": (POD + "  - name: a\n    image: &img !!str 'pause-container'\n",
                        [("'pause-container'", f"'{PAUSE}'")]),
    "tag-then-anchor": (POD + "  - name: a\n    image: !!str &img \"pause-container\"\n",
                        [('"pause-container"', f'"{PAUSE}"')]),
    "verbatim-tag": (POD + "  - {name: a, image: !<tag:yaml.org,2002:str> pause-container}\n",
                     [("> pause-container}", f"> {PAUSE}}}")]),
    "non-specific-tag": (POD + "  - {name: a, image: ! pause-container}\n", [("! pause-container", f"! {PAUSE}")]),
    "properties-on-their-own-line": (POD + "  - name: a\n    image: &img !!str # why\n      pause-container\n",
                                     [("      pause-container", f"      {PAUSE}")]),
    "tagged-block-scalar": (POD + "  - name: a\n    image: !!str &b >-\n      pause-container\n",
                            [("      pause-container", f"      {PAUSE}")]),
    # aliases: the anchored image field is rewritten and its aliases follow, wherever they are
    "alias-follows": (POD + "  - name: a\n    image: &img pause-container\n"
                      "  - name: b\n    image: *img\n", [("&img pause-container", f"&img {PAUSE}")]),
    "aliased-containers": (POD + "  - &c {name: a, image: etcd}\n  initContainers: [*c]\n",
                           [("image: etcd", f"image: {ETCD}")]),
    "aliased-container-list": (POD + "  - {name: a, image: etcd}\n  initContainers: &l\n  - {name: i, image: etcd}\n"
                               "  ephemeralContainers: *l\n",
                               [("{name: a, image: etcd}", f"{{name: a, image: {ETCD}}}"),
                                ("{name: i, image: etcd}", f"{{name: i, image: {ETCD}}}")]),
    "merge-key-inline": (POD + "  - name: a\n    <<: {image: pause-container, imagePullPolicy: Always}\n",
                         [("image: pause-container", f"image: {PAUSE}")]),
    "merge-key-alias-of-image-field": (
        POD + "  - &base {name: a, image: pause-container}\n  - <<: *base\n    name: b\n",
        [("image: pause-container", f"image: {PAUSE}")]),
    "merge-key-overridden": (POD + "  - name: a\n    <<: {image: nginx}\n    image: etcd\n",
                             [("image: etcd", f"image: {ETCD}")]),
    "alias-key": (POD.replace("metadata: {name: p}", "metadata: {name: p, labels: {k: &k image}}")
                  + "  - {name: a, *k : etcd}\n", [("*k : etcd", f"*k : {ETCD}")]),
    "kind-by-alias": ("x: &k Pod\napiVersion: v1\nkind: *k\nmetadata: {name: p}\nspec:\n  containers:\n"
                      "  - {name: a, image: etcd}\n", [("image: etcd", f"image: {ETCD}")]),
    "identity-by-merge-key": ("base: &b {apiVersion: v1, kind: Pod}\n<<: *b\nmetadata: {name: q}\nspec:\n"
                              "  containers: [{name: a, image: etcd}]\n", [("image: etcd", f"image: {ETCD}")]),
    # kind: List and the typed lists
    "kind-list-items-first": (
        "apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: p}\n  spec:\n    containers:\n"
        "    - {name: a, image: etcd}\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: c}, data: {image: etcd}}\n"
        "kind: List\nmetadata: {resourceVersion: ''}\n", [("{name: a, image: etcd}", f"{{name: a, image: {ETCD}}}")]),
    "typed-list-items-without-kind": (
        '{"apiVersion":"apps/v1","kind":"DeploymentList","items":[{"metadata":{"name":"d"},"spec":{"template":'
        '{"spec":{"containers":[{"name":"a","image":"etcd"}]}}}}]}\n', [('"image":"etcd"', f'"image":"{ETCD}"')]),
    "list-of-lists-of-kinds": (
        "kind: List\napiVersion: v1\nitems:\n- kind: CronJob\n  apiVersion: batch/v1\n  metadata: {name: c}\n"
        "  spec: {jobTemplate: {spec: {template: {spec: {containers: [{name: a, image: etcd}]}}}}}\n",
        [("image: etcd}", f"image: {ETCD}}}")]),
    # digests
    "digest-kept-when-the-tag-stays": (
        POD + f"  - {{name: a, image: 'registry.k8s.io/ingress-nginx/controller:v1.15.1@{DIGEST}'}}\n", []),
    "digest-kept-when-an-overwrite-would-move-nothing": (
        POD + f"  - {{name: a, image: registry.k8s.io/pause:3.10@{DIGEST}}}\n", []),
    "vector-digest-wins": (
        POD + f"  - {{name: a, image: registry.k8s.io/coredns/coredns:v1.11.3@{DIGEST}}}\n",
        [(DIGEST, "sha256:9caabbf6238b189a65d0d6e6ac138de60d6a1c419e5a341fbbb7c78382559c6e")]),
    # what --trust-input must not skip: every way of writing the key and the value
    "compact-json": ('{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":'
                     '[{"name":"a","image":"etcd"}]}}\n', [('"image":"etcd"', f'"image":"{ETCD}"')]),
    "tab-before-comment": (POD + "  - name: a\n    image: etcd\t# pinned\n", [("etcd\t", f"{ETCD}\t")]),
    "comment-then-value-on-next-line": (POD + "  - name: a\n    image: # the image\n      etcd\n",
                                        [("      etcd", f"      {ETCD}")]),
    "explicit-key": (POD + "  - name: a\n    ? image\n    : etcd\n", [(": etcd", f": {ETCD}")]),
    "quoted-key": (POD + "  - {name: a, 'image': etcd}\n", [("'image': etcd", f"'image': {ETCD}")]),
    "escaped-key": (POD + '  - {name: a, "im\\x61ge": etcd}\n', [('ge": etcd', f'ge": {ETCD}')]),
    "escaped-value": (POD + '  - {name: a, image: "\\x65tcd"}\n', [('"\\x65tcd"', f'"{ETCD}"')]),
    "value-folded-over-lines": (POD + "  - name: a\n    image:\n\n      etcd\n", [("      etcd", f"      {ETCD}")]),
    "kind-hidden-after-a-flow-line": (
        "apiVersion: v1\nmetadata: {name: p, labels: {a: [b,\nkind: ConfigMap]}}\nkind: Pod\nspec:\n  containers:\n"
        "  - {name: a, image: etcd}\n", [("image: etcd", f"image: {ETCD}")]),
    "kind-quoted-key": ('"kind": Pod\napiVersion: v1\nmetadata: {name: p, labels: {a: "x\nkind: Service"}}\nspec:\n'
                        "  containers:\n  - {name: a, image: etcd}\n", [("image: etcd", f"image: {ETCD}")]),
    "indented-root": ("---\n  apiVersion: v1\n  metadata: {name: p, labels: {a: [b,\nkind: Service]}}\n  kind: Pod\n"
                      "  spec: {containers: [{name: a, image: etcd}]}\n", [("image: etcd", f"image: {ETCD}")]),
    "repository-match-in-json": ('{"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "p"}, "spec": {"containers":'
                                 ' [{"name": "a", "image":"registry.k8s.io/pause:3.9"}]}}\n',
                                 [("pause:3.9", "pause:3.10")]),
}


@pytest.mark.parametrize("name", sorted(RENDERED))
def test_rendered(name: str) -> None:
    text, edits = RENDERED[name]
    result = _render(text)
    assert result.ok, [str(p) for p in result.problems]
    assert [p for p in result.problems if p.severity == "warning"] == []
    assert result.text == _edited(text, edits)
    assert render(result.text, _ctx()).text == result.text  # idempotent


UNCHANGED = {
    "alias-of-an-ungoverned-image": POD + "  - name: a\n    image: &i quay.io/x/y:1\n  - name: b\n    image: *i\n",
    "alias-of-an-ungoverned-value": POD.replace("metadata: {name: p}", "metadata: {name: p, labels: {i: &i nginx}}")
    + "  - {name: a, image: *i}\n",
    "merge-of-ungoverned-defaults": "x-defaults: &d {image: quay.io/x/y:1}\n" + POD + "  - {<<: *d, name: a}\n",
    "not-a-list-kind": "apiVersion: x/v1\nkind: Bundle\nitems:\n- kind: Pod\n"
                       "  spec: {containers: [{name: a, image: etcd}]}\n",
    "directive-only-documents": "%YAML 1.2\n---\n...\n%YAML 1.2\n--- # empty\n",
    "list-items-not-rendered-kinds": "kind: List\napiVersion: v1\nitems:\n- {kind: ConfigMap, data: {image: etcd}}\n",
}


@pytest.mark.parametrize("name", sorted(UNCHANGED))
def test_byte_for_byte(name: str) -> None:
    text = UNCHANGED[name]
    result = _render(text)
    assert result.ok, [str(p) for p in result.problems]
    assert result.text == text


ERRORS = {
    "undefined-alias": (POD + "  - {name: a, image: etcd, env: [{name: X, value: *nope}]}\n",
                        ["undefined YAML alias *nope", "line 6:51"]),
    "undefined-alias-anywhere": ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: *nope}\n",
                                 ["undefined YAML alias *nope", "line 4:11"]),
    "recursive-alias": ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: &d {a: *d}\n",
                        ["recursive YAML alias *d"]),
    "alias-needs-another-value": (
        POD.replace("metadata: {name: p}", "metadata: {name: p, labels: {i: &i pause-container}}")
        + "  - name: a\n    image: *i\n",
        ["image 'pause-container' at line 7:12 is an alias of the value at line 3:33, which is not an image field",
         "spec.containers[0].image"]),
    "merge-needs-another-value": (
        "x-defaults: &d {image: etcd}\n" + POD + "  - <<: *d\n    name: a\n",
        ["at line 7:9 is an alias of the value at line 1:24", "container 'a'"]),
    "merge-chain-too-deep": (
        "x0: &a0 {image: etcd}\n" + "".join(f"x{i}: &a{i} {{<<: *a{i - 1}}}\n" for i in range(1, 100)) + POD
        + "  - {name: a, <<: *a99}\n", ["merge keys (<<) nested deeper than 64 levels"]),
    "alias-to-a-mapping": (POD.replace("metadata: {name: p}", "metadata: &m {name: p}") + "  - {name: a, image: *m}\n",
                           ["image must be a string, not a mapping"]),
    "list-item-unresolvable": (
        "kind: List\napiVersion: v1\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: web}\n"
        "  spec: {containers: [{name: a, image: registry.k8s.io/pause:3.9, env: 5}]}\n- kind: Pod\n"
        "  metadata: {name: two}\n  spec: {containers: [{name: b, image: [etcd]}]}\n",
        ["Pod two: items[1].spec.containers[0].image: image must be a string, not a list"]),
    "duplicate-key": ("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  x: 1\n  y: 2\n  x: 3\n",
                      ["document 1, line 8:3", "data.x: duplicate key 'x' (first at line 6); remove one of them"]),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors(name: str) -> None:
    text, expected = ERRORS[name]
    result = _render(text)
    assert not result.ok
    messages = "\n".join(str(p) for p in result.problems)
    for part in expected:
        assert part in messages, messages
    assert result.text == text


def test_digest_dropped_with_a_warning_when_the_tag_changes() -> None:
    text = POD + f"  - name: a\n    image: registry.k8s.io/ingress-nginx/controller:v1.14.0@{DIGEST}\n"
    result = _render(text)
    assert result.ok
    assert result.text == text.replace(f"v1.14.0@{DIGEST}", "v1.15.1")
    (warning,) = result.problems
    assert warning.severity == "warning"
    assert warning.document == 0 and warning.line == 7
    assert "registry.k8s.io/ingress-nginx/controller:v1.14.0@" in warning.message
    assert "Pod p" in str(warning) and "document 1" in str(warning)


def test_digest_of_an_untagged_reference_is_dropped_with_a_warning() -> None:
    text = POD + f"  - {{name: a, image: 'registry.k8s.io/ingress-nginx/controller@{DIGEST}'}}\n"
    result = _render(text)
    assert result.ok
    assert "controller:v1.15.1'" in result.text and DIGEST not in result.text
    assert [p.severity for p in result.problems] == ["warning"]


def test_a_list_names_the_item_in_its_problems() -> None:
    text = ("kind: List\napiVersion: v1\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: web, namespace: n}\n"
            f"  spec: {{containers: [{{name: a, image: 'registry.k8s.io/ingress-nginx/controller:v1@{DIGEST}'}}]}}\n")
    result = _render(text)
    (warning,) = result.problems
    assert warning.item == 0 and warning.resource is not None and warning.resource.name == "web"
    assert "Pod n/web: items[0].spec.containers[0].image" in str(warning)


def test_trust_input_skips_what_cannot_change() -> None:
    untouched = "---\napiVersion: v1\nkind: Service\nmetadata: {name: etcd}\nspec: {ports: [{port: 1}]}\n"
    config = "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: 'image: etcd'}\n"
    workload = "---\n" + POD + "  - {name: a, image: etcd}\n"
    text = untouched + config + workload + "---\n" + POD + "  - {name: a, image: nginx}\n"
    trusted = render(text, _ctx(trust=True))
    assert trusted.parsed == 1  # the Service and ConfigMap by their kind, the last Pod by its words
    assert trusted.text == render(text, _ctx()).text


def _data(text: str) -> list[Any]:
    return list(yaml.load_all(text, Loader=yaml.CSafeLoader))


def test_an_alias_outside_image_fields_follows_with_a_warning() -> None:
    text = (POD + "  - name: a\n    image: &img pause-container\n    env: [{name: I, value: *img}]\n"
            "  - &c {name: b, image: etcd}\nx-copies: [*c]\n")
    result = _render(text)
    (doc,) = _data(result.text)
    a, b = doc["spec"]["containers"]
    assert a["image"] == a["env"][0]["value"] == PAUSE
    assert b["image"] == doc["x-copies"][0]["image"] == ETCD
    warnings = sorted(str(p) for p in result.problems)
    assert len(warnings) == 2 and all("(not an image field) repeats it" in w for w in warnings)
    assert "the alias at line 8:28" in warnings[0] and "the alias at line 10:12" in warnings[1]


def test_directives_in_a_long_stream() -> None:
    docs = [f"%YAML 1.{i % 2 + 1}\n---\n" + POD.replace("name: p", f"name: p{i}") + "  - {name: a, image: etcd}\n"
            for i in range(5)]
    text = "...\n".join(docs)
    out = _render(text).text
    assert out == text.replace("image: etcd", f"image: {ETCD}")
    assert len(_data(out)) == 5
