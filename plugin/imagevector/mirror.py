"""Mirror rules (`SOURCE=TARGET`) and the overwrite that re-points a vector to a mirror. Pure functions.

SOURCE is a registry host (`registry.k8s.io`) or a repository prefix (`europe-docker.pkg.dev/gardener-
project/releases`); it matches a reference's fully qualified repository on path-segment boundaries only,
Docker Hub short forms included (`docker.io` matches `nginx`). The longest matching SOURCE wins. The
matched prefix is replaced by TARGET; the rest of the path, the tag and the digest are kept as written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .model import Component, ImageSource, ImageVector, Origin, Problem
from .pyyaml import yaml
from .records import dataclass, replace
from .reference import DOCKER_HUB, InvalidReference, Reference, is_host, normalize_name, parse, split_host

TYPE_CHECKING = False  # not typing's: importing typing costs ~3 ms at start (mypy knows the name)
if TYPE_CHECKING:
    from typing import Any

RULE_EXAMPLE = "registry.k8s.io=mirror.example/k8s"


@dataclass(frozen=True)
class MirrorRule:
    source: str  # as written
    target: str  # as written, without a trailing '/'
    source_name: str  # normalised: `registry` or `registry/path`
    target_name: str  # normalised the same way

    def __str__(self) -> str:
        return f"{self.source}={self.target}"


def _prefix(text: str, what: str) -> str:
    """The normalised registry or repository prefix of a rule's side."""
    text = text.strip().rstrip("/")
    if not text:
        raise InvalidReference(f"the {what} is empty")
    if "@" in text or ":" in text.rpartition("/")[2] and not is_host(text):
        raise InvalidReference(f"the {what} {text!r} must be a registry or repository, without tag or digest")
    if is_host(text):
        registry, _ = normalize_name(f"{text}/x")
        return registry
    registry, path = normalize_name(text)
    if what == "target" and registry == DOCKER_HUB and "/" not in split_host(text)[1]:
        path = split_host(text)[1]  # a target `docker.io/myorg` is a namespace, not library/myorg
    return f"{registry}/{path}"


def parse_rule(text: str) -> MirrorRule:
    """`SOURCE=TARGET`; ValueError with a one-line reason."""
    source, sep, target = text.partition("=")
    source, target = source.strip(), target.strip().rstrip("/")
    if not sep or not source or not target:
        raise ValueError(f"{text!r}: expected SOURCE=TARGET, e.g. {RULE_EXAMPLE}")
    try:
        source_name = _prefix(source, "source")
        target_name = _prefix(target, "target")
    except InvalidReference as exc:
        raise ValueError(f"{text!r}: {exc}") from None
    return MirrorRule(source, target, source_name, target_name)


def parse_rules(texts: Iterable[str]) -> tuple[MirrorRule, ...]:
    """Several rules; one SOURCE given two different TARGETs is an error."""
    rules: dict[str, MirrorRule] = {}
    problems: list[str] = []
    for text in texts:
        try:
            rule = parse_rule(text)
        except ValueError as exc:
            problems.append(str(exc))
            continue
        seen = rules.get(rule.source_name)
        if seen is not None and seen.target_name != rule.target_name:
            problems.append(f"{text!r}: {seen.source!r} is already mirrored to {seen.target!r}")
            continue
        rules.setdefault(rule.source_name, rule)
    if problems:
        raise ValueError("; ".join(problems))
    return tuple(rules.values())


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + "/")


def match(rules: Sequence[MirrorRule], ref: Reference) -> MirrorRule | None:
    """The rule with the longest SOURCE that matches `ref` on a segment boundary, if any."""
    best: MirrorRule | None = None
    for rule in rules:
        if _under(ref.name, rule.source_name) and (best is None or len(rule.source_name) > len(best.source_name)):
            best = rule
    return best


def apply(rules: Sequence[MirrorRule], text: str) -> str:
    """The mirrored reference of `text` (unchanged when no rule matches or it already is in the TARGET).
    InvalidReference when `text` is not an image reference."""
    if not rules:
        return text
    ref = parse(text)
    rule = match(rules, ref)
    if rule is None or _under(ref.name, rule.target_name):
        return text
    rest = ref.name[len(rule.source_name) :]
    return rule.target + rest + (f":{ref.tag}" if ref.tag else "") + (f"@{ref.digest}" if ref.digest else "")


# --- the generated overwrite ---------------------------------------------------------------------------

_KEY_FIELDS = (("runtimeVersion", "runtime_version"), ("targetVersion", "target_version"), ("version", "version"))


def mirror_entry(rules: Sequence[MirrorRule], entry: ImageSource) -> ImageSource:
    """The entry with its `ref` or `repository` mirrored (InvalidReference when it is not a reference)."""
    if entry.ref is not None:
        return replace(entry, ref=apply(rules, entry.ref))
    if entry.repository is not None:
        return replace(entry, repository=apply(rules, entry.repository))
    return entry


def entry_dict(entry: ImageSource) -> dict[str, Any]:
    """An entry as it is written in a vector or overwrite file."""
    out: dict[str, Any] = {"name": entry.name}
    for key, value in (
        ("sourceRepository", entry.source_repository),
        ("repository", entry.repository),
        ("tag", entry.tag),
        ("ref", entry.ref),
        ("version", entry.version),
        ("targetVersion", entry.target_version),
        ("runtimeVersion", entry.runtime_version),
        ("architectures", list(entry.architectures) if entry.architectures else None),
    ):
        if value is not None:
            out[key] = value
    for key, value in entry.extra.items():
        out.setdefault(key, value)
    return out


