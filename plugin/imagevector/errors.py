"""Errors meant for people: one line, where, what to do."""

from __future__ import annotations

from collections.abc import Iterable

from .model import Problem


class UserError(Exception):
    """An error the user can fix; its text is printed as is, one line per problem, no traceback."""

    def __init__(self, message: str | Iterable[Problem | str]) -> None:
        if isinstance(message, str):
            self.lines = [message]
        else:
            self.lines = [str(p) for p in message]
        super().__init__("\n".join(self.lines))
