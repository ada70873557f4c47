"""The resolution core: find an image for options, merge vectors and overwrites. Pure functions only."""

from __future__ import annotations

from collections.abc import Iterable

from . import semver
from .model import FindOptions, Image, ImageSource, ImageVector, Origin, Problem, split_reference
from .records import dataclass, replace


@dataclass(frozen=True)
class Candidate:
    """An entry of the wanted name, with its score or the reason it was disqualified."""

    source: ImageSource
    score: int
    disqualified: str = ""
    reasons: tuple[str, ...] = ()

    @property
    def qualified(self) -> bool:
        return not self.disqualified


@dataclass(frozen=True)
class FindResult:
    name: str
    options: FindOptions
    candidates: tuple[Candidate, ...]
    winner: Candidate | None

    @property
    def image(self) -> Image | None:
        if self.winner is None:
            return None
        return to_image(self.winner.source, self.options.target_version)

    def error(self) -> str:
        """Why nothing was found, for people."""
        opts = self.options.describe()
        if not self.candidates:
            return f"image {self.name!r} is not in the image vector ({opts})"
        why = "; ".join(f"{_label(c.source)}: {c.disqualified}" for c in self.candidates)
        return f"no entry of image {self.name!r} matches {opts} ({why})"

    def explain(self) -> list[str]:
        lines = [f"{self.name} ({self.options.describe()}):"]
        if not self.candidates:
            lines.append("  no entry of this name")
        for c in self.candidates:
            if c is self.winner:
                verdict = f"WINS with score {c.score}"
                if any(o.qualified and o.score == c.score and o is not c for o in self.candidates):
                    verdict += " (tie: the earliest entry wins)"
            elif c.qualified:
                assert self.winner is not None
                verdict = (
                    f"loses with score {c.score}"
                    + (" (tie: an earlier entry wins)" if c.score == self.winner.score else "")
                )
            else:
                verdict = f"disqualified: {c.disqualified}"
            detail = f" [{', '.join(c.reasons)}]" if c.reasons else ""
            ref = to_image(c.source, self.options.target_version).reference
            lines.append(f"  {_label(c.source)} {ref}: {verdict}{detail}")
        return lines


def _label(source: ImageSource) -> str:
    if source.origin is not None and source.origin.line:
        return f"{source.origin.path or source.name} ({source.origin.file}:{source.origin.line})"
    return source.origin.path if source.origin and source.origin.path else source.name


def _version_score(
    constraint: str | None, wanted: str | None, what: str
) -> tuple[int, str | None, str]:
    """(score, disqualifying reason or None, note) of one version constraint."""
    if constraint is None:
        return 0, None, f"no {what} constraint"
    if wanted is None:
        return 0, None, f"{what} {constraint!r} not checked (no {what} given)"
    if not semver.parse_constraint(constraint).check_text(semver.normalize_cluster_version(wanted)):
        return 0, f"{what} {wanted} does not satisfy {constraint!r}", ""
    exact = semver.is_exact_constraint(constraint)
    return (2 if exact else 1), None, f"{what} {constraint!r} met (+{2 if exact else 1})"


