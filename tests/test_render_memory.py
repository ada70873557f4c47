"""Huge streams: the output written piece by piece is the joined output; libyaml fed a long stream a piece at
a time gives the same marks (characters, not bytes); a render does not keep several copies of its input; the
shortcuts of the passes over the whole text (document starts, bracket depth) find what the plain ones find."""

from __future__ import annotations

import tracemalloc

import pytest
from hypothesis import given
from hypothesis import strategies as st
from imagevector.inputs import TextSource
from imagevector.render.output import pieces
from imagevector.render.pipeline import render
from imagevector.render.stream import _start, _starts, chunks, split
from imagevector.render.types import Edits, RenderContext, WireOptions, WireTarget
from imagevector.scan import flow_depth_ok
from imagevector.settings import Settings, resolve_settings

VECTOR = "images:\n- {name: app, repository: registry.example/app, tag: '1'}\n"
OVERWRITE = "images:\n- {name: app, repository: my.registry/app}\n"
# multi-byte characters before the image field: byte and character offsets differ
DOC = (
    "---\n# Source: chart/templates/ü.yaml\napiVersion: apps/v1\nkind: Deployment\n"
    "metadata:\n  name: wéb\n  namespace: prod\n  annotations: {note: \"Grüße, 日本\"}\n"
    "spec:\n  template:\n    spec:\n      containers:\n      - name: main   # ☃\n        image: app\n"
)


def _ctx(**wire: object) -> RenderContext:
    settings = Settings(vectors=[TextSource("v.yaml", VECTOR)], overwrites=[TextSource("o.yaml", OVERWRITE)])
    return RenderContext(resolve_settings(settings), wire=WireOptions(**wire))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("stream", "wire"),
    [
        (DOC * 3, {}),
        (DOC * 2 + DOC.rstrip("\n"), {"targets": (WireTarget("Deployment", "prod", "wéb"),)}),  # no final newline
        (DOC + "---\n# only a comment", {"targets": (WireTarget("Deployment", "prod", "wéb"),)}),
        ("", {}),
    ],
)
@pytest.mark.parametrize("documents", [True, False])
def test_pieces_are_the_joined_output(stream: str, wire: dict[str, object], documents: bool) -> None:
    joined = render(stream, _ctx(**wire))
    apart = render(stream, _ctx(**wire), joined=False, documents=documents)
    assert joined.ok and apart.ok
    assert apart.text == ""
    assert "".join(pieces(apart)) == joined.text
    assert bool(apart.documents) == bool(documents or wire)  # wiring needs every document
    if wire:
        assert joined.generated  # the wired ConfigMap follows the documents


def test_unchanged_input_is_written_as_slices_of_itself() -> None:
    stream = "---\r\nkind: ConfigMap\r\nmetadata: {name: é}\r\n---\nkind: Secret # ☃"  # no final newline
    for documents in (True, False):
        result = render(stream, _ctx(), joined=False, documents=documents)
        assert list(pieces(result)) == [stream] and not result.edits and not result.images
        assert not any(doc.changed for doc in result.documents)
    long = DOC.replace("image: app", "image: other") * ((3 << 20) // len(DOC))  # nothing to change, > 1 MiB
    out = list(pieces(render(long, _ctx(), joined=False, documents=False)))
    assert "".join(out) == long and len(out) == 4 and max(map(len, out)) == 1 << 20  # a MiB at a time


def test_changed_documents_alone_hold_text() -> None:
    stream = DOC + DOC.replace("image: app", "image: other")
    result = render(stream, _ctx())
    assert [doc.changed for doc in result.documents] == [True, False]
    assert result.documents[1].text == split(stream)[1].text
    lean = render(stream, _ctx(), joined=False, documents=False, images=True)
    assert lean.documents == [] and len(lean.edits or ()) == 1 and lean.images == ["my.registry/app:1", "other"]
    assert "".join(pieces(lean)) == result.text


def test_edits_keep_offsets_of_any_size() -> None:
    edits = Edits()
    places = [(0, 0, ""), (5, 9, "x"), (1 << 40, (1 << 40) + 3, "é")]
    for place in places:
        edits.add(*place)
    assert list(edits) == places and len(edits) == 3
    reading = iter(edits)
    next(reading)
    reading.close()  # a reading given up does not pin the buffer
    edits.add(1 << 41, 1 << 41, "y")
    assert list(edits)[-1] == (1 << 41, 1 << 41, "y")


@given(st.lists(st.sampled_from(["---", "---\n", "--- # c\n", "---x\n", " ---\n", "----\n", "---\t\n", "---\r\n",
                                  "a: b\n", "%YAML 1.2\n", "%TAG ! x\n", "# c\n", "...\n", "\r\n", "\n", "x", "é"])))
def test_chunks_one_at_a_time_are_split(parts: list[str]) -> None:
    text = "".join(parts)
    assert list(_starts(text)) == [match.start() for match in _start().finditer(text)]  # str.find: the regex's places
    assert list(chunks(text)) == split(text)
    assert "".join(chunk.text for chunk in split(text)) == text


@given(st.lists(st.sampled_from(["[", "]", "{", "}", "a", ", ", "\n", "é"]), max_size=60), st.integers(0, 6))
def test_flow_depth_over_the_brackets_alone(parts: list[str], limit: int) -> None:
    text = "".join(parts)
    depth = deepest = 0
    for char in text:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}" and depth:
            depth -= 1
    assert flow_depth_ok(text, limit) == (deepest <= limit)


def test_long_stream_read_in_pieces_keeps_character_marks() -> None:
    one = render(DOC, _ctx())
    assert one.ok and "image: my.registry/app:1" in one.text
    copies = (1 << 20) // len(DOC) + 100  # above the length from which libyaml reads the text in pieces
    stream = DOC * copies
    assert len(stream.encode()) > len(stream) > 1 << 20
    result = render(stream, _ctx())
    assert result.ok, result.problems[:3]
    assert result.text == one.text * copies


def test_chunks_are_places_in_the_stream() -> None:
    stream = DOC * 3 + "---\n# a comment only\n"
    chunks = split(stream)
    assert "".join(chunk.text for chunk in chunks) == stream
    assert [chunk.source for chunk in chunks] == ["chart/templates/ü.yaml"] * 3 + [None]
    assert [chunk.empty for chunk in chunks] == [False] * 3 + [True]
    assert chunks[1] == split(stream)[1] and chunks[1] != chunks[2]


@pytest.mark.parametrize(("documents", "bound"), [(True, 7.0), (False, 1.0)])
def test_render_does_not_hold_copies_of_a_large_stream(documents: bool, bound: float) -> None:
    stream = DOC * ((4 << 20) // len(DOC))
    ctx = _ctx()
    tracemalloc.start()
    try:
        result = render(stream, ctx, joined=False, documents=documents)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.ok
    # before the memory work (scan objects kept, chunk copies, libyaml's UTF-8 copy): about 14x the input;
    # keeping documents: about 4.7x; keeping only the edits (`imagevector render`): about 0.2x (more when the
    # interned strings' table grows on the way)
    assert peak < bound * len(stream), f"peak {peak / len(stream):.1f}x the input"
