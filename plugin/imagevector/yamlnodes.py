"""Compose YAML with libyaml, keep marks, and decode nodes once into located values (`Value`, `decode`).

Only safe loading: nodes are composed, never constructed into Python objects; an unknown tag is a data
error.
"""

from __future__ import annotations

import math

from .fields import Patterns
from .model import Origin, Problem
from .pyyaml import MappingNode, Node, ScalarNode, SequenceNode, yaml
from .scan import Limits, ScanError, scan

TYPE_CHECKING = False  # not typing's: importing typing costs ~3 ms at start (mypy knows the name)
if TYPE_CHECKING:
    from typing import Any, Literal

try:  # the one YAML loader of the package: libyaml's parser, the safe constructor
    LOADER: type[Any] = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    LOADER = yaml.SafeLoader

STR = "tag:yaml.org,2002:str"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
BOOL = "tag:yaml.org,2002:bool"
NULL = "tag:yaml.org,2002:null"
MAP = "tag:yaml.org,2002:map"
SEQ = "tag:yaml.org,2002:seq"
TIMESTAMP = "tag:yaml.org,2002:timestamp"
BINARY = "tag:yaml.org,2002:binary"
_KNOWN_TAGS = {STR, INT, FLOAT, BOOL, NULL, MAP, SEQ, TIMESTAMP, BINARY}