def score(source: ImageSource, options: FindOptions) -> Candidate:
    """Score one entry against the options (docs/semantics.md: Finding)."""
    total = 0
    reasons: list[str] = []
    checks = (
        (source.target_constraint, options.target_version, "target version"),
        (source.runtime_version, options.runtime_version, "runtime version"),
    )
    for constraint, wanted, what in checks:
        points, disqualified, note = _version_score(constraint, wanted, what)
        if disqualified:
            return Candidate(source, 0, disqualified, tuple(reasons))
        total += points
        reasons.append(note)
    archs = source.architectures
    serve = options.wanted_architectures
    if archs and len(serve) > 1:  # a workload that may run on several architectures: all must be served
        missing = [arch for arch in serve if arch not in archs]
        if missing:
            return Candidate(source, 0, f"serves only {', '.join(archs)}, not {', '.join(missing)}", tuple(reasons))
        points = 2 if set(archs) == set(serve) else 1
        total += points
        reasons.append(f"architectures {', '.join(serve)} in {list(archs)} (+{points})")
    elif archs:
        if options.architecture not in archs:
            return Candidate(
                source, 0, f"architecture {options.architecture} not in {list(archs)}", tuple(reasons)
            )
        points = 2 if set(archs) == {options.architecture} else 1
        total += points
        reasons.append(f"architecture {options.architecture} in {list(archs)} (+{points})")
    else:
        # no architectures means every architecture: it scores as an entry that lists them all (as the original)
        total += 1
        reasons.append("serves every architecture (+1)")
    return Candidate(source, total, "", tuple(reasons))


def find(vector: ImageVector, name: str, options: FindOptions) -> FindResult:
    """Every entry of `name` is a candidate; the highest score wins, the earliest on a tie."""
    candidates = tuple(score(source, options) for source in vector.images if source.name == name)
    winner: Candidate | None = None
    for candidate in candidates:
        if candidate.qualified and (winner is None or candidate.score > winner.score):
            winner = candidate
    return FindResult(name, options, candidates, winner)


def to_image(source: ImageSource, target_version: str | None = None) -> Image:
    """The image an entry stands for; an entry without tag takes `v<target version>`."""
    tag = source.tag
    if tag is None and source.ref is None and target_version:
        tag = "v" + semver.normalize_cluster_version(target_version)
    return Image(source.name, source.repository, tag, source.ref, source)


def _merge_entry(base: ImageSource, over: ImageSource) -> ImageSource:
    repository, tag, ref = base.repository, base.tag, base.ref
    if over.ref is not None:
        ref, repository, tag = over.ref, None, None
    if over.repository is not None:
        repository, ref = over.repository, None
    if over.tag is not None:
        tag = over.tag
    return replace(
        base,
        repository=repository,
        tag=tag,
        ref=ref,
        source_repository=over.source_repository or base.source_repository,
        extra={**base.extra, **over.extra},
        origin=over.origin or base.origin,
    )


@dataclass(frozen=True)
class MergeResult:
    vector: ImageVector
    warnings: tuple[Problem, ...] = ()
    errors: tuple[Problem, ...] = ()


def merge(
    base: ImageVector,
    overwrite: ImageVector,
    warn_shadowed: bool = True,
) -> MergeResult:
    """Merge `overwrite` into `base`: same key merges field by field, a new key is appended (docs/semantics.md)."""
    images = list(base.images)
    index = {image.key(): i for i, image in enumerate(images)}
    warnings: list[Problem] = []
    errors: list[Problem] = []
    for over in overwrite.images:
        key = over.key()
        where = over.origin or Origin("overwrite", path=over.name)
        if key in index:
            current = images[index[key]]
            if current.ref is not None and over.tag is not None and over.repository is None and over.ref is None:
                errors.append(
                    Problem.at(
                        where,
                        f"sets only 'tag' but {_label(current)} uses 'ref'; give 'repository' too, or a 'ref'",
                    )
                )
                continue
            images[index[key]] = _merge_entry(current, over)
            continue
        if not over.complete:
            errors.append(
                Problem.at(
                    where,
                    f"no entry of {over.name!r} in the base vector has the same runtimeVersion, targetVersion and "
                    "architectures, so this entry is appended and needs 'repository' or 'ref'",
                )
            )
            continue
        same_name = [image for image in base.images if image.name == over.name]
        if warn_shadowed and same_name:
            others = ", ".join(_label(image) for image in same_name)
            warnings.append(
                Problem.at(
                    where,
                    f"is appended as a new entry of {over.name!r}, because its runtimeVersion, targetVersion or "
                    f"architectures differ from {others}; it may never win. Copy those fields to overwrite "
                    "the entry instead",
                    "warning",
                )
            )
        index[key] = len(images)
        images.append(over)
    ca_bundle = overwrite.ca_bundle if overwrite.ca_bundle is not None else base.ca_bundle
    return MergeResult(ImageVector(tuple(images), ca_bundle), tuple(warnings), tuple(errors))


