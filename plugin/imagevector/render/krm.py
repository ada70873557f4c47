"""The KRM function face: a ResourceList in, a ResourceList with results out.

The ResourceList runs through the same pipeline as Helm output, as one document whose `items` are
resources (like a `kind: List`): image changes are spliced into its text, so a ResourceList that nothing
changes comes back byte for byte, apart from the `results` added. Wiring works on the texts of the items it
may wire, each rendered as a document of its own; only the items it changes are put back (at their place
and column), and generated items appended.
"""

from __future__ import annotations

import re

from ..errors import UserError
from ..model import MAX_MESSAGE_CHARS, Problem, shorten
from ..pyyaml import yaml
from ..records import replace
from ..yamlnodes import LOADER
from . import splice
from .pipeline import render
from .resourcelist import Layout, Node, ResourceList, load_resource_list, moved, shifted
from .stream import first_other_break
from .types import RenderContext, RenderResult, WireOptions
from .wiring import dump_resource, wiring_hints

TYPE_CHECKING = False  # not typing's: importing typing costs ~3 ms at start (mypy knows the name)
if TYPE_CHECKING:
    from typing import Any

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


def _item_end(text: str, node: Node) -> int:
    """Where an item's own text ends: a flow item at its bracket; a block item after its last value and a
    comment on that line (the line break, comments and indentation after it belong to the list)."""
    if node.flow:
        return node.end
    end = node.last if node.last > node.start else node.end
    if end < node.end and text[end - 1] != "\n":
        line_end = text.find("\n", end, node.end)
        if line_end >= 0 and (text[end:line_end].lstrip(" \t").startswith(("#", "\r"))
                              or not text[end:line_end].strip()):
            end = line_end - (text[line_end - 1] == "\r")
    return end


def _edit_items(text: str, layout: Layout, replaced: dict[int, tuple[int, str]], removed: set[int],
                added: list[str]) -> str:
    """The ResourceList text with some items replaced (by index: (end of the item's text, new text)), some
    removed and some appended (block YAML text, or JSON for a flow list); every other byte kept."""
    assert layout.items is not None
    items, nodes = layout.items, layout.item_nodes
    edits: list[splice.Edit] = []
    if items.flow:
        parts = [replaced[i][1] if i in replaced else text[node.start:node.end]
                 for i, node in enumerate(nodes) if i not in removed]
        return splice.apply(text, [splice.Edit(items.start, items.end, "[" + ", ".join([*parts, *added]) + "]")])
    for i, node in enumerate(nodes):
        if i in removed:
            dash = text.rfind("-", 0, node.start)
            line_start = text.rfind("\n", 0, dash) + 1
            end_line = text.rfind("\n", 0, node.end) + 1 if node.end < len(text) else len(text)
            edits.append(splice.Edit(line_start, max(end_line, node.end if node.flow else end_line), ""))
        elif i in replaced:
            edits.append(splice.Edit(node.start, *replaced[i]))
    if added:
        dash = items.column
        position = items.end
        if position < len(text):
            position = text.rfind("\n", 0, position) + 1
        br = splice.line_break(text)
        prefix = "" if position == 0 or text[position - 1] == "\n" else br
        new = "".join(" " * dash + "- " + _indented(item, dash + 2) for item in added)
        edits.append(splice.Edit(position, position, prefix + splice.with_breaks(new, br)))
    return splice.apply(text, edits)


def _with_results(text: str, layout: Layout, results: list[dict[str, Any]]) -> str:
    """The ResourceList text with `results` set (replaced when it has them)."""
    node = layout.results
    if node is not None:
        if node.flow or layout.root.flow or node.key_line == text.count("\n", 0, node.start):
            return splice.apply(text, [splice.Edit(node.start, node.end, _flow(results))])
        tail = node.end - (text.rfind("\n", 0, node.end) + 1) if node.end < len(text) else 0
        block = splice.with_breaks(_indented(dump_resource(results), node.column), splice.line_break(text))
        return splice.apply(text, [splice.Edit(node.start, node.end, block + " " * tail)])
    root = layout.root
    if root.flow:
        close = text.rfind("}", 0, root.end)
        return splice.apply(text, [splice.Edit(close, close, ", " + _flow("results") + ": " + _flow(results))])
    position = root.end
    br = splice.line_break(text)
    prefix = "" if position == 0 or text[position - 1] == "\n" else br
    body = splice.with_breaks(dump_resource({"results": results}), br)
    return text[:position] + prefix + body + text[position:]


_HEADER = re.compile(r"---[^\n]*\n")


def _body(doc: str) -> str:
    """A document's text without its `---` line."""
    header = _HEADER.match(doc)
    return doc[header.end():] if header else doc


_MARKER = re.compile(r"^(?:---|\.\.\.)(?=[ \t\r\n]|$)", re.M)


def _standalone(item: str, column: int) -> str:
    """An item's text (its first line starts at `column`) as a document that reads as the item does in the
    list: every line moved left by up to `column` spaces (block structure keeps its shape: all of it is
    indented by at least that; elsewhere leading spaces do not count), or else placed at its column."""
    dedented = re.sub(f"\n {{1,{column}}}", "\n", item) if column else item
    return (" " * column + item) if _MARKER.search(dedented) else dedented


