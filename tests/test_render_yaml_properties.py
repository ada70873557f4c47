"""Property tests over YAML forms (issue 11): streams with directives, anchors, aliases, tags, explicit and
quoted keys, flow and compact JSON, `kind: List` and digests.

* the output parses to the same data as the input, except the governed image fields, which read the
  resolved reference (with the manifest's digest when the tag stays);
* a document nothing changes comes out byte for byte; rendering is idempotent;
* --trust-input gives the same output, on these streams, on the streams of test_render_properties and on
  every golden input.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import without
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from imagevector.inputs import TextSource
from imagevector.model import split_reference
from imagevector.render.pipeline import render
from imagevector.render.stream import split
from imagevector.render.types import RenderContext
from imagevector.settings import Settings, resolve_settings
from test_render_properties import streams as plain_streams
from test_render_properties import vectors

NAMES = ["app", "etcd", "pause-container", "proxy"]
REPOS = {"app": "registry.example/app", "etcd": "gcr.io/etcd", "pause-container": "registry.k8s.io/pause",
         "proxy": "quay.io/proxy"}
DIGEST = "sha256:" + "c" * 64
WORKLOADS = {"Pod": ("spec",), "Deployment": ("spec", "template", "spec")}

image_values = st.one_of(
    st.sampled_from(NAMES),
    st.builds(lambda n, t: f"{REPOS[n]}:{t}", st.sampled_from(NAMES), st.sampled_from(["old", "1.0", "v2"])),
    st.builds(lambda n, t: f"{REPOS[n]}:{t}@{DIGEST}", st.sampled_from(NAMES), st.sampled_from(["old", "1.0", "v2"])),
    st.builds(lambda n: f"{REPOS[n]}@{DIGEST}", st.sampled_from(NAMES)),
    st.sampled_from(["nginx:1.25", "docker.io/library/busybox", f"other/thing@{DIGEST}"]),
)


def _quoted(value: str, style: str) -> str:
    if style == "single":
        return f"'{value}'"
    if style == "double":
        return json.dumps(value)
    return value


@st.composite
def container(draw: Any, i: int, pad: str, anchors: list[str]) -> str:
    """One container of a block list at `pad`, its image written in one of many forms."""
    form = draw(st.sampled_from(["block", "block", "flow", "json", "explicit", "next-line", "folded"]))
    if anchors and draw(st.integers(0, 4)) == 0:
        value_text = "*" + draw(st.sampled_from(anchors))
        form = draw(st.sampled_from(["block", "flow"]))
        return (f"{pad}- {{name: c{i}, image: {value_text} }}" if form == "flow"
                else f"{pad}- name: c{i}\n{pad}  image: {value_text}")
    value = draw(image_values)
    style = draw(st.sampled_from(["plain", "single", "double"]))
    tag = draw(st.sampled_from(["", "", "!!str ", "!<tag:yaml.org,2002:str> ", "! "]))
    anchor = ""
    if draw(st.booleans()):
        anchor = f"&a{len(anchors)} "
        anchors.append(f"a{len(anchors)}")
    props = anchor + tag
    comment = draw(st.sampled_from(["", "  # pinned", "\t# tab", " #x"]))
    if form == "json":
        return f'{pad}- {{"name":"c{i}","image":{props}{json.dumps(value)}}}{comment}'
    if form == "flow":
        return f"{pad}- {{name: c{i}, image: {props}{_quoted(value, style)}}}{comment}"
    key = draw(st.sampled_from(["image", '"image"', "'image'"]))
    if form == "explicit":
        return f"{pad}- name: c{i}\n{pad}  ? image\n{pad}  : {props}{_quoted(value, style)}{comment}"
    if form == "next-line":
        return f"{pad}- name: c{i}\n{pad}  {key}: {props}# the image\n{pad}    {_quoted(value, style)}"
    if form == "folded":
        return f"{pad}- name: c{i}\n{pad}  {key}: {props}>-{comment}\n{pad}    {value}"
    return f"{pad}- name: c{i}\n{pad}  {key}: {props}{_quoted(value, style)}{comment}"


@st.composite
def pod_spec(draw: Any, pad: str, anchors: list[str]) -> str:
    lines = [draw(container(i, pad, anchors)) for i in range(draw(st.integers(1, 3)))]
    return "\n".join(lines)


@st.composite
def resource(draw: Any, anchors: list[str], pad: str = "") -> str:
    """A Pod or Deployment (block style) at indentation `pad`; `anchors`: those of its document so far."""
    kind = draw(st.sampled_from(["Pod", "Deployment"]))
    name = draw(st.from_regex(r"[a-z][a-z0-9-]{0,6}", fullmatch=True))
    api_version = "v1" if kind == "Pod" else "apps/v1"
    head = f"{pad}apiVersion: {api_version}\n{pad}kind: {kind}\n{pad}metadata: {{name: {name}}}\n"
    if kind == "Pod":
        return head + f"{pad}spec:\n{pad}  containers:\n" + draw(pod_spec(pad + "  ", anchors)) + "\n"
    return head + (f"{pad}spec:\n{pad}  template:\n{pad}    spec:\n{pad}      containers:\n"
                   + draw(pod_spec(pad + "      ", anchors)) + "\n")


@st.composite
def document(draw: Any) -> str:
    shape = draw(st.sampled_from(["resource", "resource", "list", "configmap", "service"]))
    anchors: list[str] = []
    if shape == "list":
        items = [draw(resource(anchors, "  ")) for _ in range(draw(st.integers(1, 2)))]
        body = "".join("-" + item[1:] for item in items)
        return f"apiVersion: v1\nitems:\n{body}kind: List\nmetadata: {{resourceVersion: ''}}\n"
    if shape == "configmap":
        value = draw(image_values)
        return f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c}}\ndata:\n  x: |\n    image: {value}\n"
    if shape == "service":
        return "apiVersion: v1\nkind: Service\nmetadata: {name: etcd}\nspec:\n  ports: [{port: 80}]\n"
    return draw(resource(anchors))


@st.composite
def yaml_streams(draw: Any) -> str:
    parts: list[str] = []
    for _ in range(draw(st.integers(1, 5))):
        head = draw(st.sampled_from(["---\n", "--- # c\n", "%YAML 1.1\n---\n", "%YAML 1.2\n# c\n---\n",
                                     "%TAG !t! tag:yaml.org,2002:\n---\n"]))
        if head.startswith("%") and parts:
            parts.append("...\n")  # directives follow the end of the previous document
        parts.append(head + draw(document()))
    return "".join(parts)


def context(vector_text: str, trust: bool = False) -> RenderContext:
    resolved = resolve_settings(Settings(vectors=[TextSource("v.yaml", vector_text)], target_version="1.32"))
    return RenderContext(resolved, trust_input=trust)


def _expected(value: str, vector: dict[str, str]) -> str:
    """What a governed image field must read (the digest rules of issue 11)."""
    repository, tag, digest = split_reference(value)
    name = value if value in vector else next((n for n in vector if REPOS[n] == repository), None)
    if name is None:
        return value
    new_tag = vector[name]
    if new_tag.startswith("sha256:"):
        return f"{REPOS[name]}@{new_tag}"
    if digest and tag == new_tag:
        return f"{REPOS[name]}:{new_tag}@{digest}"
    return f"{REPOS[name]}:{new_tag}"


def _pod_specs(doc: Any) -> list[dict[str, Any]]:
    if not isinstance(doc, dict):
        return []
    if doc.get("kind") == "List":
        return [spec for item in doc.get("items") or [] for spec in _pod_specs(item)]
    path = WORKLOADS.get(doc.get("kind"))  # type: ignore[arg-type]
    if path is None:
        return []
    spec = doc
    for step in path:
        spec = spec[step]
    return [spec]


def _render_expected(doc: Any, vector: dict[str, str]) -> Any:
    doc = json.loads(json.dumps(doc))  # a copy without shared (aliased) nodes
    for spec in _pod_specs(doc):
        for c in spec.get("containers") or []:
            c["image"] = _expected(c["image"], vector)
    return doc


def _load(text: str) -> Any:
    return yaml.load(text, Loader=yaml.CSafeLoader)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(vector=vectors(), stream=yaml_streams())
def test_output_is_the_input_with_governed_images_rendered(vector: str, stream: str) -> None:
    ctx = context(vector)
    result = render(stream, ctx)
    assert result.ok, [str(p) for p in result.problems if p.severity == "error"]
    governed = {i["name"]: str(i["tag"]) for i in yaml.safe_load(vector)["images"]}
    before, after = split(stream), split(result.text)
    assert len(before) == len(after)
    for old, new in zip(before, after, strict=True):
        old_doc, new_doc = _load(old.text), _load(new.text)
        expected = _render_expected(old_doc, governed)
        assert new_doc == expected
        if expected == old_doc:
            assert new.text == old.text  # nothing changes: byte for byte
    # a digest is dropped (with a warning naming the image) exactly when a tag changes under it
    warned = [p for p in result.problems if p.severity == "warning" and "is dropped" in p.message]
    drops = [c["image"] for chunk in before for spec in _pod_specs(_load(chunk.text))
             for c in spec.get("containers") or [] if "@" in c["image"]
             and "@" not in _expected(c["image"], governed) and split_reference(c["image"])[0] in REPOS.values()]
    assert bool(warned) == bool(drops)
    assert all(any(f"image {image!r}" in p.message for image in drops) for p in warned)
    assert render(result.text, ctx).text == result.text  # idempotent
    trusted = render(stream, context(vector, trust=True))
    assert trusted.text == result.text
    assert [str(p) for p in trusted.problems] == [str(p) for p in result.problems]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(vector=vectors(), stream=plain_streams())
def test_trust_input_changes_nothing_on_plain_streams(vector: str, stream: str) -> None:
    result = render(stream, context(vector))
    trusted = render(stream, context(vector, trust=True))
    assert result.ok and trusted.ok
    assert trusted.text == result.text


GOLDEN = Path(__file__).resolve().parent / "golden"


@pytest.mark.parametrize("name", sorted(p.name for p in GOLDEN.iterdir() if (p / "input.yaml").exists()))
def test_trust_input_changes_nothing_on_golden_inputs(name: str) -> None:
    case = GOLDEN / name
    args = shlex.split((case / "args").read_text())
    env = without(("IMAGEVECTOR", "KUBE_VERSION"))
    outputs = []
    for extra in ([], ["--trust-input"]):
        proc = subprocess.run([sys.executable, "-m", "imagevector", "render", *args, *extra],
                              input=(case / "input.yaml").read_bytes(), capture_output=True, cwd=case, check=False,
                              env=env)
        assert proc.returncode == 0, proc.stderr.decode()
        outputs.append((proc.stdout, proc.stderr))
    assert outputs[0] == outputs[1]
    assert outputs[0][0] == (case / "expected.yaml").read_bytes()
