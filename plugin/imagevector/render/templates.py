"""Jinja2 templates of generated resources (`templates/`), replaceable by a user's own folder.

Every template runs in Jinja2's ImmutableSandboxedEnvironment: a template from a repository cannot reach
Python internals (`__globals__`, `__class__`, `__mro__`, `_TemplateReference__context`, ...), call methods
that change data, or build huge values. A template that tries ends the render with one line naming the
template file and line. Template files of a user folder named by a config must lie (symlinks followed)
inside the config's root, like every other path a file names.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from types import TracebackType
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ..confine import is_inside
from ..errors import UserError
from ..model import Problem, shorten
from ..pyyaml import yaml

# what each built-in template must give, so that a user's replacement that gives something else is one clear
# error instead of a broken resource: (top-level type, type of each item or value, required keys)
_SHAPES: dict[str, tuple[type, type | None, tuple[str, ...]]] = {
    "configmap.yaml.j2": (dict, None, ("apiVersion", "kind", "metadata")),
    "volume.yaml.j2": (dict, None, ("name",)),
    "volume-mount.yaml.j2": (dict, None, ("name", "mountPath")),
    "env.yaml.j2": (list, dict, ()),
    "pod-annotations.yaml.j2": (dict, str, ()),
}
_TYPE_NAMES: dict[type, str] = {dict: "a mapping", list: "a list", str: "a string"}

MAX_OUTPUT_CHARS = 1 << 20  # a generated resource is small; a template that writes more is refused
_MAX_OPERAND_CHARS = 1 << 16


def builtin_dir() -> str:
    from importlib.resources import files

    return str(files("imagevector.templates"))


class _ConfinedLoader(jinja2.FileSystemLoader):
    """A FileSystemLoader that refuses template files whose real path leaves `root` (symlinks out)."""

    def __init__(self, folder: str, root: str | None) -> None:
        super().__init__(folder, followlinks=False)
        self.root = root

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        if self.root is not None and not is_inside(self.root, filename):
            raise UserError(Problem(f"template {template!r} leads outside {self.root} (a symlink?); "
                                    "a template of a repository must lie inside it", file=filename))
        return source, filename, uptodate


class _Sandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox, with `*` and `**` bounded so that a template cannot exhaust memory or CPU."""

    intercepted_binops = frozenset(["*", "**"])

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            if not all(isinstance(v, (int, float)) for v in (left, right)) or abs(right) > 64:
                raise SecurityError("'**' is limited to small numbers in templates")
            return left**right
        for a, b in ((left, right), (right, left)):
            if isinstance(a, (str, list, tuple)) and isinstance(b, int) and len(a) * max(b, 0) > _MAX_OPERAND_CHARS:
                raise SecurityError("repeating a value this many times is not allowed in templates")
        return super().call_binop(context, operator, left, right)


def _builtin_source(name: str) -> str | None:
    from importlib.resources import files

    resource = files("imagevector.templates").joinpath(name)
    return resource.read_text(encoding="utf-8") if resource.is_file() else None


TEMPLATE_NAMES = (  # every template wiring renders
    "volume.yaml.j2", "volume-mount.yaml.j2", "env.yaml.j2", "pod-annotations.yaml.j2", "configmap.yaml.j2",
)


class Templates:
    """Renders a template and parses its output; a user folder overrides templates of the same name.

    `root` confines the user folder's files (None: the operator named the folder, or allowed every path).
    """

    def __init__(self, user_dir: str | None = None, root: str | None = None) -> None:
        builtin = builtin_dir()
        # Inside a zipapp (run without extracting) the built-in templates are no folder: read them as resources.
        loaders: list[jinja2.BaseLoader] = [
            jinja2.FileSystemLoader(builtin) if os.path.isdir(builtin) else jinja2.FunctionLoader(_builtin_source)
        ]
        self.user_dir = user_dir
        if user_dir:
            if not os.path.isdir(user_dir):
                raise UserError(f"{user_dir}: templates folder not found")
            if root is not None and not is_inside(root, user_dir):
                raise UserError(Problem(f"templates folder is outside {root}", file=user_dir))
            loaders.insert(0, _ConfinedLoader(user_dir, root))
        self.env = _Sandbox(
            loader=jinja2.ChoiceLoader(loaders),
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            keep_trailing_newline=True,
            auto_reload=False,  # read once: a template is not looked up on disk again during the render
        )

    def preload(self) -> Templates:
        """Read and compile every template wiring uses now, before the render (I/O at the edges; a syntax
        error is reported before any document is touched)."""
        for name in TEMPLATE_NAMES:
            try:
                self.env.get_template(name)
            except jinja2.TemplateSyntaxError as exc:
                where = f"{exc.filename or name}:{exc.lineno}"
                raise UserError(f"{where}: template syntax error: {_brief(exc)}") from None
            except jinja2.TemplateError as exc:
                raise UserError(f"template {name}: {_brief(exc)}") from None
        return self

    def render(self, template: str, /, **context: Any) -> str:
        try:
            text = self.env.get_template(template).render(**context)
        except SecurityError as exc:
            raise UserError(f"{self._where(template, exc)}: refused by the template sandbox: {_brief(exc)}") from None
        except jinja2.TemplateSyntaxError as exc:
            where = f"{exc.filename or template}:{exc.lineno}"
            raise UserError(f"{where}: template syntax error: {_brief(exc)}") from None
        except jinja2.TemplateError as exc:
            raise UserError(f"{self._where(template, exc)}: template {template}: {_brief(exc)}") from None
        except (ArithmeticError, TypeError, ValueError, OverflowError, RecursionError, MemoryError) as exc:
            raise UserError(f"{self._where(template, exc)}: template {template} failed: {_brief(exc)}") from None
        if len(text) > MAX_OUTPUT_CHARS:
            raise UserError(f"template {template}: its output is larger than {MAX_OUTPUT_CHARS} characters")
        return text

    def load(self, template: str, /, **context: Any) -> Any:
        text = self.render(template, **context)
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise UserError(f"template {template} does not give valid YAML: {_brief(exc)}") from None
        _check_shape(template, data)
        return data

    def _where(self, template: str, exc: BaseException) -> str:
        """file:line of the innermost template frame of the traceback (Jinja2 maps frames to templates)."""
        found = template
        tb: TracebackType | None = exc.__traceback__
        while tb is not None:
            filename = tb.tb_frame.f_code.co_filename
            if filename.endswith(".j2") or (self.user_dir and filename.startswith(self.user_dir)):
                found = f"{filename}:{tb.tb_lineno}"
            tb = tb.tb_next
        return found


def _check_shape(template: str, data: Any) -> None:
    shape = _SHAPES.get(template)
    if shape is None:
        return
    top, item, required = shape
    problem = None
    if not isinstance(data, top):
        problem = f"must give {_TYPE_NAMES[top]}, not {type(data).__name__}"
    elif item is not None:
        loaded: Any = data  # a dict or a list here (checked above)
        values: list[Any] = list(loaded.values()) if isinstance(loaded, dict) else list(loaded)
        if not all(isinstance(value, item) for value in values):
            problem = f"must give {_TYPE_NAMES[top]} of {_TYPE_NAMES[item].split(' ', 1)[1]}s"
    elif required and not (isinstance(data, dict) and all(key in data for key in required)):
        problem = f"must give a mapping with {', '.join(required)}"
    if problem:
        raise UserError(f"template {template} {problem}; compare it with the built-in one in {builtin_dir()}")


def _brief(exc: BaseException) -> str:
    return shorten(" ".join(str(exc).split()), 200)


__all__ = ["Templates", "builtin_dir", "MAX_OUTPUT_CHARS"]