def _placed(new: str, node: Node, old: str) -> str:
    """The text that replaces an item's (`old`) by the wired document `new`: block YAML at the item's column
    (with the item's line breaks), checked to read as the document does; else, and in a flow list, JSON."""
    new = new.replace("\r\n", "\n")  # a CRLF item is wired with CRLF: written with the item's breaks below
    data = yaml.load(new, Loader=LOADER)
    if not node.flow:
        placed = _indented(_body(new), node.column).rstrip("\n")
        if "\r\n" in old:
            placed = placed.replace("\n", "\r\n")
        if old.endswith("\n"):  # the item ends with a block scalar's line break
            placed += "\r\n" if old.endswith("\r\n") else "\n"
        try:
            if yaml.load(" " * node.column + placed, Loader=LOADER) == data:
                return placed
        except yaml.YAMLError:  # pragma: no cover - the check exists for what cannot be foreseen
            pass
    return _flow(data)


def _wire(text: str, found: Layout, plain: bool, ctx: RenderContext) -> tuple[str, RenderResult]:
    """Wiring, on the items of an (image-rendered) ResourceList: each item that may be wired (its text holds a
    name wiring looks for: `wiring_hints`) is rendered as a document of its own, made of its text; only the
    items wiring changes, and the resources it generates, are serialised anew, the others are never loaded."""
    nodes = found.item_nodes
    ends = [_item_end(text, node) for node in nodes]
    if plain:  # the items' own texts
        docs = [text[node.start:end] for node, end in zip(nodes, ends, strict=True)]
    else:  # an alias, a tag or a merge key: the items as loaded
        docs = [dump_resource(item) for item in yaml.load(text, Loader=LOADER)["items"]]
    hints = wiring_hints(ctx)
    everything = any(not hint or any(c in hint for c in " \t\r\n'\"\\") for hint in hints)
    picked = [i for i, item in enumerate(docs) if everything or "\\" in item or any(h in item for h in hints)]
    stream = "".join("---\n" + (_standalone(docs[i], nodes[i].column) if plain else docs[i]) + "\n"
                     for i in picked)
    # the images are rendered already, and the list validated: only the wiring is left
    result = render(stream, replace(ctx, specs=(), trust_input=False))
    result.problems[:] = [replace(p, document=picked[p.document]) if p.document is not None
                          and p.document < len(picked) else p for p in result.problems]
    if not result.ok:
        return text, result
    replaced: dict[int, tuple[int, str]] = {}
    removed: set[int] = set()
    for doc in result.documents:
        if doc.changed and doc.text != doc.chunk.text:
            i = picked[doc.chunk.index]
            if _body(doc.text).strip():
                old = text[nodes[i].start:ends[i]]
                replaced[i] = (ends[i], _placed(doc.text, nodes[i], old))
            else:
                removed.add(i)
    assert found.items is not None
    if found.items.flow:
        added = [_flow(yaml.load(generated, Loader=LOADER)) for generated in result.generated]
    else:
        added = [_body(generated) for generated in result.generated]
    if not (replaced or removed or added):
        return text, result
    return _edit_items(text, found, replaced, removed, added), result


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
    other = first_other_break(text)
    if other is not None:  # kustomize and kpt write LF; the list's layout is read by its LF or CRLF lines
        raise UserError(Problem(f"a {other[0]} line break: a ResourceList is read with LF or CRLF line breaks only",
                                file=f"{stream} (ResourceList)", line=other[1], column=other[2]))
    read = ResourceList(text, stream)
    try:
        ctx: RenderContext = replace(build(read.function_config), stream=stream)
    except UserError as exc:  # settings, files, or a warning with --strict: KRM runners (kpt) show results
        exc.output = _with_results(text, read.layout, [_result(p) for p in exc.problems])
        raise
    images = render(text, replace(ctx, wire=WireOptions(inject_components=False)), documents=False)
    # problems name the item they are about (a list item's index is the document index of the results)
    problems = [replace(p, document=p.item, field=_in_item(p)) for p in images.problems]
    ok = images.ok
    out = images.text if ok else text
    if ok and (ctx.wire.targets or (ctx.wire.inject_components and ctx.resolved.components)):
        assert images.edits is not None
        at = moved(read.layout, text, out)  # where the items are once their images are rendered
        if at is not read.layout and not at.item_nodes:
            at.item_nodes = shifted(read.layout.item_nodes, images.edits)
        wired, result = _wire(out, at, read.plain, ctx)
        problems.extend(result.problems)
        ok = result.ok
        out = wired if ok else text
    warnings = list(ctx.resolved.warnings)
    results = [_result(p) for p in [*warnings, *problems]]
    problems = [_for_people(p) for p in problems]
    if results:
        out = _with_results(out, moved(read.layout, text, out), results)
    return out, [*warnings, *problems], ok
