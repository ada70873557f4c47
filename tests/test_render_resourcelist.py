"""Reading a ResourceList in the one validating event pass (render/resourcelist.py): what it builds —
`functionConfig`, the items a result names, the checks' errors — is what loading the whole list gives, on
generated lists in every style and on the unusual forms that make it load the whole list after all."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from imagevector.errors import UserError
from imagevector.render.resourcelist import ResourceList, layout, load_resource_list, moved, shifted

HEAD = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n"

chars = st.characters(blacklist_categories=("Cs", "Cc"))
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=False, allow_infinity=False),
    st.text(chars, max_size=12),
    st.sampled_from(["1.30", "0o17", "yes", "null", "~", "2001-12-14", "a: b", "- x", "#c", "line\nbreak\n", ""]),
)
keys = st.one_of(st.sampled_from(["apiVersion", "kind", "metadata", "name", "spec", "image", "data", "x"]),
                 st.text(chars, min_size=1, max_size=8))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                     st.dictionaries(keys, inner, max_size=4)), max_leaves=12)
resources = st.dictionaries(keys, values, max_size=5)


def _load(text: str) -> Any:
    return yaml.load(text, Loader=yaml.CSafeLoader)


def _dump(data: Any, style: str) -> str:
    if style == "json":
        return json.dumps(data, indent=1, ensure_ascii=False)
    if style == "compact-json":
        return json.dumps(data, ensure_ascii=False)
    return yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False, default_flow_style=style == "flow" or None,
                     indent=4 if style == "indent4" else 2, width=40 if style == "narrow" else 80)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=st.lists(resources, max_size=4), config=st.one_of(st.none(), resources),
       config_first=st.booleans(), style=st.sampled_from(["block", "flow", "json", "compact-json", "indent4",
                                                          "narrow", "mixed"]))
def test_what_is_built_is_what_loading_the_whole_list_gives(
        items: list[dict[str, Any]], config: dict[str, Any] | None, config_first: bool, style: str) -> None:
    data: dict[str, Any] = {"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList"}
    if config is not None and config_first:
        data["functionConfig"] = config
    data["items"] = items
    if config is not None and not config_first:
        data["functionConfig"] = config
    text = _dump(data, style)
    want = _load(text)
    read = ResourceList(text)
    assert read.function_config == want.get("functionConfig")
    assert read.count == len(want["items"])
    assert read.layout == layout(text)  # noted during the validating pass = a pass of its own


@pytest.mark.parametrize("text", [
    HEAD + "items: []\nfunctionConfig: &c {a: 1}\nother: *c\n",  # an alias
    HEAD + "items: [!!map {a: 1}]\nfunctionConfig: !!map {a: !!str 1}\n",  # tags
    "base: &b {kind: ResourceList}\n<<: *b\nitems: [{a: 1}]\n",  # a merge key at the top
    HEAD + "items:\n- &x {a: 1}\n- *x\n",  # an item by alias
])
def test_unusual_forms_load_the_whole_list_and_give_the_same(text: str) -> None:
    want = _load(text)
    read = ResourceList(text)
    assert read.function_config == want.get("functionConfig")
    assert read.count == len(want["items"])


def _error(call: Any, text: str) -> list[str]:
    with pytest.raises(UserError) as caught:
        call(text)
    return caught.value.lines


@pytest.mark.parametrize("text", [
    HEAD + "functionConfig: {}\n",  # no items
    HEAD + "items:\nfunctionConfig: {}\n",  # null items
    HEAD + "items: 3\n",
    HEAD + "items: {a: b}\n",
    HEAD + "items: [a, b]\n",
    HEAD + "items:\n- kind: A\n- [x]\n- 1\n",
    HEAD + "items:\n- kind: A\n- null\n",
    "kind: List\nitems: []\n",
    "kind: [ResourceList]\nitems: []\n",
    "- kind: ResourceList\n",
    "just text\n",
    "",
    HEAD + "items: []\n---\n" + HEAD + "items: []\n",  # two documents
    HEAD + "items: []\nitems: []\n",  # a duplicate key
    HEAD + "items: [\n",  # not YAML
    HEAD + "items: [!custom {a: 1}]\n",  # a tag that is not plain data
    "? [a]\n: b\n" + HEAD + "items: []\n",  # a key that cannot be one
])
def test_errors_are_those_of_loading_the_whole_list(text: str) -> None:
    assert _error(ResourceList, text) == _error(load_resource_list, text)


def test_a_json_list_and_its_layout() -> None:
    text = json.dumps({"kind": "ResourceList", "items": [{"kind": "A"}, {"kind": "B"}], "functionConfig": {"x": 1}},
                      indent=2)
    read = ResourceList(text)
    assert read.function_config == {"x": 1}
    assert read.layout.root.flow and read.layout.items is not None and read.layout.items.flow
    assert [json.loads(text[n.start:n.end]) for n in read.layout.item_nodes] == [{"kind": "A"}, {"kind": "B"}]


MOVED = [
    HEAD + "items:\n- kind: Pod\n  spec: {image: IMAGE}\nresults:\n- {message: old}\nfunctionConfig: {a: 1}\n",
    HEAD + "results: [{message: old}]\nitems:\n  - kind: Pod\n    image: 'IMAGE'   # c\n  - {image: IMAGE}\n",
    HEAD + "items:\n- image: IMAGE\n",
    HEAD + "items: [{image: IMAGE}]\nresults: null\n# the end\n",
    json.dumps({"kind": "ResourceList", "items": [{"image": "IMAGE"}], "results": [{"message": "m"}]}, indent=1),
]


@pytest.mark.parametrize("text", MOVED)
@pytest.mark.parametrize("image", ["x", "registry.example/a/much/longer/name:v1.2.3", "a\n    b"])
def test_the_moved_layout_is_that_of_the_rendered_text(text: str, image: str) -> None:
    after = text.replace("IMAGE", image)
    got, want = moved(layout(text), text, after), layout(after)
    assert (got.root, got.items, got.results) == (want.root, want.items, want.results)
    changed_outside = after.replace("kind: ResourceList", "kind: ResourceList   # changed")
    if changed_outside != after:
        got = moved(layout(text), text, changed_outside)
        assert got == layout(changed_outside)  # not where it was: a pass of its own


@pytest.mark.parametrize("text", [*MOVED, HEAD + "items:\n- {image: IMAGE}\n- image: IMAGE   # c\n  x: 1\n- [IMAGE]\n"])
@pytest.mark.parametrize("image", ["x", "registry.example/a/much/longer/name:v1.2.3", "a\n    b"])
def test_shifted_item_nodes_are_those_of_the_rendered_text(text: str, image: str) -> None:
    edits = []
    at = text.find("IMAGE")
    while at >= 0:
        edits.append((at, at + len("IMAGE"), image))
        at = text.find("IMAGE", at + 1)
    after = text.replace("IMAGE", image)
    assert shifted(layout(text).item_nodes, edits) == layout(after).item_nodes


def test_a_list_is_plain_unless_an_item_may_lean_on_another() -> None:
    assert ResourceList(HEAD + "items:\n- {a: 1}\n").plain
    assert not ResourceList(HEAD + "items:\n- &x {a: 1}\n- *x\n").plain
    assert not ResourceList(HEAD + "items:\n- !!map {a: 1}\n").plain
