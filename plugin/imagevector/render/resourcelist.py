"""Reading a ResourceList (the KRM face) in the one event pass that validates it.

The pass is `yamlnodes.guard`'s (syntax, limits, duplicate keys, tags: as every input), read through `_Tap`,
which notes where the parts of the list are (`Layout`) and keeps the events of the few values the function
needs (`kind`, `functionConfig`, and a wrong `items`); nothing else is built. The items themselves are
rendered from the text (krm.py); none is built (problems carry the resource they are about). Anything unusual
(an alias, a tag, a merge key, several documents) is read as before: the whole list loaded with libyaml, the
same checks.
"""

from __future__ import annotations

from ..errors import UserError
from ..pyyaml import (
    AliasEvent,
    Composer,
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    Resolver,
    SafeConstructor,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
    yaml,
)
from ..records import dataclass, field
from ..scan import _Parser
from ..yamlnodes import LOADER, YAMLError, guard, syntax_problem

TYPE_CHECKING = False  # not typing's: importing typing costs ~3 ms at start (mypy knows the name)
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

_BUILT = ("kind", "functionConfig")  # the values of the list read from their events


@dataclass
class Node:
    start: int
    end: int  # block collections: where the next token starts (trailing comments included)
    flow: bool
    column: int
    key_line: int = -1  # a value: the line of its key
    last: int = -1  # an item: where its last scalar or flow collection ends (comments after it are not its own)


@dataclass
class Layout:
    """Where the parts of a ResourceList are in its text."""

    root: Node
    items: Node | None = None
    item_nodes: list[Node] = field(default_factory=list)  # (not kept by `moved`)
    results: Node | None = None


class _Tap:
    """A parser whose events pass through unchanged, followed on the way: the layout of the list, the events
    of the values in `_BUILT` and of `items` when it is not a list (or of its first item that is not a
    mapping). `plain` stays true while what is kept is all there is to know (no alias, tag or merge key, one
    document whose root is a mapping): then the values built from the kept events are yaml.load's."""

    def __init__(self, parser: Any) -> None:
        self._next = parser.get_event
        self.stack: list[tuple[Any, bool]] = []  # (start event, flow)
        self.layout: Layout | None = None
        self.key: str | None = None
        self.expect_key = True
        self.key_line = -1
        self._last: Any = None  # the last scalar, alias or end of a flow collection
        self.in_items = False
        self.documents = 0
        self.plain = True
        self.keys: set[str] = set()  # of the root mapping
        self.values: dict[str, list[Any]] = {}
        self.count = 0  # items
        self.wrong: int | None = None  # the first item that is not a mapping
        self._recording: list[Any] | None = None
        self._recorded = ("", 0)  # (name, depth) of the value being recorded

    def get_event(self) -> Any:
        event = self._next()
        t = type(event)
        if self._recording is not None:
            self._recording.append(event)
        if t is ScalarEvent:
            self._last = event
            if event.tag is not None:
                self.plain = False
            if len(self.stack) > 2:  # inside an item (or another value): nothing to note
                return event
            self._node(event, t, len(self.stack))
        elif t is MappingEndEvent or t is SequenceEndEvent:
            start, flow = self.stack.pop()
            if flow:
                self._last = event
            if len(self.stack) > 2 and self._recording is None:
                return event
            self._end(event, start, flow)
        elif t is MappingStartEvent or t is SequenceStartEvent:
            if event.tag is not None:
                self.plain = False
            depth = len(self.stack)
            if depth > 2:
                self.stack.append((event, bool(event.flow_style)))
                return event
            self._node(event, t, depth)
        elif t is AliasEvent:
            self._last = event
            self.plain = False
            if len(self.stack) <= 2:
                self._node(event, t, len(self.stack))
        elif t is DocumentStartEvent:
            self.documents += 1
        return event

    def _node(self, event: Any, t: type, depth: int) -> None:
        value_of: str | None = None
        if depth == 1:
            if self.expect_key:
                self.key = event.value if t is ScalarEvent else None
                self.key_line = event.start_mark.line
                self.expect_key = False
                if self.key is None or self.key == "<<":
                    self.plain = False
                else:
                    self.keys.add(self.key)
                if t is MappingStartEvent or t is SequenceStartEvent:
                    self.stack.append((event, bool(event.flow_style)))
                return
            self.expect_key = True
            value_of = self.key
        layout = self.layout
        in_item = depth == 2 and self.in_items
        if in_item:
            self.count += 1
            if t is not MappingStartEvent and self.wrong is None:
                self.wrong = self.count - 1
                self._record("wrong", event, t, depth)
        elif value_of in _BUILT or value_of == "items" and t is not SequenceStartEvent:
            self._record(value_of, event, t, depth)
        if t is ScalarEvent or t is AliasEvent:
            if layout is not None and value_of == "results":
                mark = event.end_mark
                layout.results = Node(event.start_mark.index, mark.index, True, event.start_mark.column, self.key_line)
            return
        self.stack.append((event, bool(event.flow_style)))
        node = Node(event.start_mark.index, -1, bool(event.flow_style), event.start_mark.column, self.key_line)
        if depth == 0:
            self.layout = Layout(node)
            if t is not MappingStartEvent:
                self.plain = False
        elif layout is not None and value_of == "items":
            layout.items = node
            self.in_items = t is SequenceStartEvent
        elif layout is not None and value_of == "results":
            layout.results = node
        elif in_item and layout is not None:
            layout.item_nodes.append(node)

    def _record(self, name: str, event: Any, t: type, depth: int) -> None:
        if t is ScalarEvent or t is AliasEvent:
            self.values[name] = [event]
        else:
            self._recording, self._recorded = [event], (name, depth)

    def _end(self, event: Any, start: Any, flow: bool) -> None:
        depth = len(self.stack)
        if self._recording is not None and depth == self._recorded[1]:
            self.values[self._recorded[0]] = self._recording
            self._recording = None
        if depth > 2:
            return
        end = event.end_mark.index if flow else event.start_mark.index
        layout = self.layout
        if layout is None:  # pragma: no cover - the root opened it
            return
        if depth == 0:
            layout.root.end = end
        elif depth == 1 and layout.items is not None and layout.items.end < 0 \
                and start.start_mark.index == layout.items.start:
            layout.items.end = end
            self.in_items = False
        elif depth == 1 and layout.results is not None and start.start_mark.index == layout.results.start:
            layout.results.end = end
        elif depth == 2 and layout.item_nodes and layout.item_nodes[-1].start == start.start_mark.index:
            node = layout.item_nodes[-1]
            node.end = end
            last = self._last
            node.last = last.end_mark.index if last is not None and last.start_mark.index >= node.start else -1