class YAMLError(Exception):
    """YAML that does not parse; carries a located problem."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(str(problem))


def origin(file: str, node: Node, path: str = "") -> Origin:
    mark = node.start_mark
    return Origin(file, mark.line + 1, mark.column + 1, path)


def _first_line(text: str) -> str:
    return " ".join(text.split())


def syntax_problem(file: str, exc: yaml.YAMLError, line_offset: int = 0) -> Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    what = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    message = f"invalid YAML: {_first_line(str(what))}"
    if context:
        message += f" ({_first_line(str(context))})"
    if mark is not None:
        return Problem.at(Origin(file, mark.line + 1 + line_offset, mark.column + 1), message)
    return Problem.at(Origin(file), message)


def guard(text: str, file: str, data_checks: bool = False, parser: Any = None) -> None:
    """Refuse what must not reach the composer: deep nesting (libyaml's composer recurses in C), alias
    bombs, unsafe tags, duplicate keys. Raises YAMLError with a located problem. `parser`: as for scan."""
    limits = Limits()
    try:
        scan(text, Patterns.of(()), limits, data_checks=data_checks, parser=parser)
    except ScanError as exc:
        found = exc.problem
        line = found.line
        raise YAMLError(Problem(found.message, file=file, line=line, column=(found.column or 1) if line else None)) \
            from None


def load_one(text: str, file: str) -> Any:
    """One document as plain data, checked first as every input file is (limits, duplicate keys, tags); raises
    YAMLError with a located problem."""
    guard(text, file, data_checks=True)
    try:
        return yaml.load(text, Loader=LOADER)
    except yaml.YAMLError as exc:
        raise YAMLError(syntax_problem(file, exc)) from None


def compose_all(text: str, file: str) -> list[Node | None]:
    """All documents of a stream as nodes; raises YAMLError on a syntax error or a refused input."""
    guard(text, file)
    try:
        return list(yaml.compose_all(text, Loader=LOADER))
    except yaml.YAMLError as exc:
        raise YAMLError(syntax_problem(file, exc)) from None


def compose_one(text: str, file: str) -> Node | None:
    docs = compose_all(text, file)
    if len(docs) > 1:
        second = docs[1]
        line = second.start_mark.line + 1 if second is not None else 0
        raise YAMLError(Problem.at(Origin(file, line, 1), "expected one YAML document, found several"))
    return docs[0] if docs else None


def kind_of(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if node.tag == NULL:
        return "null"
    if node.tag == BOOL:
        return "a boolean"
    if node.tag in (INT, FLOAT):
        return "a number"
    if node.tag == TIMESTAMP:
        return "a date"
    if node.tag == BINARY:
        return "binary data"
    return "a string"


def scalar_value(node: ScalarNode) -> Any:
    """The plain value of a scalar, resolved by its (implicit or explicit) tag."""
    tag, value = node.tag, node.value
    if tag == NULL:
        return None
    if tag == BOOL:
        return value in ("yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON")
    if tag == INT:
        try:
            text = value.replace("_", "")
            if text.startswith(("0x", "-0x", "+0x")):
                return int(text, 16)
            if text.startswith(("0o", "-0o", "+0o")):
                return int(text.replace("0o", ""), 8)
            return int(text)
        except ValueError:
            return value
    if tag == FLOAT:
        lowered = value.lower()
        if lowered in (".nan",):
            return math.nan
        if lowered in (".inf", "+.inf"):
            return math.inf
        if lowered == "-.inf":
            return -math.inf
        try:
            return float(value.replace("_", ""))
        except ValueError:
            return value
    return value


def join_path(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def check_tag(node: Node, file: str, path: str, problems: list[Problem]) -> bool:
    if node.tag in _KNOWN_TAGS:
        return True
    problems.append(
        Problem.at(origin(file, node, path), f"unsupported YAML tag {node.tag!r}: only plain data is accepted")
    )
    return False


def mapping_items(
    node: MappingNode, file: str, path: str, problems: list[Problem]
) -> list[tuple[str, Node, Node]]:
    """(key, key node, value node) of a mapping, reporting duplicate and non-string keys."""
    seen: dict[str, Node] = {}
    items: list[tuple[str, Node, Node]] = []
    for key_node, value_node in node.value:
        if not isinstance(key_node, ScalarNode):
            problems.append(Problem.at(origin(file, key_node, path), "mapping keys must be strings"))
            continue
        key = key_node.value
        if key == "<<" and key_node.tag == "tag:yaml.org,2002:merge":
            problems.append(Problem.at(origin(file, key_node, path), "merge keys (<<) are not supported here"))
            continue
        if key in seen:
            first = seen[key].start_mark.line + 1
            problems.append(
                Problem.at(
                    origin(file, key_node, join_path(path, key)),
                    f"duplicate key {key!r} (first at line {first}); remove one of them",
                )
            )
            continue
        seen[key] = key_node
        items.append((key, key_node, value_node))
    return items


class Value:
    """A node decoded once, before any validation: what it is, where it was written and its content.

    `data`: a scalar's resolved value (`None`, bool, int, float or str), a list's Values, a mapping's
    {key: Value} (duplicate and non-string keys were reported and left out); `text`: a scalar as written
    (`tag: 3.5` is "3.5"); `origin`: file, line, column and field path; `key_origin`: where a mapping value's
    key is; `valid`: False for a node with an unsupported tag (reported while decoding: validators skip it).
    Origins are made when asked for (a problem, an entry): a vector has thousands of values."""

    __slots__ = ("node", "file", "path", "key_node", "_data", "valid")

    def __init__(self, node: Node, file: str, path: str, data: Any, valid: bool = True,
                 key_node: Node | None = None) -> None:
        self.node = node
        self.file = file
        self.path = path
        self._data = data  # a list's or mapping's decoded items; a scalar resolves when asked
        self.valid = valid
        self.key_node = key_node

    @property
    def data(self) -> Any:
        if self._data is None and self.valid and isinstance(self.node, ScalarNode):
            return scalar_value(self.node)
        return self._data

    @property
    def origin(self) -> Origin:
        return origin(self.file, self.node, self.path)

    @property
    def key_origin(self) -> Origin | None:
        return origin(self.file, self.key_node, self.path) if self.key_node is not None else None

    @property
    def kind(self) -> str:
        return kind_of(self.node)

    @property
    def tag(self) -> str:
        return str(self.node.tag)

    @property
    def text(self) -> str:
        return str(self.node.value) if isinstance(self.node, ScalarNode) else ""

    @property
    def style(self) -> str | None:
        return self.node.style if isinstance(self.node, ScalarNode) else None

    @property
    def is_null(self) -> bool:
        return self.node.tag == NULL

    def items(self) -> list[tuple[str, Value]]:
        """A mapping's (key, value) pairs in order (empty for anything else)."""
        return list(self.data.items()) if isinstance(self.data, dict) else []

    def problem(self, message: str, severity: Literal["error", "warning"] = "error") -> Problem:
        return Problem.at(self.origin, message, severity)


def decode(node: Node, file: str, path: str, problems: list[Problem], key_node: Node | None = None) -> Value:
    """The node as a Value tree, reporting what no validator should see twice: unsupported tags, duplicate and
    non-string keys, merge keys."""
    if node.tag not in _KNOWN_TAGS:
        check_tag(node, file, path, problems)
        return Value(node, file, path, None, False, key_node)
    if isinstance(node, MappingNode):
        data: Any = {
            key: decode(value, file, join_path(path, key), problems, key_item)
            for key, key_item, value in mapping_items(node, file, path, problems)
        }
    elif isinstance(node, SequenceNode):
        data = [decode(item, file, f"{path}[{i}]", problems) for i, item in enumerate(node.value)]
    else:
        data = None
    return Value(node, file, path, data, True, key_node)


def plain(value: Value) -> Any:
    """Plain Python data of a Value (unsupported tags as None)."""
    if not value.valid:
        return None
    data = value._data
    if data is None:
        return scalar_value(value.node) if isinstance(value.node, ScalarNode) else None
    if isinstance(data, dict):
        return {key: plain(item) for key, item in data.items()}
    return [plain(item) for item in data]
