"""One pass over libyaml's events per document: validation, limits and the image fields, all at once.

The scan checks the syntax of every document, refuses duplicate keys, unsafe tags, deep nesting and alias
expansion bombs, and records where the image fields are (with the parser's marks, for splicing), plus the
identity of the document (kind, name, namespace, annotations). Nothing is constructed and no alias is
expanded, so hostile input costs time linear in its size.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from .fields import EACH, Patterns, display_path
from .model import Problem
from .pyyaml import events as ev
from .pyyaml import yaml
from .records import dataclass, field
from .scalars import LINE_BREAK, not_a_string

TYPE_CHECKING = False  # not typing's: importing typing costs ~3 ms at start (mypy knows the name)
if TYPE_CHECKING:
    from typing import Any
_Parser: Any
try:
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - PyYAML without libyaml
    _Parser = yaml.SafeLoader

_STANDARD_TAGS = frozenset(
    "tag:yaml.org,2002:" + name for name in ("str", "int", "float", "bool", "null", "map", "seq", "binary", "timestamp")
) | frozenset(("!",))


@dataclass(frozen=True)
class Limits:
    max_depth: int = 256
    max_aliases: int = 10_000
    max_alias_expansion: int = 1_000_000  # nodes that aliases would add if expanded


class ScanError(Exception):
    """A problem with a document (given 0-based `line`, `column` within the scanned text; `problem.line` is 1-based
    within it, the caller places it). `scope` (shape problems only): 1 for a field of the document, 2 for a field
    of an item of its `items` (a `kind: List`), 3 for both; `problem.item`: that item's index."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None, path: str | None = None,
                 scope: int = 1, item: int | None = None):
        super().__init__(message)
        self.problem = Problem(message, line=None if line is None else line + 1, field=path, item=item,
                               column=None if column is None or line is None else column + 1)
        self.scope = scope


class Hit:
    """An image field: where its text is (for splicing), its style and value, and where it is in the document.

    Only plain values are kept (not the parser's event and marks): a large stream holds many of these."""

    __slots__ = ("start", "end", "line", "style", "value", "wrong", "steps", "indices", "specs", "container")

    def __init__(
        self,
        event: Any,
        steps: tuple[str, ...],
        indices: tuple[int | None, ...],
        specs: tuple[int, ...],
        item: list[Any] | None,
    ) -> None:
        """`item`: the frame of the enclosing list item; the container's name is taken when it closes."""
        self.start: int = event.start_mark.index
        self.end: int = event.end_mark.index
        self.line: int = event.start_mark.line
        self.style: str | None = getattr(event, "style", None) or None
        self.value: str | None = getattr(event, "value", None) if isinstance(event, ev.ScalarEvent) else None
        self.wrong: str | None = _not_a_string(event)
        self.steps = steps
        self.indices = indices
        self.specs = specs
        self.container: str | None = None
        if item is not None:
            item[_HITS].append(self)

    @property
    def path(self) -> str:
        return display_path(self.steps, self.indices)

    @property
    def is_null(self) -> bool:
        return self.value is not None and not self.style and self.value in ("", "~", "null", "Null", "NULL")


def _not_a_string(event: Any) -> str | None:
    """Why an image field is not a string, or None."""
    if isinstance(event, ev.MappingStartEvent):
        return "a mapping"
    if isinstance(event, ev.SequenceStartEvent):
        return "a list"
    if isinstance(event, ev.AliasEvent):  # pragma: no cover - aliases are followed (graph.py)
        return "an alias"
    if event.tag not in (None, "tag:yaml.org,2002:str", "!"):
        return f"tagged {event.tag}"
    if not event.style and event.implicit[0] and not_a_string(event.value):
        if event.value in ("", "~", "null", "Null", "NULL"):
            return None  # null: no image given, nothing to do
        return "a number, boolean or null"
    return None


