"""Jinja2 templates of generated resources (`templates/`), replaceable by a user's own folder."""

from __future__ import annotations

import os
from typing import Any

import yaml

from ..errors import UserError


def builtin_dir() -> str:
    from importlib.resources import files

    return str(files("imagevector.templates"))


def _builtin_source(name: str) -> str | None:
    from importlib.resources import files

    resource = files("imagevector.templates").joinpath(name)
    return resource.read_text(encoding="utf-8") if resource.is_file() else None


class Templates:
    """Renders a template and parses its output; a user folder overrides templates of the same name."""

    def __init__(self, user_dir: str | None = None) -> None:
        import jinja2

        builtin = builtin_dir()
        loaders: list[jinja2.BaseLoader] = []
        if user_dir:
            if not os.path.isdir(user_dir):
                raise UserError(f"{user_dir}: templates folder not found")
            loaders.append(jinja2.FileSystemLoader(user_dir))
        # Inside a zipapp (run without extracting) the built-in templates are no folder: read them as resources.
        loaders.append(jinja2.FileSystemLoader(builtin) if os.path.isdir(builtin)
                       else jinja2.FunctionLoader(_builtin_source))
        self.env = jinja2.Environment(
            loader=jinja2.ChoiceLoader(loaders),
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            keep_trailing_newline=True,
        )

    def render(self, template: str, /, **context: Any) -> str:
        import jinja2

        try:
            return self.env.get_template(template).render(**context)
        except jinja2.TemplateError as exc:
            raise UserError(f"template {template}: {exc}") from None

    def load(self, template: str, /, **context: Any) -> Any:
        text = self.render(template, **context)
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise UserError(f"template {template} does not give valid YAML: {' '.join(str(exc).split())}") from None
