"""Property tests: nothing is lost. Over generated streams and vectors: every document is kept, untouched
documents are byte-identical, rendering is idempotent, and the only changed values are governed image fields."""

from __future__ import annotations

import json
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from imagevector.inputs import TextSource
from imagevector.model import ImageSource, ImageVector
from imagevector.records import replace
from imagevector.render.output import pieces
from imagevector.render.pipeline import render
from imagevector.render.stream import split
from imagevector.render.types import RenderContext
from imagevector.settings import Settings, resolve_settings

NAMES = ["app", "etcd", "pause-container", "proxy"]
REPOS = {"app": "registry.example/app", "etcd": "gcr.io/etcd", "pause-container": "registry.k8s.io/pause",
         "proxy": "quay.io/proxy"}


@st.composite
def vectors(draw: Any) -> str:
    images = []
    for name in draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=4, unique=True)):
        tag = draw(st.sampled_from(["1.0", "v2", "sha256:" + "a" * 64, "3.10"]))
        images.append({"name": name, "repository": REPOS[name], "tag": tag})
    return yaml.safe_dump({"images": images})


image_values = st.one_of(
    st.sampled_from(NAMES),
    st.builds(lambda n, t: f"{REPOS[n]}:{t}", st.sampled_from(NAMES), st.sampled_from(["old", "1.0", "latest"])),
    st.sampled_from(["nginx:1.25", "docker.io/library/busybox", "other/thing@sha256:" + "b" * 64]),
)


def styled(value: str, style: str, indent: str) -> str:
    if style == "single":
        return f"'{value}'"
    if style == "double":
        return json.dumps(value)
    if style == "block":
        return f">-\n{indent}  {value}"
    return value


@st.composite
def containers(draw: Any, indent: str, dash_offset: str) -> str:
    lines = []
    for i in range(draw(st.integers(1, 3))):
        value = draw(image_values)
        style = draw(st.sampled_from(["plain", "single", "double", "block", "flow"]))
        comment = draw(st.sampled_from(["", "  # pinned", " #x"]))
        pad = indent + dash_offset
        if style == "flow":
            lines.append(f"{pad}- {{name: c{i}, image: {value}}}{comment}")
        else:
            lines.append(f"{pad}- name: c{i}")
            if style == "block":
                lines.append(f"{pad}  image: >-{comment}\n{pad}    {value}")
            else:
                lines.append(f"{pad}  image: {styled(value, style, pad)}{comment}")
    return "\n".join(lines)


@st.composite
def documents(draw: Any) -> str:
    kind = draw(st.sampled_from(["Deployment", "ConfigMap", "Pod", "Service", "CronJob"]))
    head = draw(st.sampled_from(["---\n", "---\n# Source: chart/templates/x.yaml\n", "--- # c\n"]))
    name = draw(st.from_regex(r"[a-z][a-z0-9-]{0,8}", fullmatch=True))
    if kind == "ConfigMap":
        value = draw(image_values)
        return f"{head}apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  x: |\n    image: {value}\n"
    if kind == "Service":
        return f"{head}apiVersion: v1\nkind: Service\nmetadata: {{name: {name}}}\nspec:\n  ports: [{{port: 80}}]\n"
    dash = draw(st.sampled_from(["", "  "]))
    if kind == "Pod":
        return f"{head}apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n  containers:\n" + draw(
            containers("  ", dash)) + "\n"
    if kind == "CronJob":
        return (f"{head}apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: {name}\nspec:\n  jobTemplate:\n"
                f"    spec:\n      template:\n        spec:\n          containers:\n"
                + draw(containers("          ", dash)) + "\n")
    return (f"{head}apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  template:\n"
            f"    spec:\n      containers:\n" + draw(containers("      ", dash)) + "\n")


@st.composite
def streams(draw: Any) -> str:
    text = "".join(draw(st.lists(documents(), min_size=1, max_size=6)))
    return text if draw(st.booleans()) else text.rstrip("\n")


def context(vector_text: str) -> RenderContext:
    resolved = resolve_settings(Settings(vectors=[TextSource("v.yaml", vector_text)], target_version="1.32"))
    return RenderContext(resolved)


def _images(doc: Any) -> list[str]:
    found: list[str] = []
    if not isinstance(doc, dict):
        return found
    spec = doc.get("spec") or {}
    if doc.get("kind") == "CronJob":
        spec = spec["jobTemplate"]["spec"]["template"]["spec"]
    elif doc.get("kind") == "Deployment":
        spec = spec["template"]["spec"]
    for container in spec.get("containers") or []:
        found.append(container["image"])
    return found


def _strip_images(doc: Any) -> Any:
    text = json.dumps(doc, sort_keys=True)
    for image in _images(doc):
        text = text.replace(json.dumps(image), '"<image>"')
    return text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(vector=vectors(), stream=streams())
