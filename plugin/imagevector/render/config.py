"""The render configuration: an `ImageVectorRenderer` (or a plain ConfigMap) functionConfig.

The same document serves `--config FILE`, the KRM functionConfig and the legacy kustomize plugin.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping

from ..confine import OutsideRoot, confine
from ..errors import UserError
from ..fields import FieldSpec, default_specs, parse_path
from ..inputs import TextSource, read_data, read_source
from ..mirror import MirrorRule, parse_rules
from ..model import Problem, shorten
from ..pyyaml import yaml
from ..records import dataclass, field, replace
from ..scan import Limits
from ..settings import Settings, layer, parse_version_field, resolve_settings, split_rules, with_env
from ..version import unmet_minimum
from .types import ComponentTarget, RenderContext, WireOptions, WireTarget

API_GROUP = "imagevector.dev"
API_VERSION = f"{API_GROUP}/v1alpha1"
KIND = "ImageVectorRenderer"

_SPEC_FIELDS = {
    "vector", "vectors", "overwrite", "overwrites", "componentsOverwrite", "targetVersion", "runtimeVersion",
    "architecture", "versionField", "fieldSpecs", "wire", "components", "injectComponents",
    "hashedConfigMapNames", "replaceEnv", "templates", "allowPathsOutside", "mirrors", "strict",
    "minimumVersion",
}
_CONFIGMAP_KEYS = {
    "vector", "overwrite", "componentsOverwrite", "targetVersion", "runtimeVersion", "architecture", "mirrors",
    "strict", "minimumVersion",
}
_NO_WIDENING = (
    "a file cannot widen its own confinement; the operator allows paths outside the repository with "
    "--allow-paths-outside or IMAGEVECTOR_ALLOW_PATHS_OUTSIDE=1 (see docs/security.md)"
)

TYPE_CHECKING = False  # not typing's: importing typing costs ~3 ms at start (mypy knows the name)
if TYPE_CHECKING:
    from typing import Any


_CONCAT = {"concat": True}


@dataclass
class RenderConfig:
    """Every setting of a render, from one source (flags, a config file, an inline render-check entry) or
    several merged by `settings.layer` (None = unset; lists of field specs and targets add up)."""

    settings: Settings = field(default_factory=Settings, metadata={"nested": True})
    field_specs: list[FieldSpec] = field(default_factory=list, metadata=_CONCAT)
    wire: list[WireTarget] = field(default_factory=list, metadata=_CONCAT)
    components: list[ComponentTarget] = field(default_factory=list, metadata=_CONCAT)
    inject_components: bool | None = None
    hashed_names: bool | None = None
    replace_env: bool | None = None
    templates: str | None = None
    # the root that confines the templates folder's files: that of the source that named the folder
    templates_root: str | None = field(default=None, metadata={"follows": "templates"})


def merged(env: Mapping[str, str], *sources: RenderConfig) -> RenderConfig:
    """`sources` in order of precedence (flags, then a config), then the environment under them."""
    config = layer(*sources)
    return replace(config, settings=with_env(env, config.settings))


def build_context(options: RenderConfig, limits: Limits | None = None, trust_input: bool = False) -> RenderContext:
    """Read and merge the files the options name: what the pipeline renders with."""
    resolved = resolve_settings(options.settings)
    wire = WireOptions(
        targets=tuple(options.wire),
        components=tuple(options.components),
        inject_components=options.inject_components is not False,
        hashed_names=bool(options.hashed_names),
        replace_env=bool(options.replace_env),
        templates=options.templates,
        templates_root=options.templates_root,
    )
    specs = default_specs() + tuple(options.field_specs)
    templates = None
    if wire.targets or (wire.inject_components and resolved.components):  # this render wires: read them now
        from .templates import Templates  # jinja2 loads only then (start-up)

        templates = Templates(wire.templates, wire.templates_root).preload()
    return RenderContext(resolved, specs, wire, limits or Limits(), trust_input, templates=templates)


class _Reader:
    """Reads values of one config document, naming the file and field of every problem.

    Relative paths are relative to `base_dir`; every path must lie inside `root` (None: the operator
    allowed every path).
    """

    def __init__(self, name: str, base_dir: str, root: str | None, spec: str = "spec.", sep: str = ": ",
                 file: str | None = None, at: str = "") -> None:
        self.name, self.base_dir, self.root = name, base_dir, root
        self.spec = spec  # how the settings' mapping is named in field paths ("" for a render-check entry)
        self.sep = sep  # between the name and a field path
        self.file, self.at = file, at  # the file problems are in (and their fields' prefix), if a file
        self.problems: list[Problem] = []

    def fail(self, path: str, message: str) -> None:
        label = f"{self.name}{self.sep}{path}" if path else self.name  # no file (a functionConfig): say which
        self.problems.append(Problem(message, file=self.file, field=self.at + path) if self.file is not None
                             else Problem(f"{label}: {message}"))

    def string(self, value: Any, path: str) -> str | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.fail(path, f"must be a string, not {type(value).__name__}")
            return None
        return str(value)

    def version(self, value: Any, path: str) -> str | None:
        """A version must be written as a string: YAML reads `1.30` as the number 1.3."""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            self.fail(path, f'write the version as a string in quotes, e.g. "{value}" (YAML reads it as a number)')
            return None
        return self.string(value, path)

    def boolean(self, value: Any, path: str) -> bool | None:
        if value is None:
            return None
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        self.fail(path, "must be true or false")
        return None

    def resolve_path(self, value: str, path: str) -> str | None:
        try:
            return confine(value, self.base_dir, self.root)
        except OutsideRoot as exc:
            self.fail(path, str(exc))
            return None

    def source(self, value: Any, path: str, what: str) -> TextSource | None:
        """A file path, or inline YAML (a mapping, or a string of several lines)."""
        if value is None:
            return None
        if isinstance(value, dict):
            return TextSource(f"{self.name} ({path})", yaml.safe_dump(value, sort_keys=False))
        text = self.string(value, path)
        if text is None:
            return None
        if "\n" in text.strip() or text.lstrip().startswith(("images:", "components:", "{")):
            return TextSource(f"{self.name} ({path})", text)
        full = self.resolve_path(text, path)
        if full is None:
            return None
        try:
            return read_source(full, f"{what} ({self.name}{self.sep}{path})")
        except UserError as exc:
            self.problems.extend(exc.problems)
            return None

    def sources(self, one: Any, many: Any, path: str, what: str) -> list[TextSource]:
        out: list[TextSource] = []
        if one is not None:
            single = self.source(one, path, what)
            if single is not None:
                out.append(single)
        if many is not None:
            if not isinstance(many, list):
                self.fail(f"{path}s", "must be a list")
                return out
            for i, item in enumerate(many):
                src = self.source(item, f"{path}s[{i}]", what)
                if src is not None:
                    out.append(src)
        return out


def parse_config(data: Any, name: str, base_dir: str, root: str | None, file: str | None = None) -> RenderConfig:
    """A RenderConfig from a functionConfig document (read from `file`, if from a file); every problem is reported
    at once. Paths are relative to `base_dir` and must stay inside `root` (None: not confined, the operator's
    choice)."""
    reader = _Reader(name, base_dir, root, file=file)
    config = RenderConfig()
    if data is None:
        return config
    if not isinstance(data, dict):
        reader.fail("", f"the config must be a mapping (an {KIND} or a ConfigMap)")
        raise UserError(reader.problems)
    kind = data.get("kind")
    if kind in ("ConfigMap", KIND):
        _minimum_version(data.get("data" if kind == "ConfigMap" else "spec"), "data." if kind == "ConfigMap"
                         else "spec.", reader)
    if kind == "ConfigMap":
        _configmap(data, reader, config)
    elif kind == KIND:
        api_version = data.get("apiVersion")
        if api_version != API_VERSION:
            reader.fail("apiVersion", f"{shorten(str(api_version))!r} is not supported; use {API_VERSION}")
        spec = data.get("spec") or {}
        if not isinstance(spec, dict):
            reader.fail("spec", "must be a mapping")
        else:
            _spec(spec, reader, config)
        for key in data:
            if key not in ("apiVersion", "kind", "metadata", "spec"):
                reader.fail(key, f"unknown field {shorten(str(key))!r}; settings go under 'spec'")
    else:
        reader.fail("", f"functionConfig kind {shorten(str(kind))!r} is not supported; use {API_VERSION} {KIND} or a "
                    "ConfigMap")
    if reader.problems:
        raise UserError(reader.problems)
    return config


def parse_spec(spec: Any, file: str, at: str, base_dir: str, root: str | None) -> RenderConfig:
    """The settings of an {KIND} spec written inline in `file` at field `at` (a render-check entry): field
    paths are `AT.FIELD`."""
    reader = _Reader(f"{file}: {at}", base_dir, root, spec="", sep=".", file=file, at=f"{at}.")
    config = RenderConfig()
    _minimum_version(spec, "", reader)
    _spec(spec, reader, config)
    if reader.problems:
        raise UserError(reader.problems)
    return config


def _configmap(data: dict[str, Any], reader: _Reader, config: RenderConfig) -> None:
    values = data.get("data") or {}
    if not isinstance(values, dict):
        reader.fail("data", "must be a mapping")
        return
    for key in values:
        if key not in _CONFIGMAP_KEYS:
            reader.fail(f"data.{key}", f"unknown key; expected one of {', '.join(sorted(_CONFIGMAP_KEYS))}")
    _common(values, "data.", reader, config)


def _minimum_version(values: Any, prefix: str, reader: _Reader) -> None:
    """`minimumVersion: "0.2"`: checked before anything else, so that an older imagevector says "upgrade"
    rather than "unknown field" about what a newer one understands."""
    if not isinstance(values, dict) or values.get("minimumVersion") is None:
        return
    where = f"{prefix}minimumVersion"
    required = reader.version(values["minimumVersion"], where)
    unmet = unmet_minimum(required) if required is not None else None
    if unmet is not None:
        reader.fail(where, unmet)
    if reader.problems:
        raise UserError(reader.problems)


def _common(values: dict[str, Any], prefix: str, reader: _Reader, config: RenderConfig) -> None:
    s = config.settings
    s.vectors = reader.sources(values.get("vector"), values.get("vectors"), f"{prefix}vector", "image vector")
    s.overwrites = reader.sources(values.get("overwrite"), values.get("overwrites"), f"{prefix}overwrite", "overwrite")
    s.components = reader.source(values.get("componentsOverwrite"), f"{prefix}componentsOverwrite",
                                 "component overwrite")
    s.target_version = reader.version(values.get("targetVersion"), f"{prefix}targetVersion")
    s.runtime_version = reader.version(values.get("runtimeVersion"), f"{prefix}runtimeVersion")
    s.architecture = reader.string(values.get("architecture"), f"{prefix}architecture")
    s.strict = reader.boolean(values.get("strict"), f"{prefix}strict")
    if values.get("mirrors") is not None:
        s.mirrors = _mirrors(values["mirrors"], f"{prefix}mirrors", reader)


def _mirrors(value: Any, path: str, reader: _Reader) -> tuple[MirrorRule, ...] | None:
    """`mirrors: [{source: …, target: …}]`, a list of `SOURCE=TARGET` strings, or one string of them."""
    texts: list[str] = []
    if isinstance(value, str):
        texts = split_rules(value)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            where = f"{path}[{i}]"
            if isinstance(item, str):
                texts.append(item)
            elif isinstance(item, dict):
                unknown = set(item) - {"source", "target"}
                if unknown:
                    reader.fail(where, f"unknown field(s) {', '.join(sorted(unknown))}; expected source, target")
                source, target = reader.string(item.get("source"), f"{where}.source"), reader.string(
                    item.get("target"), f"{where}.target")
                if not source or not target:
                    reader.fail(where, "needs 'source' (a registry or repository prefix) and 'target'")
                    continue
                texts.append(f"{source}={target}")
            else:
                reader.fail(where, "must be a mapping with 'source' and 'target'")
    else:
        reader.fail(path, "must be a list of {source, target}")
        return None
    try:
        return parse_rules(texts)
    except ValueError as exc:
        reader.fail(path, str(exc))
        return None


def _spec(spec: dict[str, Any], reader: _Reader, config: RenderConfig) -> None:
    for key in spec:
        if key not in _SPEC_FIELDS:
            reader.fail(f"{reader.spec}{key}", f"unknown field; expected one of {', '.join(sorted(_SPEC_FIELDS))}")
    if reader.boolean(spec.get("allowPathsOutside"), f"{reader.spec}allowPathsOutside"):
        reader.fail(f"{reader.spec}allowPathsOutside", f"is no longer supported: {_NO_WIDENING}")
    _common(spec, reader.spec, reader, config)
    version_field = reader.string(spec.get("versionField"), f"{reader.spec}versionField")
    if version_field is not None:
        try:
            config.settings.version_field = parse_version_field(version_field, f"{reader.spec}versionField")
        except UserError:
            reader.fail(f"{reader.spec}versionField", "must be constraint or label")
    for where, get, item in _entries(spec, "fieldSpecs", ("kind", "group", "path", "podSpecPath"), reader):
        kind = get("kind")
        path, pod_path = item.get("path"), item.get("podSpecPath")
        if not kind or (path is None) == (pod_path is None):
            reader.fail(where, "needs 'kind' and exactly one of 'path' (an image string) or 'podSpecPath'")
            continue
        try:
            parsed = parse_path(str(path if path is not None else pod_path))
        except ValueError as exc:
            reader.fail(where, str(exc))
            continue
        config.field_specs.append(FieldSpec(kind, parsed, pod_spec=pod_path is not None, group=get("group")))
    wire_fields = ("kind", "namespace", "name", "container", "configMapName", "mountPath")
    for where, get, _ in _entries(spec, "wire", wire_fields, reader):
        name = get("name")
        if not name:
            reader.fail(where, "needs 'name' (and usually 'kind' and 'namespace')")
            continue
        config.wire.append(
            WireTarget(
                get("kind") or "Deployment", get("namespace"), name, get("container"), get("configMapName"),
                get("mountPath") or "/charts-overwrite",
            )
        )
    component_fields = ("name", "kind", "namespace", "workload", "container")
    for where, get, _ in _entries(spec, "components", component_fields, reader):
        name = get("name")
        if not name:
            reader.fail(where, "needs 'name': the component's name in the component overwrite file")
            continue
        config.components.append(
            ComponentTarget(name, get("kind") or "Deployment", get("namespace"), get("workload"), get("container"))
        )
    config.inject_components = reader.boolean(spec.get("injectComponents"), f"{reader.spec}injectComponents")
    config.hashed_names = reader.boolean(spec.get("hashedConfigMapNames"), f"{reader.spec}hashedConfigMapNames")
    config.replace_env = reader.boolean(spec.get("replaceEnv"), f"{reader.spec}replaceEnv")
    templates = reader.string(spec.get("templates"), f"{reader.spec}templates")
    if templates is not None:
        config.templates = reader.resolve_path(templates, f"{reader.spec}templates")
        config.templates_root = reader.root


def _entries(
    spec: dict[str, Any], key: str, allowed: tuple[str, ...], reader: _Reader
) -> Iterator[tuple[str, Callable[[str], str | None], dict[str, Any]]]:
    """(path, string getter, mapping) of each item of the list spec.KEY; unknown fields are reported."""
    for i, item in enumerate(_list(spec.get(key), f"{reader.spec}{key}", reader)):
        where = f"{reader.spec}{key}[{i}]"
        unknown = set(item) - set(allowed)
        if unknown:
            reader.fail(where, f"unknown field(s) {', '.join(sorted(unknown))}; expected {', '.join(allowed)}")

        def get(field: str, item: dict[str, Any] = item, where: str = where) -> str | None:
            return reader.string(item.get(field), f"{where}.{field}")

        yield where, get, item


def _list(value: Any, path: str, reader: _Reader) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        reader.fail(path, "must be a list")
        return []
    out = []
    for i, item in enumerate(value):
        if isinstance(item, dict):
            out.append(item)
        else:
            reader.fail(f"{path}[{i}]", "must be a mapping")
    return out


def load_config_file(path: str, root: str | None, what: str = "config (--config)") -> RenderConfig:
    """`--config FILE`: relative paths are relative to the file's folder and confined to `root`."""
    data = read_data(path, what)
    return parse_config(data, path, os.path.dirname(os.path.abspath(path)), root, file=path)
