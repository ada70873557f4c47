"""Resolving image field values for one render: vector names and base repositories, memoised."""

from __future__ import annotations

from ..model import split_reference
from ..records import replace
from ..settings import Resolved
from ..vector import FindResult, find, near_miss, repositories


class Resolver:
    """Memoised resolution of image field values for one context."""

    def __init__(self, resolved: Resolved) -> None:
        self.resolved = resolved
        self.names = set(resolved.vector.names())
        self.repositories = repositories(resolved.base)
        self.mirrors = resolved.mirrors
        self._cache: dict[str, FindResult] = {}
        self._arch_cache: dict[tuple[str, tuple[str, ...]], FindResult] = {}
        self._near: dict[str, str | None] = {}

    def name_for(self, value: str) -> str | None:
        """The vector name an image field stands for (docs/semantics.md: Rendering), or None when the vector
        does not govern it."""
        if value in self.names:
            return value
        return self.repositories.get(split_reference(value)[0])

    def near_miss(self, value: str) -> str | None:
        """The vector name a bare image value almost spells (a typo that would pass unrendered)."""
        if value not in self._near:
            self._near[value] = near_miss(value, self.names)
        return self._near[value]

    def find(self, name: str) -> FindResult:
        result = self._cache.get(name)
        if result is None:
            result = self._cache[name] = find(self.resolved.vector, name, self.resolved.options)
        return result

    def find_for(self, name: str, archs: tuple[str, ...]) -> FindResult:
        """For a workload that runs on `archs` (from its node selector, or the cluster's)."""
        options = self.resolved.options
        if archs == options.wanted_architectures:
            return self.find(name)
        key = (name, archs)
        result = self._arch_cache.get(key)
        if result is None:
            narrowed = replace(options, architecture=archs[0], architectures=archs if len(archs) > 1 else ())
            result = self._arch_cache[key] = find(self.resolved.vector, name, narrowed)
        return result
