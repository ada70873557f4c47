"""Settings shared by every face: flags, environment variables and a config file, resolved to one value."""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping

from . import records, semver, vectorcache
from .errors import UserError
from .inputs import TextSource, load_components, load_vector, read_source
from .mirror import MirrorRule, parse_rules
from .model import (
    ARCHITECTURES,
    DEFAULT_ARCHITECTURE,
    Component,
    FindOptions,
    ImageVector,
    Origin,
    Problem,
    VersionField,
)
from .records import dataclass, field
from .vector import merge, merge_all, unchecked_constraints

TYPE_CHECKING = False  # not typing's: importing typing costs ~3 ms at start (mypy knows the name)
if TYPE_CHECKING:
    from typing import Any, TypeVar

ENV_VECTOR = "IMAGEVECTOR"
ENV_OVERWRITE = "IMAGEVECTOR_OVERWRITE"
ENV_COMPONENTS = "IMAGEVECTOR_OVERWRITE_COMPONENTS"
ENV_TARGET_VERSION = "IMAGEVECTOR_TARGET_VERSION"
ENV_RUNTIME_VERSION = "IMAGEVECTOR_RUNTIME_VERSION"
ENV_ARCHITECTURE = "IMAGEVECTOR_ARCHITECTURE"
ENV_VERSION_FIELD = "IMAGEVECTOR_VERSION_FIELD"
ENV_CONFIG = "IMAGEVECTOR_CONFIG"
ENV_MIRRORS = "IMAGEVECTOR_MIRRORS"
ENV_STRICT = "IMAGEVECTOR_STRICT"
ENV_KUBE_VERSION = "KUBE_VERSION"  # set by Argo CD for config management plugins


@dataclass
class Settings:
    """What the user asked for about the vector: one layer (flags, a config, the environment) or all of them
    merged by `layer` (None, "" and [] are unset)."""

    vectors: list[TextSource] = field(default_factory=list)  # later files merge over earlier ones
    overwrites: list[TextSource] = field(default_factory=list)
    components: TextSource | None = None
    target_version: str | None = None
    runtime_version: str | None = None
    architecture: str | None = None
    version_field: VersionField | None = None
    mirrors: tuple[MirrorRule, ...] | None = None
    strict: bool | None = None

    def options(self) -> FindOptions:
        """`architecture` may list the cluster's architectures (`amd64,arm64`): the first is the primary one,
        and an image must then serve all of them (unless a workload's node selector narrows it)."""
        archs = cluster_architectures(self.architecture)
        return FindOptions(
            target_version=self.target_version,
            runtime_version=self.runtime_version,
            architecture=archs[0],
            architectures=archs if len(archs) > 1 else (),
        )


def cluster_architectures(text: str | None) -> tuple[str, ...]:
    """`amd64` or `amd64,arm64` (each once, in order); unknown names are left for check_options."""
    out: list[str] = []
    for item in (text or DEFAULT_ARCHITECTURE).split(","):
        item = item.strip()
        if item and item not in out:
            out.append(item)
    return tuple(out) or (DEFAULT_ARCHITECTURE,)


def check_options(options: FindOptions) -> None:
    problems: list[str] = []
    for flag, value in (
        ("--target-version", options.target_version),
        ("--runtime-version", options.runtime_version),
    ):
        if value is None:
            continue
        try:
            semver.parse_version(semver.normalize_cluster_version(value))
        except ValueError:
            problems.append(f"{flag}: {value!r} is not a Kubernetes version; use e.g. 1.32 or v1.32.4")
    for arch in options.wanted_architectures:
        if arch not in ARCHITECTURES:
            problems.append(f"--architecture: {arch!r} is unknown; use {' or '.join(ARCHITECTURES)} "
                            f"(or both: {','.join(ARCHITECTURES)})")
    if problems:
        raise UserError(problems)


def parse_version_field(value: str, where: str) -> VersionField:
    """`constraint` or `label`, from any source; anything else is refused the same way everywhere."""
    if value == "constraint":
        return "constraint"
    if value == "label":
        return "label"
    raise UserError(f"{where}: {value!r} is unknown; use constraint or label")


def is_unset(value: object) -> bool:
    """None, "" and [] are unset (a later source may fill them); (), False and 0 are values."""
    return value is None or value == "" or (isinstance(value, list) and not value)