def _key_dict(entry: ImageSource) -> dict[str, Any]:
    """The fields an overwrite entry copies so that it merges into `entry` (merge key: docs/semantics.md)."""
    out: dict[str, Any] = {"name": entry.name}
    for key, attr in _KEY_FIELDS:
        value = getattr(entry, attr)
        if value is not None:
            out[key] = value
    if entry.architectures:
        out["architectures"] = list(entry.architectures)
    return out


@dataclass(frozen=True)
class Generated:
    entries: tuple[dict[str, Any], ...]
    warnings: tuple[Problem, ...] = ()


def generate(rules: Sequence[MirrorRule], base: ImageVector, merged: ImageVector) -> Generated:
    """The overwrite that turns `base` into `merged` (base + overwrites, see vector.merge_all) with every
    reference mirrored: one entry per base entry that changes, carrying the base entry's key fields so that it
    merges (never appended), then every entry the overwrites appended, in full. Relies on merge keeping the
    base entries in place and appending new ones after them."""
    entries: list[dict[str, Any]] = []
    warnings: list[Problem] = []
    count = len(base.images)
    last = {image.key(): i for i, image in enumerate(base.images)}
    for i, current in enumerate(merged.images):
        try:
            mirrored = mirror_entry(rules, current)
        except InvalidReference as exc:
            warnings.append(_at(current, f"{current.ref or current.repository!r} is not mirrored: {exc}"))
            mirrored = current
        if i >= count:
            entries.append(entry_dict(mirrored))
            continue
        original = base.images[i]
        changes = _changes(original, mirrored)
        if not changes:
            continue
        if last[original.key()] != i:
            warnings.append(_at(
                original,
                f"cannot be re-pointed by an overwrite: a later entry of {original.name!r} has "
                "the same runtimeVersion, targetVersion and architectures and takes every overwrite; remove the "
                "duplicate from the vector",
            ))
            continue
        if mirrored.ref is None and mirrored.tag is None and original.tag is not None and original.ref is None:
            # the overwrites left it without a tag (a `ref`, then a `repository`): no overwrite can remove one
            warnings.append(_at(
                current,
                f"the overwrites leave {original.name!r} without a tag (taken from the target version), which an "
                f"overwrite cannot express: the mirrored overwrite keeps tag {original.tag!r}; give a 'tag' in "
                "the overwrite",
            ))
        entries.append({**_key_dict(original), **changes})
    return Generated(tuple(entries), tuple(warnings))


def _at(entry: ImageSource, message: str) -> Problem:
    """A warning about an entry, where it was written."""
    return Problem.at(entry.origin or Origin("vector", path=entry.name), message, "warning")


def _changes(original: ImageSource, current: ImageSource) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if current.ref is not None:
        if current.ref != original.ref:
            out["ref"] = current.ref
    else:
        if current.repository != original.repository or original.ref is not None:
            out["repository"] = current.repository
        if current.tag is not None and (current.tag != original.tag or original.ref is not None):
            out["tag"] = current.tag
    if current.source_repository != original.source_repository and current.source_repository is not None:
        out["sourceRepository"] = current.source_repository
    for key, value in current.extra.items():
        if original.extra.get(key) != value and key not in out:
            out[key] = value
    return out


def mirror_overwrite(rules: Sequence[MirrorRule], overwrite: ImageVector) -> Generated:
    """An overwrite (e.g. a component's) with each entry's reference mirrored in place, keys kept."""
    entries: list[dict[str, Any]] = []
    warnings: list[Problem] = []
    for entry in overwrite.images:
        try:
            entries.append(entry_dict(mirror_entry(rules, entry)))
        except InvalidReference as exc:
            warnings.append(_at(entry, f"{entry.ref or entry.repository!r} is not mirrored: {exc}"))
            entries.append(entry_dict(entry))
    return Generated(tuple(entries), tuple(warnings))


# --- as files --------------------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _str)


def dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=1 << 16,
                     allow_unicode=True)


def overwrite_text(rules: Sequence[MirrorRule], generated: Generated, ca_bundle: str | None = None) -> str:
    """An overwrite file of the generated entries, with a comment naming the rules."""
    head = "# Generated by imagevector from the mirror rules " + ", ".join(str(r) for r in rules) + "\n"
    data: dict[str, Any] = {"images": list(generated.entries)}
    if ca_bundle is not None:
        data["caBundle"] = {"inline": ca_bundle}
    return head + dump(data)


def components_text(components: Sequence[Component], texts: Sequence[str]) -> str:
    """A component overwrite file with each component's `imageVectorOverwrite` replaced by `texts`."""
    pairs = zip(components, texts, strict=True)
    return dump({"components": [{"name": c.name, "imageVectorOverwrite": t} for c, t in pairs]})


def mirrored_components(
    rules: Sequence[MirrorRule], components: Sequence[Component]
) -> tuple[list[str], list[Problem]]:
    """(each component's mirrored overwrite text, warnings)."""
    texts: list[str] = []
    warnings: list[Problem] = []
    for component in components:
        generated = mirror_overwrite(rules, component.overwrite)
        warnings.extend(generated.warnings)
        texts.append(overwrite_text(rules, generated, component.overwrite.ca_bundle))
    return texts, warnings
