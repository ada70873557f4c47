"""--trust-input: which documents may change, decided on their text without parsing them (never a false
"no"), and the scan of only those (docs/rendering-rules.md)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from ..fields import Patterns
from ..model import Problem
from ..pyyaml import events as ev
from ..pyyaml import yaml
from ..records import dataclass, replace
from ..scalars import BREAK_CHARS, LINE_START
from ..scan import ScanError, _Parser, scan
from .resolve import Resolver
from .stream import other_breaks
from .types import Document, RenderContext, is_list_kind
from .wiring import wiring_hints

# characters that end a word of YAML text (whitespace, quotes, flow indicators) and that split a reference
# into repository, tag and digest (`:`, `@`)
_WORD_BREAKS = str.maketrans({c: " " for c in "\"'[]{},:@"})
_WORD_SAFE = re.compile(r"^[^\s\"'\[\]{},:@\\#]+$")


_IMAGE_VALUE = re.compile(
    r"image[\"']?[ \t]*:[ \t]*[\"']?([A-Za-z0-9][A-Za-z0-9._-]*)[\"']?[ \t]*(?:[,}#\r\n]|$)", re.M
)


@dataclass(frozen=True)
class TrustFilter:
    """--trust-input: may a document hold an image field the vector governs, or wiring? Never a false "no".

    A governed value is a vector name or starts with a base repository followed by `:`, `@` or its end. In
    a document without a backslash (no escape sequence), such a value stands in its text verbatim: quoted
    or plain, block or flow, folding only adds whitespace. So it is one word of the text cut at whitespace,
    quotes, flow indicators, `:` and `@`, whatever its key looks like (`"image":"x"`, `? image`, a comment
    before the value …). Names or repositories with those characters are looked for as substrings."""

    words: frozenset[str]
    substrings: tuple[str, ...]
    near_miss: Callable[[str], str | None] | None = None

    @classmethod
    def of(cls, resolver: Resolver, hints: tuple[str, ...]) -> TrustFilter:
        needles = {*resolver.names, *resolver.repositories}
        words = frozenset(n for n in needles if _WORD_SAFE.match(n))
        return cls(words, tuple(n for n in (*needles, *hints) if n not in words), resolver.near_miss)

    def _near_miss_in(self, text: str) -> bool:
        """A value after an `image` key that is a near miss of a vector name (`pause-containr`): the document
        is parsed so that its "did you mean" warning is the same as without --trust-input. Only warnings
        depend on this text search, never the output."""
        if self.near_miss is None or "image" not in text:
            return False
        return any(self.near_miss(m.group(1)) is not None for m in _IMAGE_VALUE.finditer(text))

    def may_change(self, text: str, kinds: frozenset[str]) -> bool:
        if "\\" in text or any(needle in text for needle in self.substrings):
            return True
        kind = text_kind(text)
        if kind is not None and kind not in kinds and not is_list_kind(kind):
            return False  # cheap and certain: not a kind with image fields
        if self.words.isdisjoint(text.translate(_WORD_BREAKS).split()):
            return self._near_miss_in(text)
        kind = kind or root_kind(text)
        return kind is None or kind in kinds or is_list_kind(kind)


# a line at column 0 that may hide the top-level `kind` key: a quoted, explicit, aliased, merged, anchored or
# tagged key, a flow collection; or content on the `---` line
_RISKY_LINE = re.compile(r"\n(?:[\"'?*<&!{\[]|---[ \t]+[^#\s])")
_RISKY_START = re.compile(r"[\"'?*<&!{\[]|---[ \t]+[^#\s]")


_KIND_VALUE = re.compile(r"kind:[ \t]+([A-Za-z0-9]+)[ \t]*(?:#[^\n]*)?\r?$", re.M)
_FIRST_CONTENT = re.compile(r"^(?![ \t]*(?:#|\r?$)|%|---(?:[ \t\r]|$))(.)", re.M)


def text_kind(text: str) -> str | None:
    """The kind of a block-style manifest from its text, when that is certain: one line at column 0 starts
    with `kind`, it is `kind: Word`, the top-level mapping starts at column 0 and no line at column 0 could
    hold the key otherwise."""
    at_start = text.startswith("kind")
    if text.count("\nkind") + at_start != 1 or _RISKY_LINE.search(text) or _RISKY_START.match(text):
        return None
    first = _FIRST_CONTENT.search(text)
    if first is None or first.group(1) in " \t":
        return None  # the top-level mapping must start at column 0
    match = _KIND_VALUE.match(text, 0 if at_start else text.find("\nkind") + 1)
    if match is None or other_breaks(text):
        return None  # its lines are not the parser's: a CR or NEL line may hold the key (or be inside a scalar)
    return match.group(1)


# `...` at the start of a line, after any line break libyaml knows
_DOCUMENT_END = re.compile(rf"{LINE_START}\.\.\.(?=[ \t{BREAK_CHARS}]|$)", re.M)


def root_kind(text: str) -> str | None:
    """The document's `kind`, read by the parser up to that key (for most manifests, a few events); None when
    it is not certain (no such key, a merge key or alias key before it, a tag, a parse error, several
    documents)."""
    if "..." in text and _DOCUMENT_END.search(text):
        return None  # several documents in one chunk
    parser = _Parser(text)
    depth = 0
    expect_key = False
    kind: str | None = None
    try:
        while True:
            event = parser.get_event()
            if event is None:
                return None
            t = type(event)
            if t is ev.MappingStartEvent or t is ev.SequenceStartEvent:
                if depth == 0 and t is not ev.MappingStartEvent:
                    return None
                depth += 1
                if depth == 1:
                    expect_key = True
                    continue
            elif t is ev.MappingEndEvent or t is ev.SequenceEndEvent:
                depth -= 1
            elif depth == 1 and (t is ev.ScalarEvent or t is ev.AliasEvent):
                if expect_key:
                    if t is ev.AliasEvent or event.value == "<<":
                        return None
                    kind = "" if event.value == "kind" else None
                elif kind == "":
                    ok = t is ev.ScalarEvent and event.tag in (None, "tag:yaml.org,2002:str", "!")
                    return event.value if ok else None
            elif t is ev.DocumentEndEvent or t is ev.StreamEndEvent:
                return None
            if depth == 1:
                expect_key = not expect_key
    except yaml.YAMLError:
        return None


def scan_candidates(
    documents: Iterable[Document],
    ctx: RenderContext,
    patterns: Patterns,
    problems: list[Problem],
    resolver: Resolver,
    finish: Callable[[Document], None],
) -> int:
    """--trust-input: only documents that may hold an image field the vector governs, or get wiring, are
    parsed (TrustFilter); marks are chunk-relative. For every input that renders without the flag, the
    output is the same."""
    trust = TrustFilter.of(resolver, wiring_hints(ctx))
    kinds = frozenset(spec.kind for spec in ctx.specs)
    parsed = 0
    for doc in documents:
        chunk = doc.chunk
        if chunk.empty or not trust.may_change(doc.text, kinds):
            continue
        parsed += 1
        try:
            doc.scan = scan(doc.text, patterns, ctx.limits)
            doc.base = 0
            finish(doc)
        except ScanError as exc:
            found = exc.problem
            line = chunk.line + found.line if found.line is not None else None
            problems.append(replace(found, document=chunk.index, line=line, source=chunk.source))
    return parsed