if TYPE_CHECKING:
    T = TypeVar("T")


def layer(*sources: T) -> T:
    """The one precedence merge: `sources` in order of precedence (flags, config, environment; an inline
    render-check entry, its config file). A field takes the first set value; fields marked `concat` add up in
    that order; a field marked `nested` (a dataclass) is layered field by field; a field marked `follows=NAME`
    comes from the source that gave NAME (e.g. the folder that confines a templates folder)."""
    first = sources[0]
    assert records.is_dataclass(first) and not isinstance(first, type)
    values: dict[str, Any] = {}
    chosen: dict[str, Any] = {}
    for spec in records.fields(first):
        if not spec.init:
            continue
        items = [getattr(source, spec.name) for source in sources]
        if spec.metadata.get("concat"):
            values[spec.name] = [item for value in items for item in value]
        elif spec.metadata.get("nested"):
            values[spec.name] = layer(*items)
        elif "follows" in spec.metadata:
            continue
        else:
            source = next((s for s, v in zip(sources, items, strict=True) if not is_unset(v)), sources[-1])
            chosen[spec.name] = source
            values[spec.name] = getattr(source, spec.name)
    for spec in records.fields(first):
        if "follows" in spec.metadata:
            values[spec.name] = getattr(chosen[spec.metadata["follows"]], spec.name)
    return type(first)(**values)


def from_env(
    env: Mapping[str, str], given: Settings | None = None, read_files: bool = True, only: Collection[str] = ()
) -> Settings:
    """The environment's layer (the original honours the first three variables). A file is read only with
    `read_files`, for a setting that `given` (the flags and config merged) leaves unset; `only`: these fields."""
    given = given or Settings()

    def wanted(name: str, file: bool = False) -> bool:
        if only and name not in only:
            return False
        return not file or (read_files and is_unset(getattr(given, name)))

    out = Settings()
    if wanted("vectors", True) and env.get(ENV_VECTOR):
        out.vectors = [read_source(env[ENV_VECTOR], f"image vector (${ENV_VECTOR})")]
    if wanted("overwrites", True) and env.get(ENV_OVERWRITE):
        out.overwrites = [read_source(env[ENV_OVERWRITE], f"overwrite (${ENV_OVERWRITE})")]
    if wanted("components", True) and env.get(ENV_COMPONENTS):
        out.components = read_source(env[ENV_COMPONENTS], f"component overwrite (${ENV_COMPONENTS})")
    if wanted("target_version"):
        out.target_version = env.get(ENV_TARGET_VERSION) or env.get(ENV_KUBE_VERSION) or None
    if wanted("runtime_version"):
        out.runtime_version = env.get(ENV_RUNTIME_VERSION) or None
    if wanted("architecture"):
        out.architecture = env.get(ENV_ARCHITECTURE) or None
    if wanted("version_field") and env.get(ENV_VERSION_FIELD):
        out.version_field = parse_version_field(env[ENV_VERSION_FIELD], f"${ENV_VERSION_FIELD}")
    if wanted("strict") and env.get(ENV_STRICT):
        out.strict = parse_bool(env[ENV_STRICT], f"${ENV_STRICT}")
    if wanted("mirrors") and given.mirrors is None and env.get(ENV_MIRRORS):
        out.mirrors = mirror_rules(split_rules(env[ENV_MIRRORS]), f"${ENV_MIRRORS}")
    return out


def with_env(
    env: Mapping[str, str], *sources: Settings, read_files: bool = True, only: Collection[str] = ()
) -> Settings:
    """`sources` (flags, config) layered, then the environment under them (`read_files=False`: only the
    settings that are not files; `only`: these fields)."""
    given = layer(*sources) if sources else Settings()
    return layer(given, from_env(env, given, read_files, only))



def split_rules(text: str) -> list[str]:
    """`SOURCE=TARGET,SOURCE=TARGET` (commas, spaces or new lines between rules)."""
    return text.replace(",", " ").split()


def mirror_rules(texts: list[str], where: str) -> tuple[MirrorRule, ...]:
    """Parsed mirror rules; a UserError naming `where` (a flag, a config field, a variable) if one is wrong."""
    try:
        return parse_rules(texts)
    except ValueError as exc:
        raise UserError(f"{where}: {exc}") from None


