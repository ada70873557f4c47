"""Huge streams: the output written piece by piece is the joined output; libyaml fed a long stream a piece at
a time gives the same marks (characters, not bytes); a render does not keep several copies of its input."""

from __future__ import annotations

import tracemalloc

import pytest
from imagevector.inputs import TextSource
from imagevector.render.pipeline import pieces, render
from imagevector.render.stream import split
from imagevector.render.types import RenderContext, WireOptions, WireTarget
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
def test_pieces_are_the_joined_output(stream: str, wire: dict[str, object]) -> None:
    joined = render(stream, _ctx(**wire))
    apart = render(stream, _ctx(**wire), joined=False)
    assert joined.ok and apart.ok
    assert apart.text == ""
    assert "".join(pieces(apart)) == joined.text
    if wire:
        assert joined.generated  # the wired ConfigMap follows the documents


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


def test_render_does_not_hold_copies_of_a_large_stream() -> None:
    stream = DOC * ((4 << 20) // len(DOC))
    ctx = _ctx()
    tracemalloc.start()
    try:
        result = render(stream, ctx, joined=False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.ok
    # before the memory work (scan objects kept, chunk copies, libyaml's UTF-8 copy): about 14x the input
    assert peak < 7 * len(stream), f"peak {peak / len(stream):.1f}x the input"
