"""Fleet coverage: resolve every name for every cluster version × architecture (the cells of a fleet).

Pure functions on a merged vector, built on `vector.find`: the matrix, its gaps, the entries that never win
anywhere in the fleet, and the difference between two cluster versions. No I/O.
"""

from __future__ import annotations

from collections.abc import Sequence

from .model import FindOptions, ImageSource, ImageVector, Origin, Problem
from .records import dataclass
from .vector import FindResult, find


@dataclass(frozen=True)
class Column:
    """One cell of the fleet: a cluster version (and optional runtime version) on one architecture."""

    target_version: str
    architecture: str
    runtime_version: str | None = None

    @property
    def label(self) -> str:
        runtime = f"/rt{self.runtime_version}" if self.runtime_version else ""
        return f"{self.target_version}{runtime}/{self.architecture}"

    def options(self) -> FindOptions:
        return FindOptions(self.target_version, self.runtime_version, self.architecture)


def columns(
    versions: Sequence[str], architectures: Sequence[str], runtime_versions: Sequence[str] = ()
) -> list[Column]:
    """Every version × runtime version × architecture, in the order given (versions outermost)."""
    runtimes: Sequence[str | None] = list(runtime_versions) or [None]
    return [Column(v, a, r) for v in versions for r in runtimes for a in architectures]


@dataclass(frozen=True)
class Row:
    name: str
    results: tuple[FindResult, ...]  # one per column

    @property
    def gaps(self) -> list[int]:
        return [i for i, result in enumerate(self.results) if result.image is None]

    def references(self) -> list[str | None]:
        return [result.image.reference if result.image else None for result in self.results]


@dataclass(frozen=True)
class Matrix:
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]

    @property
    def gap_count(self) -> int:
        return sum(len(row.gaps) for row in self.rows)

    def summary(self) -> str:
        """One line for people: the size and the gaps."""
        size = f"{_plural(len(self.rows), 'image')} × {len(self.columns)} cells"
        gapped = [row for row in self.rows if row.gaps]
        if not gapped:
            return f"{size}: no gap"
        details = "; ".join(
            f"{row.name}: {', '.join(self.columns[i].label for i in row.gaps)}" for row in gapped
        )
        count, images = self.gap_count, len(gapped)
        return f"{size}: {_plural(count, 'gap')} in {_plural(images, 'image')} ({details})"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def unknown_names(vector: ImageVector, names: Sequence[str]) -> list[str]:
    known = set(vector.names())
    return [name for name in names if name not in known]


def matrix(
    vector: ImageVector,
    cols: Sequence[Column],
    names: Sequence[str] = (),
) -> Matrix:
    """Resolve each name (all names of the vector by default, in vector order) in every column."""
    wanted = list(names) or vector.names()
    options = [col.options() for col in cols]
    rows = tuple(Row(name, tuple(find(vector, name, o) for o in options)) for name in wanted)
    return Matrix(tuple(cols), rows)


def _where(source: ImageSource) -> str:
    o = source.origin
    return f"{o.file}:{o.line}" if o is not None and o.line else (o.path if o and o.path else source.name)


def never_winning(found: Matrix, vector: ImageVector) -> list[tuple[ImageSource, str]]:
    """Entries of the matrix's names that win no cell, each with why (in vector order).

    Every name of the vector must be a row for the answer to be complete; rows are what is judged."""
    won: set[int] = set()
    qualified: dict[int, list[FindResult]] = {}
    for row in found.rows:
        for result in row.results:
            if result.winner is not None:
                won.add(id(result.winner.source))
            for candidate in result.candidates:
                if candidate.qualified and candidate is not result.winner:
                    qualified.setdefault(id(candidate.source), []).append(result)
    names = {row.name for row in found.rows}
    out: list[tuple[ImageSource, str]] = []
    for source in vector.images:
        if source.name not in names or id(source) in won:
            continue
        results = qualified.get(id(source))
        if results is None:
            out.append((source, _disqualified_reason(source, found)))
            continue
        winners: dict[int, ImageSource] = {}
        for result in results:
            assert result.winner is not None
            winners.setdefault(id(result.winner.source), result.winner.source)
        beaten = ", ".join(f"the entry at {_where(w)}" for w in winners.values())
        out.append((source, f"where it matches, {beaten} wins (a higher score, or earlier on a tie)"))
    return out


def _disqualified_reason(source: ImageSource, found: Matrix) -> str:
    """Which of the entry's constraints shut it out of the fleet's cells."""
    reasons: list[str] = []
    for row in found.rows:
        for result in row.results if row.name == source.name else ():
            for candidate in result.candidates:
                if candidate.source is not source or not candidate.disqualified:
                    continue
                why = candidate.disqualified
                if why.startswith("target version"):
                    reason = f"targetVersion {source.target_constraint!r}"
                elif why.startswith("runtime version"):
                    reason = f"runtimeVersion {source.runtime_version!r}"
                else:
                    reason = f"architectures {list(source.architectures or ())}"
                if reason not in reasons:
                    reasons.append(reason)
    return f"{' and '.join(reasons) or 'its constraints'} match{'' if len(reasons) > 1 else 'es'} none of its cells"


def fleet_label(cols: Sequence[Column]) -> str:
    """`1.30, 1.31 × amd64, arm64` for messages."""
    versions: list[str] = []
    archs: list[str] = []
    runtimes: list[str] = []
    for col in cols:
        if col.target_version not in versions:
            versions.append(col.target_version)
        if col.architecture not in archs:
            archs.append(col.architecture)
        if col.runtime_version and col.runtime_version not in runtimes:
            runtimes.append(col.runtime_version)
    label = f"{_span(versions)} × {', '.join(archs)}"
    return label + (f" (runtime {', '.join(runtimes)})" if runtimes else "")


def _span(versions: list[str]) -> str:
    return f"{versions[0]}–{versions[-1]}" if len(versions) > 2 else ", ".join(versions)


def findings(found: Matrix, vector: ImageVector) -> list[Problem]:
    """Coverage findings as warnings: gaps (one per name) and entries that never win, with where."""
    fleet = fleet_label(found.columns)
    problems: list[Problem] = []
    for row in found.rows:
        if not row.gaps:
            continue
        first = next((s for s in vector.images if s.name == row.name), None)
        where = first.origin if first is not None and first.origin is not None else Origin("vector", path=row.name)
        cells = ", ".join(found.columns[i].label for i in row.gaps)
        problems.append(
            Problem.at(
                where,
                f"gap: no entry of {row.name!r} resolves for {cells} (fleet {fleet})",
                "warning",
            )
        )
    for source, why in never_winning(found, vector):
        where = source.origin or Origin("vector", path=source.name)
        problems.append(
            Problem.at(
                where,
                f"entry of {source.name!r} never wins for {fleet}: {why}",
                "warning",
            )
        )
    problems.sort(key=lambda p: (p.file or "", p.line or 0))
    return problems


@dataclass(frozen=True)
class Change:
    name: str
    old: str | None
    new: str | None

    @property
    def kind(self) -> str:
        if self.old is None:
            return "added"
        if self.new is None:
            return "removed"
        return "changed"


def diff(vector: ImageVector, old: Column, new: Column) -> list[Change]:
    """Names whose resolved reference differs between two cells, in vector order (gaps count as absent)."""
    out: list[Change] = []
    old_options, new_options = old.options(), new.options()
    for name in vector.names():
        before, after = find(vector, name, old_options).image, find(vector, name, new_options).image
        a = before.reference if before else None
        b = after.reference if after else None
        if a != b:
            out.append(Change(name, a, b))
    return out
