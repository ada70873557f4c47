"""Validation of component overwrite files: each component's `imageVectorOverwrite` is validated as an
overwrite, its problems pointing into the outer file."""

from __future__ import annotations

from .model import Component, ImageVector, Origin, Problem, VersionField
from .pyyaml import Node
from .records import replace
from .validation import string_field, vector_from_node
from .yamlnodes import Value, YAMLError, compose_one, decode


def _embedded_offset(value: Value, lines: list[str]) -> tuple[int, int]:
    """Line and column offset of the text of a literal block scalar inside its file (else its start)."""
    first = value.origin.line  # the line after the `|` indicator, 0-based
    if value.style == "|" and first < len(lines):
        line = lines[first]
        return first, len(line) - len(line.lstrip(" "))
    return value.origin.line - 1, value.origin.column - 1


def components_from_node(
    node: Node | None, file: str, version_field: VersionField = "constraint", source: str = ""
) -> tuple[list[Component], list[Problem]]:
    """Decode a component overwrite file once, then validate it; each `imageVectorOverwrite` is validated as an
    overwrite. Problems come in the order of the file."""
    problems: list[Problem] = []
    if node is None:
        return [], problems
    components = _components(decode(node, file, "", problems), file, version_field, source.splitlines(), problems)
    return components, sorted(problems, key=lambda p: (p.line or 0, p.column or 0))


def _components(
    value: Value, file: str, version_field: VersionField, lines: list[str], problems: list[Problem]
) -> list[Component]:
    components: list[Component] = []
    if not value.valid:
        return components
    if not isinstance(value.data, dict):
        problems.append(value.problem(f"expected a mapping with 'components', not {value.kind}"))
        return components
    for key, item in value.items():
        if key != "components":
            problems.append(item.problem(f"unknown top-level field {key!r}; expected 'components'"))
            continue
        if not item.valid or item.is_null:
            continue
        if not isinstance(item.data, list):
            problems.append(item.problem(f"must be a list, not {item.kind}"))
            continue
        names: dict[str, int] = {}
        for i, entry in enumerate(item.data):
            component = _component(entry, file, version_field, lines, problems)
            if component is None:
                continue
            if component.name in names:
                first = names[component.name]
                message = f"component {component.name!r} is listed twice (first at components[{first}])"
                problems.append(entry.problem(message))
                continue
            names[component.name] = i
            components.append(component)
    return components


def _component(
    value: Value, file: str, version_field: VersionField, lines: list[str], problems: list[Problem]
) -> Component | None:
    if not value.valid:
        return None
    if not isinstance(value.data, dict):
        problems.append(value.problem(f"must be a mapping, not {value.kind}"))
        return None
    start = len(problems)
    name: str | None = None
    text: str | None = None
    overwrite = ImageVector()
    for key, item in value.items():
        if key == "name":
            name = string_field(item, problems)
        elif key == "imageVectorOverwrite":
            text = string_field(item, problems)
            if text is not None:
                overwrite = _embedded(text, item, file, version_field, lines, problems)
        else:
            problems.append(item.problem(f"unknown field {key!r}; expected 'name' and 'imageVectorOverwrite'"))
    for required in ("name", "imageVectorOverwrite"):
        if required not in value.data:
            problems.append(value.problem(f"missing required field {required!r}"))
    if any(p.severity == "error" for p in problems[start:]) or name is None or text is None:
        return None
    return Component(name, text, overwrite, value.origin)


def _embedded(
    text: str,
    value: Value,
    file: str,
    version_field: VersionField,
    lines: list[str],
    problems: list[Problem],
) -> ImageVector:
    """Validate an overwrite embedded in a string; locations point into the outer file where possible."""
    line_offset, column_offset = _embedded_offset(value, lines)
    path = value.origin.path
    inner: list[Problem] = []
    try:
        inner_node = compose_one(text, file)
    except YAMLError as exc:
        inner = [exc.problem]
        vector = ImageVector()
    else:
        vector, inner = vector_from_node(inner_node, file, "overwrite", version_field)

    def outer(o: Origin) -> Origin:
        line = o.line + line_offset if o.line else value.origin.line
        column = o.column + column_offset if o.line else value.origin.column
        return Origin(file, line, column, f"{path}: {o.path}" if o.path else path)

    for problem in inner:
        where = outer(Origin(file, problem.line or 0, problem.column or 0, problem.field or ""))
        problems.append(Problem.at(where, problem.message, problem.severity))
    images = tuple(replace(image, origin=outer(image.origin)) if image.origin else image for image in vector.images)
    return ImageVector(images, vector.ca_bundle)
