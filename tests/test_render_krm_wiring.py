"""Wiring in a ResourceList (render/krm.py `_wire`): done on the items' own texts, it gives what the former way
gave — the whole list loaded, every item dumped as a stream, rendered and loaded again (kept below as the
oracle) — and keeps every other byte: block, flow and JSON lists, an indented list, comments between items,
CRLF."""

from __future__ import annotations

import json
import textwrap
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from imagevector.render import krm, splice
from imagevector.render.krm import run_krm
from imagevector.render.pipeline import render
from imagevector.render.resourcelist import Layout, layout
from imagevector.render.types import RenderContext, RenderResult
from imagevector.render.wiring import dump_resource
from test_render_krm import OVERWRITE, _build
from test_render_resourcelist import resources

HEAD = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n"
DEPLOYMENT = {"apiVersion": "apps/v1", "kind": "Deployment",
              "metadata": {"name": "etcd", "namespace": "garden", "labels": {"a": "1.30"}},
              "spec": {"template": {"spec": {"containers": [{"name": "etcd", "image": "etcd"}]}}}}


def _load(text: str) -> Any:
    return yaml.load(text, Loader=yaml.CSafeLoader)


# --- the former way, as the oracle ------------------------------------------------------------------------

def _old_edit_items(text: str, found: Layout, replaced: dict[int, Any], removed: set[int], added: list[Any]) -> str:
    assert found.items is not None
    items, nodes = found.items, found.item_nodes
    edits: list[splice.Edit] = []
    if items.flow:
        parts = [krm._flow(replaced[i]) if i in replaced else text[node.start:node.end]
                 for i, node in enumerate(nodes) if i not in removed]
        parts.extend(krm._flow(item) for item in added)
        return splice.apply(text, [splice.Edit(items.start, items.end, "[" + ", ".join(parts) + "]")])
    for i, node in enumerate(nodes):
        if i in removed:
            dash = text.rfind("-", 0, node.start)
            line_start = text.rfind("\n", 0, dash) + 1
            end_line = text.rfind("\n", 0, node.end) + 1 if node.end < len(text) else len(text)
            edits.append(splice.Edit(line_start, max(end_line, node.end if node.flow else end_line), ""))
        elif i in replaced:
            if node.flow:
                edits.append(splice.Edit(node.start, node.end, krm._flow(replaced[i])))
            else:
                end = node.last if node.last > node.start else node.end
                if end < node.end and text[end - 1] != "\n":
                    line_end = text.find("\n", end, node.end)
                    if line_end >= 0 and text[end:line_end].lstrip(" \t").startswith(("#", "\r")) \
                            or line_end >= 0 and not text[end:line_end].strip():
                        end = line_end
                new = krm._indented(dump_resource(replaced[i]), node.column).rstrip("\n")
                edits.append(splice.Edit(node.start, end, new + ("\n" if text[end - 1] == "\n" else "")))
    if added:
        dash = items.column
        position = items.end
        if position < len(text):
            position = text.rfind("\n", 0, position) + 1
        prefix = "" if position == 0 or text[position - 1] == "\n" else "\n"
        new = "".join(" " * dash + "- " + krm._indented(dump_resource(item), dash + 2) for item in added)
        edits.append(splice.Edit(position, position, prefix + new))
    return splice.apply(text, edits)


def _old_wire(text: str, found: Layout, plain: bool, ctx: RenderContext) -> tuple[str, RenderResult]:
    items = _load(text)["items"]
    result = render(krm.frame(items), ctx)
    if not result.ok:
        return text, result
    replaced: dict[int, Any] = {}
    removed: set[int] = set()
    for doc in result.documents:
        if doc.text == doc.chunk.text:
            continue
        if doc.text.strip():
            replaced[doc.chunk.index] = _load(doc.text)
        else:
            removed.add(doc.chunk.index)
    added = [_load(generated) for generated in result.generated]
    if not (replaced or removed or added):
        return text, result
    return _old_edit_items(text, layout(text), replaced, removed, [i for i in added if i is not None]), result