@dataclass
class DocScan:
    kind: str | None = None
    api_version: str | None = None
    name: str | None = None
    namespace: str | None = None
    annotations: dict[str, str] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)
    shape_errors: list[ScanError] = field(default_factory=list)
    aliases: int = 0
    start: int = 0  # index of the document's first character in the scanned text
    # an alias or a merge key (`<<`) where an image field may be: graph.py follows them
    graph: bool = False
    # identity of each item of a top-level `items` list, by index (a `kind: List`)
    items: dict[int, DocScan] = field(default_factory=dict)


# frame layout (lists, for speed): [is_map, key, expecting_key, keys, index, name, anchor, anchor_start,
# interesting, hits waiting for the container's name]
_IS_MAP, _KEY, _EXPECT, _KEYS, _INDEX, _NAME, _ANCHOR, _ANCHOR_START, _INTERESTING, _HITS = range(10)


def scan(text: str, patterns: Patterns, limits: Limits, data_checks: bool = True, parser: Any = None) -> DocScan:
    """Scan the document(s) of `text` as one; raises ScanError for anything that must not pass."""
    docs = list(scan_stream(text, patterns, limits, data_checks, parser))
    if not docs:
        return DocScan()
    first = docs[0]
    for other in docs[1:]:
        first.hits.extend(other.hits)
        first.shape_errors.extend(other.shape_errors)
        first.aliases += other.aliases
        first.graph = first.graph or other.graph
    return first