def merge_all(
    vectors: list[ImageVector], overwrites: list[ImageVector]
) -> MergeResult:
    """Base vectors merge later over earlier, then every overwrite in order."""
    result = MergeResult(ImageVector())
    warnings: list[Problem] = []
    errors: list[Problem] = []
    for vector in vectors:
        # entries with one key merge into one, in a file and across files, exactly as an overwrite's do
        result = merge(result.vector, vector, warn_shadowed=False)
        errors.extend(result.errors)
    for overwrite in overwrites:
        result = merge(result.vector, overwrite)
        warnings.extend(result.warnings)
        errors.extend(result.errors)
    return MergeResult(result.vector, tuple(warnings), tuple(errors))


def repositories(vector: ImageVector) -> dict[str, str]:
    """Repository → vector name, for matching third-party images by repository (first entry wins)."""
    result: dict[str, str] = {}
    for image in vector.images:
        repository = image.repository
        if repository is None and image.ref is not None:
            repository = split_reference(image.ref)[0]
        if repository:
            result.setdefault(repository, image.name)
    return result


def duplicate_keys(vector: ImageVector) -> list[Problem]:
    """Entries of one file with the key of an earlier entry: they merge into it (a warning for each)."""
    first: dict[tuple[str, str, str, tuple[str, ...]], ImageSource] = {}
    warnings: list[Problem] = []
    for image in vector.images:
        key = image.key()
        earlier = first.setdefault(key, image)
        if earlier is image:
            continue
        where = image.origin or Origin("vector", path=image.name)
        there = f"line {earlier.origin.line}" if earlier.origin and earlier.origin.line else _label(earlier)
        warnings.append(
            Problem.at(
                where,
                f"has the same name, runtimeVersion, targetVersion and architectures as the entry at {there}: "
                "the two are merged into one entry, this one's fields winning (as an overwrite would); "
                "remove one, or tell them apart by their constraints or architectures",
                "warning",
            )
        )
    return warnings


def suggest(word: str, choices: Iterable[str], cutoff: float = 0.75) -> str | None:
    """The choice closest to `word` (a misspelling), or None."""
    lowered = {choice.lower(): choice for choice in choices}
    import difflib  # only for a suggestion (start-up)

    match = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=cutoff)
    return lowered[match[0]] if match else None


def near_miss(value: str, names: Iterable[str]) -> str | None:
    """The vector name a bare image field (no registry, no tag, no digest) almost spells, or None."""
    if not value or "/" in value or ":" in value or "@" in value or len(value) < 4:
        return None
    candidates = [name for name in names if name != value and abs(len(name) - len(value)) <= 2]
    best: str | None = None
    best_distance = 3
    for name in candidates:
        distance = _distance(value.lower(), name.lower(), best_distance)
        if distance < best_distance:
            best, best_distance = name, distance
    limit = 1 if len(value) < 8 else 2
    return best if best is not None and best_distance <= limit else None


def _distance(a: str, b: str, bound: int) -> int:
    """Levenshtein distance of a and b (transpositions count 1), or `bound` once it cannot stay below it."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        if min(current) >= bound:
            return bound
        previous2, previous = previous, current
    return previous[-1]


def unchecked_constraints(vector: ImageVector, options: FindOptions) -> list[str]:
    """The version flags a render needs but was not given: the vector has such constraints (for people)."""
    missing: list[str] = []
    if options.target_version is None and any(image.target_constraint for image in vector.images):
        missing.append("target")
    if options.runtime_version is None and any(image.runtime_version for image in vector.images):
        missing.append("runtime")
    return missing
