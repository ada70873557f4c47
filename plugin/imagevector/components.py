"""Validation of component overwrite files: each component's `imageVectorOverwrite` is validated as an
overwrite, its problems pointing into the outer file."""

from __future__ import annotations

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .model import Component, ImageVector, Origin, Problem, VersionField
from .records import replace
from .validation import string_field, vector_from_node
from .yamlnodes import NULL, YAMLError, compose_one, join_path, kind_of, mapping_items, origin


def _embedded_offset(node: ScalarNode, lines: list[str]) -> tuple[int, int]:
    """Line and column offset of the text of a literal block scalar inside its file (else its start)."""
    first = node.start_mark.line + 1
    if node.style == "|" and first < len(lines):
        line = lines[first]
        return first, len(line) - len(line.lstrip(" "))
    return node.start_mark.line, node.start_mark.column


def components_from_node(
    node: Node | None, file: str, version_field: VersionField = "constraint", source: str = ""
) -> tuple[list[Component], list[Problem]]:
    """Validate a component overwrite file; each `imageVectorOverwrite` is validated as an overwrite."""
    problems: list[Problem] = []
    components: list[Component] = []
    if node is None:
        return components, problems
    if not isinstance(node, MappingNode):
        problems.append(Problem.at(origin(file, node), f"expected a mapping with 'components', not {kind_of(node)}"))
        return components, problems
    for key, _k, value in mapping_items(node, file, "", problems):
        if key != "components":
            message = f"unknown top-level field {key!r}; expected 'components'"
            problems.append(Problem.at(origin(file, value, key), message))
            continue
        if isinstance(value, ScalarNode) and value.tag == NULL:
            continue
        if not isinstance(value, SequenceNode):
            problems.append(Problem.at(origin(file, value, "components"), f"must be a list, not {kind_of(value)}"))
            continue
        names: dict[str, int] = {}
        lines = source.splitlines()
        for i, item in enumerate(value.value):
            path = f"components[{i}]"
            component = _component(item, file, path, version_field, lines, problems)
            if component is None:
                continue
            if component.name in names:
                problems.append(
                    Problem.at(
                        origin(file, item, path),
                        f"component {component.name!r} is listed twice (first at components[{names[component.name]}])",
                    )
                )
                continue
            names[component.name] = i
            components.append(component)
    return components, problems


def _component(
    node: Node, file: str, path: str, version_field: VersionField, lines: list[str], problems: list[Problem]
) -> Component | None:
    if not isinstance(node, MappingNode):
        problems.append(Problem.at(origin(file, node, path), f"must be a mapping, not {kind_of(node)}"))
        return None
    start = len(problems)
    name: str | None = None
    text: str | None = None
    overwrite = ImageVector()
    seen: set[str] = set()
    for key, _k, value in mapping_items(node, file, path, problems):
        field_path = join_path(path, key)
        seen.add(key)
        if key == "name":
            name = string_field(value, file, field_path, problems)
        elif key == "imageVectorOverwrite":
            text = string_field(value, file, field_path, problems)
            if text is not None and isinstance(value, ScalarNode):
                overwrite = _embedded(text, value, file, field_path, version_field, lines, problems)
        else:
            problems.append(
                Problem.at(
                    origin(file, value, field_path),
                    f"unknown field {key!r}; expected 'name' and 'imageVectorOverwrite'",
                )
            )
    for required in ("name", "imageVectorOverwrite"):
        if required not in seen:
            problems.append(Problem.at(origin(file, node, path), f"missing required field {required!r}"))
    if any(p.severity == "error" for p in problems[start:]) or name is None or text is None:
        return None
    return Component(name, text, overwrite, origin(file, node, path))


def _embedded(
    text: str,
    node: ScalarNode,
    file: str,
    path: str,
    version_field: VersionField,
    lines: list[str],
    problems: list[Problem],
) -> ImageVector:
    """Validate an overwrite embedded in a string; locations point into the outer file where possible."""
    line_offset, column_offset = _embedded_offset(node, lines)
    inner: list[Problem] = []
    try:
        inner_node = compose_one(text, file)
    except YAMLError as exc:
        inner = [exc.problem]
        vector = ImageVector()
    else:
        vector, inner = vector_from_node(inner_node, file, "overwrite", version_field)
    def outer(o: Origin) -> Origin:
        line = o.line + line_offset if o.line else node.start_mark.line + 1
        column = o.column + column_offset if o.line else node.start_mark.column + 1
        return Origin(file, line, column, f"{path}: {o.path}" if o.path else path)

    for problem in inner:
        where = outer(Origin(file, problem.line or 0, problem.column or 0, problem.field or ""))
        problems.append(Problem.at(where, problem.message, problem.severity))
    images = tuple(replace(image, origin=outer(image.origin)) if image.origin else image for image in vector.images)
    return ImageVector(images, vector.ca_bundle)
