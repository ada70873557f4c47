"""Errors meant for people: one line, where, what to do."""

from __future__ import annotations

from collections.abc import Iterable

from .model import Problem


class UserError(Exception):
    """An error the user can fix: one or more problems, printed one line each, no traceback. A plain string
    is a problem without a location (the CLI says who speaks: `imagevector: …`)."""

    def __init__(self, message: str | Problem | Iterable[Problem | str]) -> None:
        given = [message] if isinstance(message, (str, Problem)) else list(message)
        self.problems = [p if isinstance(p, Problem) else Problem(p) for p in given]
        # what the face still writes to stdout: a KRM function's ResourceList with the errors as its results
        self.output: str | None = None
        super().__init__("\n".join(self.lines))

    @property
    def lines(self) -> list[str]:
        """The problems' lines (each at most MAX_MESSAGE_CHARS long)."""
        return [str(p) for p in self.problems]