def layout(text: str) -> Layout:
    """Where the parts of a ResourceList are (a text known to parse: the output of a render)."""
    tap = _Tap(_Parser(text))
    while tap.get_event() is not None:
        pass
    assert tap.layout is not None
    return tap.layout


def moved(found: Layout, before: str, after: str) -> Layout:
    """The layout of `after`, a render of `before` (whose layout is `found`) that changed only its items: the
    parts outside `items` are where they were, those after it moved by what the items grew or shrank. Checked
    (the text before and after the items is the same), else the layout of `after` from a pass of its own."""
    items = found.items
    if after is before:
        return found
    delta = len(after) - len(before)
    if items is None or items.end < 0 or before[:items.start] != after[:items.start] \
            or before[items.end:] != after[items.end + delta:]:
        return layout(after)
    lines = after.count("\n") - before.count("\n")

    def move(node: Node) -> Node:
        if node.start < items.start:
            return node
        return Node(node.start + delta, node.end + delta, node.flow, node.column, node.key_line + lines)

    root = found.root
    return Layout(Node(root.start, root.end + delta, root.flow, root.column, root.key_line),
                  Node(items.start, items.end + delta, items.flow, items.column, items.key_line), [],
                  move(found.results) if found.results is not None else None)


def shifted(nodes: list[Node], edits: Iterable[tuple[int, int, str]]) -> list[Node]:
    """The nodes of items (`Layout.item_nodes`) in a text made by `edits` (in order, each inside a scalar, none
    across an item's bounds: a render's image edits)."""
    out: list[Node] = []
    pending = iter(edits)
    edit = next(pending, None)
    delta = 0
    for node in nodes:
        while edit is not None and edit[1] <= node.start:
            delta += len(edit[2]) - (edit[1] - edit[0])
            edit = next(pending, None)
        start = node.start + delta
        while edit is not None and edit[1] <= node.last:
            delta += len(edit[2]) - (edit[1] - edit[0])
            edit = next(pending, None)
        last = node.last + delta if node.last >= 0 else -1
        while edit is not None and edit[1] <= node.end:
            delta += len(edit[2]) - (edit[1] - edit[0])
            edit = next(pending, None)
        out.append(Node(start, node.end + delta, node.flow, node.column, node.key_line, last))
    return out


