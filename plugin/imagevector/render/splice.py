"""Replace the text of one scalar in a document, keeping its style: the only edit an image change makes."""

from __future__ import annotations

import re

from ..lazyre import lazy
from ..records import dataclass
from ..scalars import LINE_BREAK, not_a_string

_plain_safe = lazy(r"^[A-Za-z0-9_][A-Za-z0-9_./:@+-]*$")


@dataclass(frozen=True)
class Edit:
    start: int
    end: int
    text: str


def plain_ok(value: str) -> bool:
    """Can `value` be written as a plain scalar, in block or flow context, and read back as this string?"""
    return bool(_plain_safe().match(value)) and not not_a_string(value) and ": " not in value


_property = lazy(r"(?:&[^ \t\r\n,\[\]{}]+|!<[^>]*>|![^ \t\r\n,\[\]{}]*)")


_separation = lazy(r"(?:[ \t]+(?:#[^\n]*)?|[ \t]*(?:#[^\n]*)?\r?\n)+")


def value_start(source: str, start: int, end: int) -> int:
    """Where the value of the scalar at source[start:end] starts: after its anchor and tag (`&a !!str x`),
    which a splice keeps."""
    position = start
    while position < end and source[position] in "&!":
        match = _property().match(source, position, end)
        if match is None:  # pragma: no cover - the parser accepted these properties
            break
        position = match.end()
        gap = _separation().match(source, position, end)
        if gap is not None:
            position = gap.end()
    return position


def scalar_edit(source: str, start: int, end: int, style: str | None, value: str) -> Edit:
    """The edit that makes the scalar at source[start:end] read `value`, in the scalar's own style; its
    anchor and tag stay."""
    if source[start] in "&!":
        start = value_start(source, start, end)
    if style == "'":
        return Edit(start, end, "'" + value.replace("'", "''") + "'")
    if style == '"':
        return Edit(start, end, _double_quoted(value))
    if style in ("|", ">") and "\n" not in value:
        return Edit(start, end, _block(source[start:end], value))
    if plain_ok(value):
        return Edit(start, end, value)
    return Edit(start, end, _double_quoted(value))


# A YAML double-quoted scalar written as JSON writes a string (`json.dumps(value, ensure_ascii=False)`, which is
# what this does, as in json.encoder's pure-Python fallback): importing json costs 1.3 ms of start-up.
_JSON_ESCAPE = re.compile(r'[\x00-\x1f\\"]')
_JSON_ESCAPES = {"\\": "\\\\", '"': '\\"', "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _json_escape(match: re.Match[str]) -> str:
    char = match.group(0)
    return _JSON_ESCAPES.get(char) or f"\\u{ord(char):04x}"


def _double_quoted(value: str) -> str:
    return '"' + _JSON_ESCAPE.sub(_json_escape, value) + '"'


_line_break = lazy(f"({LINE_BREAK})")  # every line break libyaml knows


def _block(text: str, value: str) -> str:
    """A block scalar's text with its content replaced: header, indentation, trailing lines and every line break
    kept (any kind libyaml knows: the scalar's end mark counts them so)."""
    parts = _line_break().split(text)
    lines, breaks = parts[0::2], parts[1::2]  # breaks[i] ends lines[i]; lines[0] is the header
    content = [i for i, line in enumerate(lines) if i and line.strip(" \t")]
    if not content:
        return text
    first, last = content[0], content[-1]
    indent = lines[first][: len(lines[first]) - len(lines[first].lstrip(" "))]
    lines = [*lines[:first], indent + value, *lines[last + 1 :]]
    breaks = [*breaks[:first], *breaks[last:]]
    return "".join(line + br for line, br in zip(lines, breaks, strict=False)) + lines[-1]


def apply(source: str, edits: list[Edit]) -> str:
    """Apply non-overlapping edits."""
    if not edits:
        return source
    parts: list[str] = []
    position = 0
    for edit in sorted(edits, key=lambda e: e.start):
        parts.append(source[position : edit.start])
        parts.append(edit.text)
        position = edit.end
    parts.append(source[position:])
    return "".join(parts)


def line_break(text: str, end: int = 1 << 16) -> str:
    """The line break `text` writes: "\r\n" when most of its lines (in its first `end` characters) end so, else "\n".
    New text put into it (a wired document, generated documents, KRM results) takes the same, so that a file
    gets no more mixed endings than it had (a CRLF file with a few LF lines, e.g. joined by a script, is CRLF)."""
    crlf = text.count("\r\n", 0, end)
    return "\r\n" if crlf and 2 * crlf > text.count("\n", 0, end) else "\n"


def with_breaks(text: str, br: str) -> str:
    """`text` (written with "\n") with the line break `br`."""
    return text.replace("\n", br) if br != "\n" else text
