from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"

sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(autouse=True, scope="session")
def _vector_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The cache of parsed vectors (vectorcache.py) of every test, in-process and in children, in one temporary
    folder: never the user's, and used throughout, so that every render after the first of a vector is a hit."""
    patch = pytest.MonkeyPatch()
    patch.setenv("IMAGEVECTOR_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    yield
    patch.undo()


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES
