"""Split a YAML stream into documents without parsing it, so that every byte can be given back."""

from __future__ import annotations

import re
from dataclasses import dataclass

# a document starts at its `---` line, or at the directives (`%YAML`, `%TAG`) before it
_DIRECTIVE = r"%(?:YAML[ \t]+[0-9]+\.[0-9]+|TAG[ \t]+[^ \t\r\n]+[ \t]+[^ \t\r\n]+)[ \t]*(?:#[^\n]*)?\r?\n"
_START = re.compile(rf"^(?:{_DIRECTIVE}(?:{_DIRECTIVE}|[ \t]*(?:#[^\n]*)?\r?\n)*)?---(?=[ \t\r\n]|$)", re.M)
_SOURCE = re.compile(r"^# Source: (.+?)\s*$", re.M)
_CONTENT = re.compile(r"^(?!%|\s*(?:#|$|---\s*$|---\s+#|\.\.\.\s*$))", re.M)


@dataclass(frozen=True)
class Chunk:
    """The text of one document as it stood in the stream: its `---` line, comments and content."""

    index: int  # position in the stream, 0-based
    text: str
    line: int  # 0-based line of the chunk's first character in the stream
    offset: int = 0  # index of the chunk's first character in the stream

    @property
    def source(self) -> str | None:
        """The chart file Helm names in a `# Source:` comment."""
        match = _SOURCE.search(self.text, 0, 4096)
        return match.group(1) if match else None

    @property
    def empty(self) -> bool:
        """Only comments, blank lines and markers: no document content."""
        return _CONTENT.search(self.text) is None


def split(text: str) -> list[Chunk]:
    """Chunks whose concatenation is exactly `text`; a new chunk starts at each `---` line, or at the
    directive lines (`%YAML`, `%TAG`) that precede it.

    YAML forbids a document marker at column 0 inside any scalar, so this never splits a document.
    """
    starts = [m.start() for m in _START.finditer(text)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    chunks: list[Chunk] = []
    line = 0
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(text)
        piece = text[start:end]
        if piece or not chunks:
            chunks.append(Chunk(len(chunks), piece, line, start))
        line += piece.count("\n")
    return chunks
