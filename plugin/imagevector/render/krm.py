"""The KRM function face: a ResourceList in, a ResourceList with results out.

The ResourceList runs through the same pipeline as Helm output, as one document whose `items` are
resources (like a `kind: List`): image changes are spliced into its text, so a ResourceList that nothing
changes comes back byte for byte, apart from the `results` added. Only items that get wiring, and
generated items, are serialised anew.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from ..errors import UserError
from ..model import MAX_MESSAGE_CHARS, Problem, shorten
from ..records import dataclass, field, replace
from ..scan import _Parser
from ..yamlnodes import syntax_problem
from . import splice
from .pipeline import render
from .types import RenderContext, RenderResult, WireOptions
from .wiring import dump_resource

try:
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader


def load_resource_list(text: str, stream: str = "stdin") -> dict[str, Any]:
    """The ResourceList read from the input `stream` (its name, for problems)."""
    from ..yamlnodes import YAMLError, guard

    try:
        guard(text, f"{stream} (ResourceList)", data_checks=True)
    except YAMLError as exc:
        raise UserError(exc.problem) from None
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise UserError(syntax_problem(f"{stream} (ResourceList)", exc)) from None
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


def frame(items: list[dict[str, Any]]) -> str:
    return "".join("---\n" + dump_resource(item) for item in items)


@dataclass
class _Node:
    start: int
    end: int  # block collections: where the next token starts (trailing comments included)
    flow: bool
    column: int
    key_line: int = -1  # a value: the line of its key
    last: int = -1  # an item: where its last scalar or flow collection ends (comments after it are not its own)


@dataclass
class _Layout:
    """Where the parts of a ResourceList are in its text."""

    root: _Node
    items: _Node | None = None
    item_nodes: list[_Node] = field(default_factory=list)
    results: _Node | None = None


def _layout(text: str) -> _Layout:
    parser = _Parser(text)
    stack: list[tuple[Any, bool]] = []  # (start event, flow)
    layout: _Layout | None = None
    key: str | None = None
    expect_key = True
    key_line = -1
    item: _Node | None = None  # the item whose events these are
    while True:
        event = parser.get_event()
        if event is None:
            break
        t = type(event)
        if item is not None and (t is yaml.ScalarEvent or t is yaml.AliasEvent or stack[-1][1]
                                 and t in (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            item.last = event.end_mark.index
        if t in (yaml.MappingStartEvent, yaml.SequenceStartEvent, yaml.ScalarEvent, yaml.AliasEvent):
            depth = len(stack)
            value_of: str | None = None
            if depth == 1:
                if expect_key:
                    key = event.value if t is yaml.ScalarEvent else None
                    key_line = event.start_mark.line
                    expect_key = False
                    continue
                expect_key = True
                value_of = key
            if t in (yaml.MappingStartEvent, yaml.SequenceStartEvent):
                stack.append((event, bool(event.flow_style)))
                node = _Node(event.start_mark.index, -1, bool(event.flow_style), event.start_mark.column, key_line)
                if depth == 0:
                    layout = _Layout(node)
                elif layout is not None and value_of == "items":
                    layout.items = node
                elif layout is not None and value_of == "results":
                    layout.results = node
                elif depth == 2 and layout is not None and layout.items is not None and layout.items.end < 0:
                    layout.item_nodes.append(node)
                    item = node
            elif layout is not None and value_of == "results":
                mark = event.end_mark
                layout.results = _Node(event.start_mark.index, mark.index, True, event.start_mark.column, key_line)
        elif t in (yaml.MappingEndEvent, yaml.SequenceEndEvent):
            start, flow = stack.pop()
            end = event.end_mark.index if flow else event.start_mark.index
            depth = len(stack)
            assert layout is not None
            if depth == 0:
                layout.root.end = end
            elif depth == 1 and layout.items is not None and layout.items.end < 0 \
                    and start.start_mark.index == layout.items.start:
                layout.items.end = end
            elif depth == 1 and layout.results is not None and start.start_mark.index == layout.results.start:
                layout.results.end = end
            elif depth == 2 and layout.item_nodes and layout.item_nodes[-1].start == start.start_mark.index:
                layout.item_nodes[-1].end = end
                item = None
    assert layout is not None
    return layout


def _indented(text: str, column: int) -> str:
    """Block YAML text placed at `column`: every line but the first indented by it."""
    lines = text.rstrip("\n").split("\n")
    return "\n".join([lines[0], *((" " * column + line) if line else line for line in lines[1:])]) + "\n"


def _flow(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)


def _edit_items(text: str, layout: _Layout, replaced: dict[int, Any], removed: set[int],
                added: list[Any]) -> str:
    """The ResourceList text with some items serialised anew, some removed and some appended; every other
    byte kept."""
    assert layout.items is not None
    items, nodes = layout.items, layout.item_nodes
    edits: list[splice.Edit] = []
    if items.flow:
        parts = [_flow(replaced[i]) if i in replaced else text[node.start:node.end]
                 for i, node in enumerate(nodes) if i not in removed]
        parts.extend(_flow(item) for item in added)
        return splice.apply(text, [splice.Edit(items.start, items.end, "[" + ", ".join(parts) + "]")])
    for i, node in enumerate(nodes):
        if i in removed:
            dash = text.rfind("-", 0, node.start)
            line_start = text.rfind("\n", 0, dash) + 1
            end_line = text.rfind("\n", 0, node.end) + 1 if node.end < len(text) else len(text)
            edits.append(splice.Edit(line_start, max(end_line, node.end if node.flow else end_line), ""))
        elif i in replaced:
            if node.flow:
                edits.append(splice.Edit(node.start, node.end, _flow(replaced[i])))
            else:  # up to its last value: the line break, comments and indentation after it stay
                end = node.last if node.last > node.start else node.end
                if end < node.end and text[end - 1] != "\n":  # a comment after the last value goes with it
                    line_end = text.find("\n", end, node.end)
                    if line_end >= 0 and text[end:line_end].lstrip(" \t").startswith(("#", "\r")) \
                            or line_end >= 0 and not text[end:line_end].strip():
                        end = line_end
                new = _indented(dump_resource(replaced[i]), node.column).rstrip("\n")
                edits.append(splice.Edit(node.start, end, new + ("\n" if text[end - 1] == "\n" else "")))
    if added:
        dash = items.column
        position = items.end
        if position < len(text):
            position = text.rfind("\n", 0, position) + 1
        prefix = "" if position == 0 or text[position - 1] == "\n" else "\n"
        new = "".join(" " * dash + "- " + _indented(dump_resource(item), dash + 2) for item in added)
        edits.append(splice.Edit(position, position, prefix + new))
    return splice.apply(text, edits)


def _with_results(text: str, layout: _Layout, results: list[dict[str, Any]]) -> str:
    """The ResourceList text with `results` set (replaced when it has them)."""
    node = layout.results
    if node is not None:
        if node.flow or layout.root.flow or node.key_line == text.count("\n", 0, node.start):
            return splice.apply(text, [splice.Edit(node.start, node.end, _flow(results))])
        tail = node.end - (text.rfind("\n", 0, node.end) + 1) if node.end < len(text) else 0
        return splice.apply(text, [splice.Edit(node.start, node.end,
                                               _indented(dump_resource(results), node.column) + " " * tail)])
    root = layout.root
    if root.flow:
        close = text.rfind("}", 0, root.end)
        return splice.apply(text, [splice.Edit(close, close, ", " + _flow("results") + ": " + _flow(results))])
    position = root.end
    prefix = "" if position == 0 or text[position - 1] == "\n" else "\n"
    body = dump_resource({"results": results})
    return text[:position] + prefix + body + text[position:]


def _wire(text: str, ctx: RenderContext) -> tuple[str, RenderResult]:
    """Wiring, on the items of an (image-rendered) ResourceList: only the items it changes, and the
    resources it generates, are serialised anew."""
    items = yaml.load(text, Loader=_Loader)["items"]
    result = render(frame(items), ctx)  # the images are rendered already: only the wiring changes
    if not result.ok:
        return text, result
    replaced: dict[int, Any] = {}
    removed: set[int] = set()
    for doc in result.documents:
        if doc.text == doc.chunk.text:
            continue
        if doc.text.strip():
            replaced[doc.chunk.index] = yaml.load(doc.text, Loader=_Loader)
        else:
            removed.add(doc.chunk.index)
    added = [yaml.load(generated, Loader=_Loader) for generated in result.generated]
    if not (replaced or removed or added):
        return text, result
    return _edit_items(text, _layout(text), replaced, removed, [item for item in added if item is not None]), result


def _in_item(problem: Problem) -> str | None:
    """A field path of a list item relative to the item (`items[3].spec.x` → `spec.x`)."""
    field, item = problem.field, problem.item
    if field is None or item is None:
        return field
    prefix = f"items[{item}]"
    return field[len(prefix):].lstrip(".") if field.startswith(prefix) else field


def _result(problem: Problem) -> dict[str, Any]:
    """A KRM result, from the problem's fields: an item's problem names the item (its resource and the file it
    says it came from) and the field path within it; a problem in another file (the vector) is its whole line."""
    if problem.in_file:
        return {"message": str(problem), "severity": problem.severity}
    entry: dict[str, Any] = {"message": shorten(problem.message, MAX_MESSAGE_CHARS), "severity": problem.severity}
    resource = problem.resource if problem.document is not None else None
    if resource is not None:
        ref = {"apiVersion": resource.api_version, "kind": resource.kind, "name": resource.name}
        if resource.namespace:
            ref["namespace"] = resource.namespace
        entry["resourceRef"] = {k: v for k, v in ref.items() if v is not None}
        if resource.file is not None:
            entry["file"] = {"path": resource.file}
    if problem.field:
        entry["field"] = {"path": problem.field}
    return entry


def _for_people(problem: Problem) -> Problem:
    """Lines of a ResourceList mean little to the user: the resource and its file do."""
    resource = problem.resource if problem.document is not None else None
    source = resource.file if resource is not None and resource.file is not None else problem.source
    return replace(problem, file=None, line=None, column=None, document=None, source=source)


def run_krm(text: str, build: Any, stream: str = "stdin") -> tuple[str, list[Problem], bool]:
    """(ResourceList text, problems, ok). `build(functionConfig) -> RenderContext` frames the settings;
    `stream` names the input.

    The ResourceList's text is rendered as one document (a list: its items' image fields are spliced in
    place); wiring then works on the items it changes. Everything else comes back byte for byte, plus
    `results`."""
    data = load_resource_list(text, stream)
    ctx: RenderContext = replace(build(data.get("functionConfig")), stream=stream)
    images = render(text, replace(ctx, wire=WireOptions(inject_components=False)))
    # problems name the item they are about (a list item's index is the document index of the results)
    problems = [replace(p, document=p.item, field=_in_item(p)) for p in images.problems]
    ok = images.ok
    out = images.text if ok else text
    if ok and (ctx.wire.targets or (ctx.wire.inject_components and ctx.resolved.components)):
        wired, result = _wire(out, ctx)
        problems.extend(result.problems)
        ok = result.ok
        out = wired if ok else text
    warnings = list(ctx.resolved.warnings)
    results = [_result(p) for p in [*warnings, *problems]]
    problems = [_for_people(p) for p in problems]
    if results:
        out = _with_results(out, _layout(out), results)
    return out, [*warnings, *problems], ok
