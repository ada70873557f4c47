"""Split a YAML stream into documents without parsing it, so that every byte can be given back."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..lazyre import lazy
from ..scalars import BREAK_CHARS, LINE_BREAK, LINE_START, OTHER_BREAK_CHARS

# a document starts at its `---` line, or at the directives (`%YAML`, `%TAG`) before it
_DIRECTIVE = r"%(?:YAML[ \t]+[0-9]+\.[0-9]+|TAG[ \t]+[^ \t\r\n]+[ \t]+[^ \t\r\n]+)[ \t]*(?:#[^\n]*)?\r?\n"


_START = rf"^(?:{_DIRECTIVE}(?:{_DIRECTIVE}|[ \t]*(?:#[^\n]*)?\r?\n)*)?---(?=[ \t\r\n]|$)"
_start = lazy(_START, re.M)

# The line breaks libyaml knows besides LF and CRLF: a lone CR, NEL, LINE and PARAGRAPH SEPARATOR. A stream that
# has one is split, and its lines counted, as libyaml reads it: a `---` after any of them starts a document.
_B = BREAK_CHARS
_any_break = lazy(LINE_BREAK)
_start_any = lazy(
    _START.replace("^", LINE_START, 1).replace(r"\r?\n", rf"(?:\r\n?|[{_B}])")
    .replace(r"#[^\n]*", rf"#[^{_B}]*").replace(r"[ \t\r\n]", rf"[ \t{_B}]"),
    re.M,  # LINE_START's `^`
)


def other_breaks(text: str) -> bool:
    """Does `text` break a line with something else than LF or CRLF?"""
    # a lone CR: more CRs than CRLFs (as fast as a regex search for one: ~20 ms for 10 MB of CRLF)
    return any(char in text for char in OTHER_BREAK_CHARS) or ("\r" in text and text.count("\r") > text.count("\r\n"))


_other_break = lazy(rf"\r(?!\n)|[{OTHER_BREAK_CHARS}]")


def first_other_break(text: str) -> tuple[str, int, int] | None:
    """The first line break in `text` that is not LF or CRLF, as `U+XXXX` with its 1-based line and column (lines
    counted as libyaml counts them), or None."""
    if not other_breaks(text):
        return None
    match = _other_break().search(text)
    assert match is not None
    line = len(_any_break().findall(text, 0, match.start()))
    start = max(text.rfind(br, 0, match.start()) for br in BREAK_CHARS) + 1
    return f"U+{ord(match.group()):04X}", line + 1, match.start() - start + 1


_source = lazy(rf"{LINE_START}# Source: ([^{BREAK_CHARS}]+?)\s*(?=[{BREAK_CHARS}]|\Z)", re.M)


# a line that starts with content; lines start after any line break libyaml knows
_content = lazy(rf"{LINE_START}(?!%|\s*(?:#|$|---\s*$|---\s+#|\.\.\.\s*$))", re.M)


class Chunk:
    """One document as it stood in the stream: its `---` line, comments and content. It keeps its place in
    the stream, not a copy of its text (a huge stream of small documents is not held twice)."""

    __slots__ = ("index", "line", "offset", "end", "_stream")

    def __init__(self, index: int, stream: str, line: int, offset: int = 0, end: int | None = None) -> None:
        self.index = index  # position in the stream, 0-based
        self.line = line  # 0-based line of the chunk's first character in the stream
        self.offset = offset  # index of the chunk's first character in the stream
        self.end = len(stream) if end is None else end
        self._stream = stream

    @property
    def text(self) -> str:
        """The chunk's text (a new copy on every call)."""
        return self._stream[self.offset:self.end]

    @property
    def source(self) -> str | None:
        """The chart file Helm names in a `# Source:` comment."""
        match = _source().search(self._stream, self.offset, min(self.offset + 4096, self.end))
        return match.group(1) if match else None

    @property
    def empty(self) -> bool:
        """Only comments, blank lines and markers: no document content."""
        return _content().search(self._stream, self.offset, self.end) is None

    def _key(self) -> tuple[int, str, int, int]:
        return self.index, self.text, self.line, self.offset

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Chunk) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"Chunk(index={self.index}, text={self.text!r}, line={self.line}, offset={self.offset})"


def split(text: str) -> list[Chunk]:
    """Chunks whose concatenation is exactly `text`; a new chunk starts at each `---` line, or at the
    directive lines (`%YAML`, `%TAG`) that precede it.

    YAML forbids a document marker at column 0 inside any scalar, so this never splits a document.
    """
    return list(chunks(text))


def chunks(text: str) -> Iterator[Chunk]:
    """split(text), one chunk at a time (a render that keeps no documents never holds them all)."""
    index = line = start = 0
    other = other_breaks(text)
    starts = (match.start() for match in _start_any().finditer(text)) if other else _starts(text)
    for end in starts:
        if end == 0:  # the stream starts with a marker: so does its first chunk
            continue
        yield Chunk(index, text, line, start, end)
        index += 1
        line += len(_any_break().findall(text, start, end)) if other else text.count("\n", start, end)
        start = end
    yield Chunk(index, text, line, start, len(text))


def _starts(text: str) -> Iterator[int]:
    """Where _START matches. Without a directive (`%` at the start of a line) that is a `---` at the start of a
    line followed by a blank or the end, found with str.find: the regex, tried at every line, costs more."""
    if text.startswith("%") or "\n%" in text:
        yield from (match.start() for match in _start().finditer(text))
        return
    if text.startswith("---") and text[3:4] in _AFTER:
        yield 0
    find, position = text.find, 0
    while (position := find("\n---", position) + 1) > 0:
        if text[position + 3:position + 4] in _AFTER:
            yield position


_AFTER = ("", " ", "\t", "\r", "\n")  # what may follow `---` on its line