def parse_bool(value: str, what: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise UserError(f"{what}: {value!r} is not a boolean; use 1 or 0 (true or false)")


def strict_error(problem: Problem) -> Problem:
    """A warning turned into an error by --strict (strict: true, IMAGEVECTOR_STRICT=1)."""
    return records.replace(problem, message=f"{problem.message} [a warning; an error with --strict]", severity="error")


@dataclass(frozen=True)
class Resolved:
    """Everything read and merged: the vector to resolve from, the options, the components."""

    base: ImageVector
    vector: ImageVector
    options: FindOptions
    components: tuple[Component, ...] = ()
    warnings: tuple[Problem, ...] = ()
    strict: bool = False
    overwrite_texts: tuple[TextSource, ...] = ()
    overwrites: tuple[ImageVector, ...] = ()  # the overwrite files as read (wiring hands them on)
    components_text: TextSource | None = None
    mirrors: tuple[MirrorRule, ...] = ()

    def component_vector(self, component: Component) -> ImageVector:
        return merge(self.vector, component.overwrite, warn_shadowed=False).vector


def resolve_settings(settings: Settings, check_versions: bool = True) -> Resolved:
    """Read, validate and merge every file; all problems of all files are reported together. With `strict`,
    warnings are errors. `check_versions`: warn when constraints meet no target or runtime version."""
    options = settings.options()
    check_options(options)
    version_field: VersionField = settings.version_field or "constraint"  # read by the loaders only
    if not settings.vectors:
        raise UserError(f"no image vector given; pass --vector FILE or set ${ENV_VECTOR}")
    problems: list[Problem] = []
    warnings: list[Problem] = []
    cache = vectorcache.folder(os.environ)  # parsed vector files, by content (start-up; docs/performance.md)
    vectors: list[ImageVector] = []
    overwrites: list[ImageVector] = []
    components: list[Component] = []
    for i, source in enumerate(settings.vectors):
        # a later vector merges over the earlier ones: its entries may be partial, as an overwrite's
        try:
            vectors.append(load_vector(source, "overwrite" if i else "vector", version_field, warnings, cache))
        except UserError as exc:
            problems.extend(exc.problems)
    for source in settings.overwrites:
        try:
            overwrites.append(load_vector(source, "overwrite", version_field, warnings, cache))
        except UserError as exc:
            problems.extend(exc.problems)
    if settings.components is not None:
        try:
            components = load_components(settings.components, version_field, warnings)
        except UserError as exc:
            problems.extend(exc.problems)
    if problems:
        raise UserError(problems)
    base = merge_all(vectors, [])
    result = merge_all(vectors, overwrites)
    if result.errors:
        raise UserError(result.errors)
    warnings.extend(result.warnings)
    for component in components:
        merged = merge(result.vector, component.overwrite)
        where = f"component {component.name!r}: "
        for problem in [*merged.warnings, *merged.errors]:
            warnings.append(records.replace(problem, message=where + problem.message, severity="warning"))
    if check_versions:
        warnings.extend(version_warnings(result.vector, options, settings.vectors[0].name))
    if settings.strict and warnings:
        raise UserError([strict_error(w) for w in warnings])
    return Resolved(
        base=base.vector,
        vector=result.vector,
        options=options,
        components=tuple(components),
        warnings=tuple(warnings),
        strict=bool(settings.strict),
        overwrite_texts=tuple(settings.overwrites),
        overwrites=tuple(overwrites),
        components_text=settings.components,
        mirrors=settings.mirrors or (),
    )


def version_warnings(vector: ImageVector, options: FindOptions, file: str) -> list[Problem]:
    """One warning per version the vector's constraints need but nobody gave (the common Helm case)."""
    how = {
        "target": f"--target-version (Helm: --post-renderer-args --target-version=1.32), ${ENV_TARGET_VERSION} "
        f"or ${ENV_KUBE_VERSION}; helm's --kube-version does not reach a post-renderer",
        "runtime": f"--runtime-version or ${ENV_RUNTIME_VERSION}",
    }
    return [
        Problem.at(
            Origin(file),
            f"entries have {what}Version constraints but no {what} version was given, so the constraints are not "
            f"checked and the earliest entry of each image wins; pass {how[what]}",
            "warning",
        )
        for what in unchecked_constraints(vector, options)
    ]