def _both(text: str, **options: Any) -> tuple[tuple[str, list[str], bool], tuple[str, list[str], bool]]:
    build = _build(overwrite=OVERWRITE, wire=True, **options)
    new_out, new_problems, new_ok = run_krm(text, build)
    former = krm._wire
    krm._wire = _old_wire  # type: ignore[assignment]
    try:
        old_out, old_problems, old_ok = run_krm(text, build)
    finally:
        krm._wire = former  # type: ignore[assignment]
    return (new_out, sorted({str(p) for p in new_problems}), new_ok), \
        (old_out, sorted({str(p) for p in old_problems}), old_ok)


def _unwired_items_kept(text: str, out: str, wired: set[int]) -> None:
    """Every item but the wired ones is in the output as it is in the images' render of the input."""
    images, _, _ = run_krm(text, _build())
    before, after = layout(images), layout(out)
    for i, (old, new) in enumerate(zip(before.item_nodes, after.item_nodes, strict=False)):
        if i not in wired:
            assert out[new.start:krm._item_end(out, new)] == images[old.start:krm._item_end(images, old)], i


# --- the new way against the former way ----------------------------------------------------------------------

def _text(items: list[dict[str, Any]], style: str) -> str:
    data = {"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList", "items": items}
    if style == "json":
        return json.dumps(data, indent=1, ensure_ascii=False)
    if style == "compact-json":
        return json.dumps(data, ensure_ascii=False)
    if style == "indented":  # `items:` indented by 4
        body = yaml.dump(items, Dumper=yaml.CSafeDumper, sort_keys=False, width=40)
        return HEAD + "items:\n" + textwrap.indent(body, "    ")
    text = yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False, default_flow_style=style == "flow" or None,
                     width=40 if style == "narrow" else 80)
    if style == "comments":  # between the items, at their column and at column 0
        text = text.replace("\n- ", "\n# between\n  # indented\n- ")
    return text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=st.lists(resources, max_size=3), at=st.integers(0, 3), extra=resources,
       style=st.sampled_from(["block", "flow", "json", "compact-json", "indented", "narrow", "comments", "mixed"]),
       crlf=st.booleans(), hashed=st.booleans())
def test_the_new_way_gives_what_the_former_gave(items: list[dict[str, Any]], at: int, extra: dict[str, Any],
                                                style: str, crlf: bool, hashed: bool) -> None:
    deployment = json.loads(json.dumps(DEPLOYMENT))
    deployment["metadata"]["annotations"] = {str(k): str(v) for k, v in extra.items()}
    position = min(at, len(items))
    items = [*items[:position], deployment, *items[position:]]
    text = _text(items, style)
    if crlf:
        text = text.replace("\n", "\r\n")
    (new_out, new_problems, new_ok), (old_out, old_problems, old_ok) = _both(text, hashed=hashed)
    assert (new_ok, new_problems) == (old_ok, old_problems)
    assert _load(new_out) == _load(old_out)
    if style in ("json", "compact-json"):
        json.loads(new_out)  # still JSON
    if new_ok:
        _unwired_items_kept(text, new_out, {position})
        node = layout(new_out).item_nodes[position]
        assert node.flow == (style in ("flow", "json", "compact-json"))  # a block item stays block
        again, _, ok = run_krm(new_out, _build(overwrite=OVERWRITE, wire=True, hashed=hashed))
        assert ok and _load(again) == _load(new_out)  # wiring twice changes nothing more


# --- the cases by name ---------------------------------------------------------------------------------------

BLOCK = HEAD + """\
items:
# before the first
- kind: ConfigMap   # stays
  apiVersion: v1
  metadata: {name: a}
  data: {x: "1.30"}
# between, at column 0
  # between, at the items' column
- apiVersion: apps/v1   # the wired one keeps its comments
  kind: Deployment
  metadata:
    name: etcd
    namespace: garden
  spec:
    template:
      spec:
        containers:
        - name: etcd
          image: 'etcd'   # quoted
# after the wired one
- {apiVersion: v1, kind: Service, metadata: {name: s}}
functionConfig: {apiVersion: v1, kind: ConfigMap, metadata: {name: config}}
"""