def scan_stream(text: str, patterns: Patterns, limits: Limits, data_checks: bool = True,
                parser: Any = None) -> Iterator[DocScan]:
    """Scan every document of `text` with one parser, yielding each when it ends (so that a caller can
    finish with it before the next is read); raises ScanError for anything that must not pass. Without
    `data_checks`, only syntax and the limits are checked (duplicate keys and tags are left to a validator
    that reports every problem at once). Only frames on the way to an image field (or to the document's
    identity) do more than bookkeeping. `parser(source)`, if given, makes the parser (to follow the events)."""
    # long on purpose: this is the hot loop of every render (one pass over every event of the stream, its
    # state in locals and lists); split into functions, the calls per event cost a good part of a render's time
    if not flow_depth_ok(text, limits.max_depth):
        # libyaml slows down quadratically on deep flow nesting: refuse before it starts
        raise ScanError(
            f"flow collections nested deeper than {limits.max_depth} levels; raise --max-depth if this is legitimate"
        )
    parser = (parser or _Parser)(_Reader(text) if len(text) > 1 << 20 else text)
    result = DocScan()
    stack: list[list[Any]] = []
    path: list[str] = []  # steps with "[]" for list items
    indices: list[int | None] = []  # list indices (None for mapping keys), for messages
    leaves, lists, prefixes = patterns.leaves, patterns.lists, patterns.prefixes
    anchors: dict[str, int] = {}
    key: str | None = None
    nodes = 0
    expansion = 0
    depth_limit = limits.max_depth
    max_aliases, max_expansion = limits.max_aliases, limits.max_alias_expansion
    scalar_t, map_t, seq_t = ev.ScalarEvent, ev.MappingStartEvent, ev.SequenceStartEvent
    map_end, seq_end, alias_t = ev.MappingEndEvent, ev.SequenceEndEvent, ev.AliasEvent
    doc_start, doc_end = ev.DocumentStartEvent, ev.DocumentEndEvent
    standard = _STANDARD_TAGS
    get_event = parser.get_event
    try:
        while True:
            event: Any = get_event()
            if event is None:
                break
            t = type(event)
            if t is map_end or t is seq_end:
                frame: list[Any] = stack.pop()
                for hit in frame[_HITS]:
                    hit.container = frame[_NAME]
                if frame[_ANCHOR] is not None:
                    anchors[frame[_ANCHOR]] = nodes - frame[_ANCHOR_START] + 1
                if stack:
                    path.pop()
                    indices.pop()
                continue
            if t is scalar_t or t is map_t or t is seq_t:
                nodes += 1
                tag = event.tag
                if tag is not None and data_checks and tag not in standard:
                    mark = event.start_mark
                    raise ScanError(
                        f"unsupported YAML tag {tag!r}: manifests hold plain data only", mark.line, mark.column
                    )
                if event.anchor is not None:
                    anchors[event.anchor] = 1 if t is scalar_t else 0  # 0: open, its size is set when it ends
            elif t is alias_t:
                result.aliases += 1
                mark = event.start_mark
                if result.aliases > max_aliases:
                    raise ScanError(
                        f"more than {max_aliases} YAML aliases; raise --max-aliases if this is legitimate",
                        mark.line, mark.column,
                    )
                if result.hits:
                    result.graph = True  # an alias after image fields may repeat them: graph.py says where
                size = anchors.get(event.anchor)
                if not size:
                    what = "undefined YAML alias" if size is None else "recursive YAML alias"
                    why = "define the anchor before" if size is None else "it refers to a collection that holds it"
                    raise ScanError(f"{what} *{event.anchor} ({why})", mark.line, mark.column)
                expansion += size
                nodes += size
                if expansion > max_expansion:
                    raise ScanError(
                        f"YAML aliases would expand to more than {max_expansion} nodes "
                        "(an alias bomb?); raise --max-alias-expansion if this is legitimate",
                        mark.line, mark.column,
                    )
            elif t is doc_start:
                result = DocScan(start=event.start_mark.index)
                anchors.clear()
                expansion = 0
                continue
            elif t is doc_end:
                yield result
                continue
            else:
                continue
            # where is this node?
            is_key = False
            if stack:
                top = stack[-1]
                if top[_IS_MAP]:
                    if top[_EXPECT]:
                        is_key = True
                        top[_EXPECT] = False
                        if t is scalar_t:
                            key = event.value
                            if data_checks:
                                keys = top[_KEYS]
                                if key in keys:
                                    mark, first = event.start_mark, keys[key].line + 1
                                    raise ScanError(
                                        f"duplicate key {key!r} (first at line {first}); remove one of them",
                                        mark.line, mark.column, display_path([*path, key], [*indices, None]),
                                    )
                                keys[key] = event.start_mark  # its line only if a duplicate follows
                            top[_KEY] = key
                        else:
                            top[_KEY] = "?"
                            if t is alias_t:
                                result.graph = True  # a key by alias: follow it (graph.py)
                    else:
                        top[_EXPECT] = True
                    step, index = top[_KEY], None
                else:
                    step, index = EACH, top[_INDEX]
                    top[_INDEX] += 1
                interesting = top[_INTERESTING]
            else:
                step, index, interesting = "", None, False
            if t is scalar_t or t is alias_t:
                if not interesting:
                    continue
                if is_key:
                    if key == "<<":
                        result.graph = True  # a merge key: follow it (graph.py)
                    continue
                if t is alias_t:
                    result.graph = True  # the value is elsewhere: follow it (graph.py)
                    continue
                here = (*path, step)
                specs = leaves.get(here)
                if specs is not None:
                    item = top if top[_IS_MAP] and len(stack) >= 2 and not stack[-2][_IS_MAP] else None
                    result.hits.append(Hit(event, here, (*indices, index), specs, item))
                else:
                    depth = len(path)
                    if depth < 3:
                        if depth and path[0] == "items":
                            if depth == 2:
                                _item_identity(result, path, indices, step, event)
                        else:
                            _identity(result, path, step, event)
                    elif path[0] == "items" and depth < 5:
                        _item_identity(result, path, indices, step, event)
                    if step == "name":
                        top[_NAME] = event.value
                    if here in lists and event.tag is None and event.value not in ("", "~", "null"):
                        mark = event.start_mark
                        result.shape_errors.append(
                            ScanError("must be a list", mark.line, mark.column,
                                      display_path([*path, step], [*indices, index]), lists[here],
                                      indices[1] if len(indices) > 1 else None)
                        )
                continue
            # a mapping or sequence starts
            child_interesting = not stack
            if stack:
                if interesting and not is_key:
                    here = (*path, step)
                    specs = leaves.get(here)
                    if specs is not None:
                        result.hits.append(Hit(event, here, (*indices, index), specs, None))
                    elif t is map_t and here in lists:
                        mark = event.start_mark
                        result.shape_errors.append(
                            ScanError("must be a list, not a mapping", mark.line, mark.column,
                                      display_path([*path, step], [*indices, index]), lists[here],
                                      indices[1] if len(indices) > 1 else None)
                        )
                    child_interesting = here in prefixes
                path.append(step)
                indices.append(index)
            if len(stack) >= depth_limit:
                mark = event.start_mark
                raise ScanError(
                    f"nesting deeper than {depth_limit} levels; raise --max-depth if this is legitimate",
                    mark.line, mark.column,
                )
            stack.append([t is map_t, None, True, {}, 0, None, event.anchor, nodes, child_interesting, []])
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(str(exc.problem or exc).split())
        if exc.context:
            what += f" ({' '.join(str(exc.context).split())})"
        raise ScanError(f"invalid YAML: {what}", mark.line if mark else None, mark.column if mark else None) from None
    except yaml.YAMLError as exc:  # a ReaderError: a character YAML does not allow, at a byte offset
        at, char = getattr(exc, "position", None), getattr(exc, "character", None)
        if not isinstance(at, int) or not isinstance(char, int):  # pragma: no cover - libyaml's other errors are marked
            raise ScanError(f"invalid YAML: {' '.join(str(exc).split())}") from None
        lines = re.split(LINE_BREAK, text.encode()[:at].decode(errors="ignore"))
        raise ScanError(f"invalid YAML: character #x{char:04x} is not allowed ({getattr(exc, 'reason', '')})",
                        len(lines) - 1, len(lines[-1])) from None


