"""Image fields behind YAML aliases and merge keys, for the rare document whose scan found one.

The event scan (scan.py) records image fields where their text is. When an alias (`image: *img`,
`containers: *list`, a key by alias) or a merge key (`<<: *defaults`) sits where an image field may be, this
module builds the document's node graph (from the same events, nothing constructed) and walks the field
paths through aliases and merges, as every YAML loader (and so Kubernetes) reads them:

* a field reached without passing an alias is a direct hit: its text is where the scan found it;
* a field reached through an alias is an `AliasHit`: its value is the anchored node's; the renderer may
  rewrite it only by rewriting the anchored node, which is right only when that node is itself an image
  field the vector governs (then every alias follows: that is what YAML means).
"""

from __future__ import annotations

from typing import Any

from ..fields import EACH, Patterns
from ..pyyaml import events as ev
from ..scan import Hit, ScanError, _Parser


class _Map:
    __slots__ = ("event", "pairs")

    def __init__(self, event: Any) -> None:
        self.event = event
        self.pairs: list[tuple[Any, Any]] = []


class _Seq:
    __slots__ = ("event", "items")

    def __init__(self, event: Any) -> None:
        self.event = event
        self.items: list[Any] = []


class _Alias:
    __slots__ = ("event", "target")

    def __init__(self, event: Any, target: Any) -> None:
        self.event = event
        self.target = target


class AliasHit(Hit):
    """An image field whose value is an alias of a node elsewhere (`anchor_*`: where that node is)."""

    __slots__ = ("alias_line", "alias_column", "anchor_line", "anchor_column", "origin", "node")

    alias_line: int  # where the alias is (0-based line, column)
    alias_column: int
    anchor_line: int  # where the anchored node is
    anchor_column: int
    origin: Hit | None  # the direct hit of the same node, when the anchored node is itself an image field
    node: Any


def _documents(text: str, aliases: list[_Alias] | None = None) -> list[Any]:
    """The root node of each document of `text` (aliases kept as _Alias, pointing at their node; each of them
    is also appended to `aliases`)."""
    parser = _Parser(text)
    roots: list[Any] = []
    stack: list[Any] = []
    anchors: dict[str, Any] = {}
    pending_key: list[Any] = []  # per open mapping: the key waiting for its value (or a marker)
    empty = object()

    def add(node: Any) -> None:
        if not stack:
            roots.append(node)
            return
        top = stack[-1]
        if isinstance(top, _Seq):
            top.items.append(node)
        elif pending_key[-1] is empty:
            pending_key[-1] = node
        else:
            top.pairs.append((pending_key[-1], node))
            pending_key[-1] = empty

    while True:
        event = parser.get_event()
        if event is None:
            break
        t = type(event)
        if t is ev.ScalarEvent:
            add(event)
            if event.anchor is not None:
                anchors[event.anchor] = event
        elif t is ev.AliasEvent:
            alias = _Alias(event, anchors[event.anchor])  # the scan has refused undefined aliases
            add(alias)
            if aliases is not None:
                aliases.append(alias)
        elif t is ev.MappingStartEvent or t is ev.SequenceStartEvent:
            node: Any = _Map(event) if t is ev.MappingStartEvent else _Seq(event)
            add(node)
            if event.anchor is not None:
                anchors[event.anchor] = node
            stack.append(node)
            pending_key.append(empty)
        elif t is ev.MappingEndEvent or t is ev.SequenceEndEvent:
            stack.pop()
            pending_key.pop()
        elif t is ev.DocumentStartEvent:
            anchors.clear()
    return roots


def _deref(node: Any, passed: set[int] | None = None) -> tuple[Any, Any]:
    """(node, the first alias passed or None); `passed` collects the ids of the aliases passed."""
    first = None
    while isinstance(node, _Alias):
        if passed is not None:
            passed.add(id(node))
        first = first or node.event
        node = node.target
    return node, first


def _key(node: Any) -> str | None:
    node, _ = _deref(node)
    return node.value if isinstance(node, ev.ScalarEvent) else None


_MAX_MERGE_DEPTH = 64


def _pairs(mapping: _Map, via: Any, depth: int = 0, passed: set[int] | None = None) -> list[tuple[str, Any, Any, Any]]:
    """(key, value node, alias passed, key node) of a mapping as a loader reads it: explicit keys first, then
    the keys of its merge keys (`<<: *a`, `<<: [*a, *b]`) that it does not set itself, earlier first."""
    explicit: list[tuple[str, Any, Any, Any]] = []
    merged: list[tuple[Any, Any]] = []
    seen: dict[str, Any] = {}
    for key_node, value in mapping.pairs:
        key = _key(key_node)
        if key is None:
            continue
        raw, _ = _deref(key_node)
        if key == "<<" and not raw.style and raw.tag is None:
            source, alias = _deref(value, passed)
            if isinstance(source, _Seq):
                for item in source.items:
                    inner, inner_alias = _deref(item, passed)
                    merged.append((inner, via or alias or inner_alias))
            else:
                merged.append((source, via or alias))
            continue
        if key in seen:
            mark = raw.start_mark
            first = seen[key].start_mark.line + 1
            raise ScanError(f"duplicate key {key!r} (first at line {first}); remove one of them",
                            mark.line, mark.column)
        seen[key] = raw
        explicit.append((key, value, via, key_node))
    out = explicit
    if merged and depth >= _MAX_MERGE_DEPTH:
        mark = mapping.event.start_mark
        raise ScanError(f"merge keys (<<) nested deeper than {_MAX_MERGE_DEPTH} levels", mark.line, mark.column)
    for source, source_via in merged:
        if not isinstance(source, _Map):
            continue  # a loader refuses this; the scan's checks and Kubernetes report it
        for key, value, value_via, key_node in _pairs(source, source_via, depth + 1, passed):
            if key not in seen:
                seen[key] = key_node
                out.append((key, value, value_via, key_node))
    return out