def test_nothing_lost(vector: str, stream: str) -> None:
    ctx = context(vector)
    result = render(stream, ctx)
    assert result.ok, [str(p) for p in result.problems if p.severity == "error"]
    out = result.text
    before, after = split(stream), split(out)
    # every document is kept
    assert len(before) == len(after)
    governed = {image.name: image for image in ImageVector(ctx.resolved.vector.images).images}
    repos = {image.repository: image.name for image in ctx.resolved.base.images}
    for old, new in zip(before, after, strict=True):
        old_doc, new_doc = yaml.safe_load(old.text), yaml.safe_load(new.text)
        old_images, new_images = _images(old_doc), _images(new_doc)
        # the only differing values are image fields ...
        assert _strip_images(old_doc) == _strip_images(new_doc)
        changed = False
        for was, now in zip(old_images, new_images, strict=True):
            name = was if was in governed else repos.get(was.split("@")[0].rsplit(":", 1)[0])
            if name is None:
                assert now == was  # ... that the vector governs
            else:
                expected = _reference(governed[name])
                assert now == expected
                changed = changed or now != was
        if not changed:
            assert new.text == old.text  # untouched documents are byte-identical
    # idempotent
    assert render(out, ctx).text == out


def _reference(source: ImageSource) -> str:
    tag = source.tag or ""
    return f"{source.repository}@{tag}" if tag.startswith("sha256:") else f"{source.repository}:{tag}"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(vector=vectors(), stream=streams(), crlf=st.booleans(), accents=st.booleans(), trust=st.booleans())
def test_a_render_that_keeps_no_documents_writes_the_same(vector: str, stream: str, crlf: bool, accents: bool,
                                                         trust: bool) -> None:
    """`imagevector render` keeps only the edits of its input (documents=False): the same output, problems
    and emitted images as a render that keeps every document; there, only changed documents hold text."""
    if accents:  # non-ASCII before the image fields: character offsets, not bytes
        stream = stream.replace("metadata:", "metadata:  # Grüße, 日本 ☃", 1)
    if crlf:
        stream = stream.replace("\n", "\r\n")
    ctx = replace(context(vector), trust_input=trust)
    full = render(stream, ctx, images=True)
    lean = render(stream, ctx, joined=False, documents=False, images=True)
    assert [str(p) for p in lean.problems] == [str(p) for p in full.problems]
    assert lean.documents == [] and lean.edits is not None and lean.text == ""
    if full.ok:
        assert "".join(pieces(lean)) == full.text
    assert lean.images == full.images == [ref for doc in full.documents for ref in doc.images]
    assert len(lean.edits) == sum(doc.images_changed for doc in full.documents)
    for doc in full.documents:
        assert doc.changed == bool(doc.images_changed)
        assert doc.changed or doc.text == doc.chunk.text


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(vector=vectors(), stream=streams())
def test_a_crlf_stream_renders_as_the_lf_one_with_crlf(vector: str, stream: str) -> None:
    """Line breaks are the input's: the CRLF stream's output is the LF stream's output with CRLF (no mixed
    endings; the golden cases check the same with wiring and KRM lists, tests/test_render_golden.py)."""
    ctx = context(vector)
    lf, crlf = render(stream, ctx), render(stream.replace("\n", "\r\n"), ctx)
    assert [str(p) for p in crlf.problems] == [str(p) for p in lf.problems]
    if lf.ok:
        assert crlf.text == lf.text.replace("\n", "\r\n")


BREAKS = ["\n", "\r\n", "\r", "\x85", "\u2028", "\u2029"]  # every line break libyaml knows


def _with(text: str, breaks: list[str]) -> str:
    """`text` with its i-th "\n" replaced by breaks[i % len(breaks)], never a lone CR before a LF (that pair
    would be one CRLF break, not two)."""
    lines = text.split("\n")
    out = [lines[0]]
    for i, line in enumerate(lines[1:]):
        br = breaks[i % len(breaks)]
        out.append(("\n" if br == "\r" and not line else br) + line)
    return "".join(out)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(vector=vectors(), stream=streams(), breaks=st.lists(st.sampled_from(BREAKS), min_size=1, max_size=5),
       trust=st.booleans(), astral=st.booleans())
def test_every_line_break_splices_at_the_same_place(vector: str, stream: str, breaks: list[str],
                                                     trust: bool, astral: bool) -> None:
    """Splices are made at libyaml's character offsets: with any line breaks libyaml knows (a lone CR, NEL,
    U+2028, U+2029, CRLF, mixed in any way), the output is the LF output with the same breaks, line for line, and
    the documents are split where libyaml splits them (problems are the same, on the same lines)."""
    if astral:  # characters outside the BMP (4 UTF-8 bytes, one code point) before image fields
        stream = stream.replace("metadata:", "metadata:  # 😀 Grüße 𝄞", 2)
    ctx = replace(context(vector), trust_input=trust)
    lf, other = render(stream, ctx), render(_with(stream, breaks), ctx)
    assert [str(p) for p in other.problems] == [str(p) for p in lf.problems]
    if lf.ok:
        assert other.text == _with(lf.text, breaks)
        assert len(split(other.text)) == len(split(lf.text))