def _check_against_old(text: str, wired: int = 1) -> str:
    (new_out, new_problems, new_ok), (old_out, old_problems, old_ok) = _both(text)
    assert new_ok and old_ok, new_problems
    assert new_problems == old_problems
    assert _load(new_out) == _load(old_out)
    _unwired_items_kept(text, new_out, {wired})
    return new_out


def test_a_block_list_with_comments_between_items() -> None:
    out = _check_against_old(BLOCK)
    head, tail = BLOCK.split("- apiVersion: apps/v1", 1)
    assert out.startswith(head + "- apiVersion: apps/v1   # the wired one keeps its comments\n  kind: Deployment\n")
    assert "          image: 'mirror.example/etcd:v3.5.27'   # quoted\n" in out
    assert "\n# after the wired one\n- {apiVersion: v1, kind: Service, metadata: {name: s}}\n" in out
    assert out.endswith("functionConfig: {apiVersion: v1, kind: ConfigMap, metadata: {name: config}}\n")


def test_an_indented_list() -> None:
    items = BLOCK.split("items:\n", 1)[1].split("functionConfig", 1)[0]
    text = HEAD + "items:\n" + textwrap.indent(items, "    ") + "functionConfig: {}\n"
    out = _check_against_old(text)
    assert "\n    - apiVersion: apps/v1   # the wired one keeps its comments\n      kind: Deployment\n" in out
    assert "\n            volumes:\n            - name: images-overwrite\n" in out  # at the item's column
    generated = "\n    - apiVersion: v1\n      kind: ConfigMap\n      metadata:\n        name: etcd-images-overwrite\n"
    assert generated in out


def test_a_flow_and_a_json_list() -> None:
    data = _load(BLOCK)
    for text in (json.dumps(data, indent=2), json.dumps(data), yaml.dump(data, default_flow_style=True)):
        out = _check_against_old(text)
        if text.startswith("{\""):
            assert json.loads(out)["items"][0] == data["items"][0]
            assert [i["metadata"]["name"] for i in json.loads(out)["items"]] == ["a", "etcd", "s",
                                                                                 "etcd-images-overwrite"]


def test_a_wired_item_with_crlf() -> None:
    text = BLOCK.replace("\n", "\r\n")
    out = _check_against_old(text)
    deployment = layout(out).item_nodes[1]
    wired = out[deployment.start:deployment.last]
    assert "\n" not in wired.replace("\r\n", "")  # the item's own line breaks
    assert "volumes:\r\n" in wired


def test_an_item_only_construction_rejects_is_not_loaded_unless_wired() -> None:
    text = BLOCK.replace('data: {x: "1.30"}', "data: {x: 2023-13-45}")
    out, problems, ok = run_krm(text, _build(overwrite=OVERWRITE, wire=True))
    assert ok, [str(p) for p in problems]
    assert "  data: {x: 2023-13-45}\n" in out


def test_only_items_that_may_be_wired_are_rendered(monkeypatch: Any) -> None:
    seen: list[str] = []

    def spy(text: str, ctx: RenderContext, **options: Any) -> RenderResult:
        seen.append(text)
        return render(text, ctx, **options)

    monkeypatch.setattr(krm, "render", spy)
    out, _, ok = run_krm(BLOCK, _build(overwrite=OVERWRITE, wire=True))
    assert ok and len(seen) == 2  # the images, then the wiring
    assert seen[1].count("---\n") == 1 and "name: etcd" in seen[1]  # not the ConfigMap, not the Service
    assert seen[1].startswith("---\napiVersion: apps/v1   # the wired one keeps its comments\nkind: Deployment\n")


def test_a_wired_item_in_a_list_with_an_alias() -> None:
    text = BLOCK.replace("metadata: {name: a}", "metadata: &m {name: a}").replace(
        "metadata: {name: s}", "metadata: *m")
    (new_out, new_problems, new_ok), (old_out, old_problems, old_ok) = _both(text)
    assert new_ok and old_ok and new_problems == old_problems
    assert _load(new_out) == _load(old_out)
    assert "metadata: &m {name: a}" in new_out and "metadata: *m" in new_out
