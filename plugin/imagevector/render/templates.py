"""Jinja2 templates of generated resources (`templates/`), replaceable by a user's own folder."""

from __future__ import annotations

import os
from typing import Any

import yaml

from ..errors import UserError


def builtin_dir() -> str:
    from importlib.resources import files

    return str(files("imagevector.templates"))


class Templates:
    """Renders a template and parses its output; a user folder overrides templates of the same name."""

    def __init__(self, user_dir: str | None = None) -> None:
        import jinja2

        search = [builtin_dir()]
        if user_dir:
            if not os.path.isdir(user_dir):
                raise UserError(f"{user_dir}: templates folder not found")
            search.insert(0, user_dir)
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(search),
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
