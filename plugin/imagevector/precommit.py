"""The pre-commit hooks. Filled in by issue 4."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    """Add this module's subcommands to the `imagevector` parser."""
    del sub


__all__ = ["register", "argparse"]
