"""The KRM function face: a ResourceList in, a ResourceList with results out.

Items are framed as a multi-document stream and run through the same pipeline as Helm output.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import yaml

from ..errors import UserError
from ..model import MAX_MESSAGE_CHARS, shorten
from ..yamlnodes import syntax_problem
from .pipeline import RenderContext, RenderProblem, RenderResult, render
from .wiring import PATH_ANNOTATIONS, dump_resource

try:
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader


def load_resource_list(text: str) -> dict[str, Any]:
    from ..yamlnodes import YAMLError, guard

    try:
        guard(text, "stdin (ResourceList)", data_checks=True)
    except YAMLError as exc:
        raise UserError([exc.problem]) from None
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise UserError([syntax_problem("stdin (ResourceList)", exc)]) from None
    if not isinstance(data, dict) or data.get("kind") != "ResourceList":
        raise UserError("stdin: expected a ResourceList")
    items = data.get("items")
    if items is None:
        raise UserError("stdin: ResourceList has no 'items'; expected a list of resources")
    if not isinstance(items, list):
        raise UserError(f"stdin: ResourceList 'items' must be a list, not {type(items).__name__}")
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise UserError(f"stdin: ResourceList items[{i}] must be a mapping (a resource), not {type(item).__name__}")
    return data


def frame(items: list[dict[str, Any]]) -> str:
    return "".join("---\n" + dump_resource(item) for item in items)


def unframe(result: RenderResult) -> list[Any]:
    items: list[Any] = []
    for doc in result.documents:
        if doc.text.strip():
            items.append(yaml.load(doc.text, Loader=_Loader))
    for text in result.generated:
        items.append(yaml.load(text, Loader=_Loader))
    return [item for item in items if item is not None]


def _result(problem: RenderProblem, items: list[dict[str, Any]]) -> dict[str, Any]:
    entry: dict[str, Any] = {"message": shorten(problem.message, MAX_MESSAGE_CHARS), "severity": problem.severity}
    item = items[problem.document] if problem.document is not None and problem.document < len(items) else None
    if item is not None:
        metadata = item.get("metadata") or {}
        ref = {"apiVersion": item.get("apiVersion"), "kind": item.get("kind"), "name": metadata.get("name")}
        if metadata.get("namespace"):
            ref["namespace"] = metadata["namespace"]
        entry["resourceRef"] = {k: v for k, v in ref.items() if v is not None}
        annotations = metadata.get("annotations") or {}
        for key in PATH_ANNOTATIONS:
            if key in annotations:
                entry["file"] = {"path": annotations[key]}
                break
    if problem.field:
        entry["field"] = {"path": problem.field}
    return entry


def _file_of(problem: RenderProblem, items: list[dict[str, Any]]) -> str | None:
    if problem.document is None or problem.document >= len(items):
        return None
    annotations = (items[problem.document].get("metadata") or {}).get("annotations") or {}
    for key in PATH_ANNOTATIONS:
        if key in annotations:
            return str(annotations[key])
    return None


def run_krm(text: str, build: Any) -> tuple[str, list[RenderProblem], bool]:
    """(ResourceList text, problems, ok). `build(functionConfig) -> RenderContext` frames the settings."""
    data = load_resource_list(text)
    items: list[dict[str, Any]] = data["items"]
    ctx: RenderContext = build(data.get("functionConfig"))
    result = render(frame(items), ctx)
    out: dict[str, Any] = {"apiVersion": data.get("apiVersion", "config.kubernetes.io/v1"), "kind": "ResourceList"}
    problems = list(result.problems)
    if result.ok:
        out["items"] = unframe(result)
    else:
        out["items"] = items
    if data.get("functionConfig") is not None:
        out["functionConfig"] = data["functionConfig"]
    warnings = [RenderProblem(str(w), "warning") for w in ctx.resolved.warnings]
    # lines of the internally framed stream mean nothing to the user: the resource and its file do
    results = [_result(p, items) for p in [*warnings, *problems]]
    problems = [replace(p, line=None, document=None, source=_file_of(p, items) or p.source) for p in problems]
    if results:
        out["results"] = results
    return dump_resource(out), [*warnings, *problems], result.ok
