"""The output of a successful render, assembled from the input and what changed (never joined unless asked)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .splice import line_break, with_breaks
from .types import RenderResult


def pieces(result: RenderResult) -> Iterator[str]:
    """The output of a successful render: the input (a MiB at a time) with the changed documents or the edits
    in place, then the generated documents (after a line break, if the output so far lacks one), with the line
    breaks of the input."""
    source, position, last = result.source, 0, ""
    changes: Iterable[tuple[int, int, str]] = result.edits if result.edits is not None else (
        (doc.chunk.offset, doc.chunk.end, doc.text) for doc in result.documents if doc.changed)
    for start, end, text in changes:
        if start > position:
            yield from _slices(source, position, start)
            last = source[start - 1]
        if text:
            yield text
            last = text[-1]
        position = end
    if position < len(source):
        yield from _slices(source, position, len(source))
        last = source[-1]
    if result.generated:
        br = line_break(source)  # a CRLF stream gets CRLF documents
        if last and last != "\n":
            yield br
        yield from (with_breaks(text, br) for text in result.generated)


def _slices(text: str, start: int, end: int, size: int = 1 << 20) -> Iterator[str]:
    for position in range(start, end, size):
        yield text[position:min(position + size, end)]
