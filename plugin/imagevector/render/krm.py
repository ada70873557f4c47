"""The KRM function face: a ResourceList in, a ResourceList with results out.

The ResourceList runs through the same pipeline as Helm output, as one document whose `items` are
resources (like a `kind: List`): image changes are spliced into its text, so a ResourceList that nothing
changes comes back byte for byte, apart from the `results` added. Only items that get wiring, and
generated items, are serialised anew.
"""

from __future__ import annotations

import yaml

from ..model import MAX_MESSAGE_CHARS, Problem, shorten
from ..records import replace
from . import splice
from .pipeline import render
from .resourcelist import Layout, ResourceList, layout, load_resource_list, moved
from .types import RenderContext, RenderResult, WireOptions
from .wiring import dump_resource

TYPE_CHECKING = False  # not typing's: importing typing costs ~3 ms at start (mypy knows the name)
if TYPE_CHECKING:
    from typing import Any

try:
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader

__all__ = ["frame", "load_resource_list", "run_krm"]


def frame(items: list[dict[str, Any]]) -> str:
    return "".join("---\n" + dump_resource(item) for item in items)


def _indented(text: str, column: int) -> str:
    """Block YAML text placed at `column`: every line but the first indented by it."""
    lines = text.rstrip("\n").split("\n")
    return "\n".join([lines[0], *((" " * column + line) if line else line for line in lines[1:])]) + "\n"


def _flow(data: Any) -> str:
    import json  # only for a JSON or flow ResourceList (start-up)

    return json.dumps(data, ensure_ascii=False)


def _edit_items(text: str, layout: Layout, replaced: dict[int, Any], removed: set[int],
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


def _with_results(text: str, layout: Layout, results: list[dict[str, Any]]) -> str:
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
    return _edit_items(text, layout(text), replaced, removed, [item for item in added if item is not None]), result


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
    read = ResourceList(text, stream)
    ctx: RenderContext = replace(build(read.function_config), stream=stream)
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
        out = _with_results(out, moved(read.layout, text, out), results)
    return out, [*warnings, *problems], ok