class _Events(Composer, SafeConstructor, Resolver):
    """PyYAML's safe loader reading kept events instead of a text: CSafeLoader is libyaml's parser with these
    same constructor and resolver, so the values are the same."""

    def __init__(self, events: list[Any]) -> None:
        self._events = [StreamStartEvent(), DocumentStartEvent(), *events, DocumentEndEvent(), StreamEndEvent()]
        self._index = 0
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)

    def check_event(self, *choices: type) -> bool:
        if self._index >= len(self._events):
            return False
        return not choices or isinstance(self._events[self._index], choices)

    def peek_event(self) -> Any:
        return self._events[self._index]

    def get_event(self) -> Any:
        self._index += 1
        return self._events[self._index - 1]

    def dispose(self) -> None:
        pass


def _built(events: list[Any] | None) -> Any:
    return _Events(events).get_single_data() if events is not None else None


def checked(data: Any, stream: str = "stdin") -> dict[str, Any]:
    """A loaded ResourceList (`items` may hold `{}` for items known to be mappings), or UserError; `stream`
    names the input."""
    if not isinstance(data, dict) or data.get("kind") != "ResourceList":
        raise UserError(f"{stream}: expected a ResourceList")
    items = data.get("items")
    if items is None:
        raise UserError(f"{stream}: ResourceList has no 'items'; expected a list of resources")
    if not isinstance(items, list):
        raise UserError(f"{stream}: ResourceList 'items' must be a list, not {type(items).__name__}")
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise UserError(f"{stream}: ResourceList items[{i}] must be a mapping (a resource), not "
                            f"{type(item).__name__}")
    return data


def _load(text: str, stream: str) -> Any:
    try:
        return yaml.load(text, Loader=LOADER)
    except yaml.YAMLError as exc:
        raise UserError(syntax_problem(f"{stream} (ResourceList)", exc)) from None


def load_resource_list(text: str, stream: str = "stdin") -> dict[str, Any]:
    """The whole ResourceList as plain data (checked as every input first); `stream` names the input."""
    try:
        guard(text, f"{stream} (ResourceList)", data_checks=True)
    except YAMLError as exc:
        raise UserError(exc.problem) from None
    return checked(_load(text, stream), stream)


class ResourceList:
    """A ResourceList read in one pass: its layout and `functionConfig` (the items stay text: problems carry
    the resource they are about)."""

    def __init__(self, text: str, stream: str = "stdin") -> None:
        taps: list[_Tap] = []

        def parser(source: Any) -> _Tap:
            taps.append(_Tap(_Parser(source)))
            return taps[-1]

        try:
            guard(text, f"{stream} (ResourceList)", data_checks=True, parser=parser)
        except YAMLError as exc:
            raise UserError(exc.problem) from None
        self.text = text
        tap = taps[0]
        data = self._plain(tap) if tap.plain and tap.documents == 1 and tap.layout else None
        self.plain = data is not None  # no alias, tag or merge key, one document: an item stands on its own
        data = checked(_load(text, stream) if data is None else data, stream)
        assert tap.layout is not None  # a mapping
        self.layout = tap.layout
        self.function_config: Any = data.get("functionConfig")
        self.count = len(data["items"])

    @staticmethod
    def _plain(tap: _Tap) -> dict[str, Any] | None:
        """The list's values from the kept events (None if one cannot be built: read as before)."""
        try:
            data = {name: _built(tap.values.get(name)) for name in _BUILT if name in tap.keys}
            if "items" in tap.keys:
                items: Any = [{}] * tap.count if "items" not in tap.values else _built(tap.values["items"])
                if tap.wrong is not None:
                    items = list(items)
                    items[tap.wrong] = _built(tap.values["wrong"])
                data["items"] = items
            return data
        except Exception:  # noqa: BLE001 - whatever it is, loading the whole list says it as before
            return None
