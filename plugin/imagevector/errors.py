"""Errors meant for people: one line, where, what to do."""

from __future__ import annotations

from collections.abc import Iterable

from .model import MAX_MESSAGE_CHARS, Problem, shorten


class UserError(Exception):
    """An error the user can fix; its text is printed as is, one line per problem, no traceback."""

    def __init__(self, message: str | Iterable[Problem | str]) -> None:
        lines = [message] if isinstance(message, str) else [str(p) for p in message]
        self.lines = [shorten(line, MAX_MESSAGE_CHARS) for line in lines]
        super().__init__("\n".join(self.lines))