def _scalar(node: Any) -> str | None:
    node, _ = _deref(node)
    return node.value if isinstance(node, ev.ScalarEvent) else None


def identity(root: Any) -> dict[str, str | None]:
    """kind, apiVersion, name and namespace of a document, read through aliases and merge keys."""
    root, _ = _deref(root)
    found: dict[str, str | None] = {"kind": None, "apiVersion": None, "name": None, "namespace": None}
    if not isinstance(root, _Map):
        return found
    for key, value, _, _ in _pairs(root, None):
        if key in ("kind", "apiVersion"):
            found[key] = _scalar(value)
        elif key == "metadata":
            metadata, _ = _deref(value)
            if isinstance(metadata, _Map):
                for inner, inner_value, _, _ in _pairs(metadata, None):
                    if inner in ("name", "namespace"):
                        found[inner] = _scalar(inner_value)
    return found


class Follower:
    """An alias outside the image fields whose node holds image fields: it reads what they are rendered to."""

    __slots__ = ("line", "column", "hits")

    def __init__(self, line: int, column: int, hits: list[Hit]) -> None:
        self.line = line  # 0-based, in the caller's coordinates
        self.column = column
        self.hits = hits  # the direct hits inside the aliased node


def graph_hits(text: str, patterns: Patterns, offset: int = 0, line_offset: int = 0,
               identities: list[dict[str, str | None]] | None = None,
               followers: list[Follower] | None = None) -> list[Hit]:
    """Every image field of the document(s) of `text`, following aliases and merge keys. Marks are moved by
    `offset` / `line_offset` (the caller's coordinates). `identities` receives each document's identity,
    `followers` every alias elsewhere whose node holds image fields."""
    leaves, prefixes = patterns.leaves, patterns.prefixes
    hits: list[Hit] = []
    direct: dict[int, Hit] = {}  # id(event) → the direct hit of that node
    passed: set[int] = set()  # aliases the image fields are read through

    def record(node: Any, steps: tuple[str, ...], indices: tuple[int | None, ...], specs: tuple[int, ...],
               via: Any, container: str | None) -> None:
        event: Any = node if isinstance(node, ev.ScalarEvent) else node.event
        if via is None:
            hit = Hit(event, steps, indices, specs, None)
            direct[id(event)] = hit
        else:
            hit = AliasHit(event, steps, indices, specs, None)
            hit.alias_line = via.start_mark.line + line_offset
            hit.alias_column = via.start_mark.column
            hit.anchor_line = event.start_mark.line + line_offset
            hit.anchor_column = event.start_mark.column
            hit.origin = None
            hit.node = event
            hit.line = via.start_mark.line
        hit.container = container
        hit.start += offset
        hit.end += offset
        hit.line += line_offset
        hits.append(hit)

    def walk(node: Any, steps: tuple[str, ...], indices: tuple[int | None, ...], via: Any,
             container: str | None) -> None:
        node, alias = _deref(node, passed)
        via = via or alias
        specs = leaves.get(steps)
        if specs is not None:
            record(node, steps, indices, specs, via, container)
        if steps and steps not in prefixes:
            return
        if isinstance(node, _Map):
            pairs = _pairs(node, via, 0, passed)
            name = container
            if steps and steps[-1] == EACH:
                name = next((_key(v) for k, v, _, _ in pairs if k == "name"), None)
            for key, value, value_via, _ in pairs:
                walk(value, (*steps, key), (*indices, None), value_via, name)
        elif isinstance(node, _Seq):
            for i, item in enumerate(node.items):
                walk(item, (*steps, EACH), (*indices, i), via, None)

    aliases: list[_Alias] = []
    for root in _documents(text, aliases):
        walk(root, (), (), None, None)
        if identities is not None:
            identities.append(identity(root))
    if followers is not None and direct:
        for alias in aliases:
            if id(alias) not in passed:
                inside = _inside(alias.target, direct)
                if inside:
                    mark = alias.event.start_mark
                    followers.append(Follower(mark.line + line_offset, mark.column, inside))
    for hit in hits:
        if isinstance(hit, AliasHit):
            hit.origin = direct.get(id(hit.node))
            hit.node = None
    return hits


def _inside(node: Any, direct: dict[int, Hit]) -> list[Hit]:
    """The direct hits among the nodes of `node` (aliases inside followed, each node once)."""
    found: list[Hit] = []
    seen: set[int] = set()
    todo = [node]
    while todo:
        node = todo.pop()
        while isinstance(node, _Alias):
            node = node.target
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, _Map):
            todo.extend(value for _, value in node.pairs)
            hit = direct.get(id(node.event))
        elif isinstance(node, _Seq):
            todo.extend(node.items)
            hit = direct.get(id(node.event))
        else:
            hit = direct.get(id(node))
        if hit is not None:
            found.append(hit)
    return found