def _item_identity(result: DocScan, path: list[str], indices: list[int | None], step: str, event: Any) -> None:
    """The identity of an item of a top-level `items` list (path `items[]…`)."""
    if path[1] != EACH:
        return
    index = indices[1]
    assert index is not None
    item = result.items.get(index)
    if item is None:
        item = result.items[index] = DocScan()
    _identity(item, path[2:], step, event)


def _identity(result: DocScan, path: list[str], step: str, event: Any) -> None:
    depth = len(path)
    if depth == 0:
        if step == "kind":
            result.kind = event.value
        elif step == "apiVersion":
            result.api_version = event.value
    elif depth == 1 and path[0] == "metadata":
        if step == "name":
            result.name = event.value
        elif step == "namespace":
            result.namespace = event.value
    elif depth == 2 and path[0] == "metadata" and path[1] == "annotations":
        result.annotations[step] = event.value


_BRACKETS, _NOT_BRACKETS = re.compile(r"[\[\]{}]"), dict.fromkeys(i for i in range(128) if chr(i) not in "[]{}")


class _Reader:
    """A long text as a file for libyaml, 64 Ki characters at a time: given a str, the C parser would keep a
    UTF-8 copy of all of it while it parses (marks count characters either way)."""
    def __init__(self, text: str) -> None:
        pieces = (text[i:i + 65536] for i in range(0, len(text), 65536))
        self.read: Callable[[int], str] = lambda size: next(pieces, "")


def flow_depth_ok(text: str, max_depth: int) -> bool:
    """libyaml slows down quadratically on deeply nested flow collections: check the bracket depth first."""
    if text.count("[") + text.count("{") <= max_depth:
        return True
    depth = 0  # over the brackets alone: str.translate drops the rest of an ASCII text at C speed
    for bracket in text.translate(_NOT_BRACKETS) if text.isascii() else _BRACKETS.findall(text):
        if bracket in "[{":
            depth += 1
            if depth > max_depth:
                return False
        elif depth:
            depth -= 1
    return True
