"""Overwrite wiring (docs/semantics.md: Rendering): ConfigMap, volume, volumeMount, env, checksum, done structurally.

Only the documents that receive wiring are loaded with ruamel (their comments and key order survive);
generated resources come from the Jinja2 templates, whose every value is emitted quoted.
"""

from __future__ import annotations

import io
import posixpath
import re
from collections.abc import Sequence

from ..fields import WORKLOAD_POD_SPECS
from ..model import Component, Problem
from ..pyyaml import yaml
from ..records import dataclass, field, replace
from .types import (
    PATH_ANNOTATIONS,
    ComponentTarget,
    Document,
    RenderContext,
    WireTarget,
    about,
)

TYPE_CHECKING = False  # not typing's: the KRM face imports this module for PATH_ANNOTATIONS (start-up)
if TYPE_CHECKING:
    from typing import Any

    from .templates import Templates

GENERATED_FOR = "imagevector.dev/overwrite-for"
HELM4_FILENAME = "postrenderer.helm.sh/postrender-filename"
VOLUME = "images-overwrite"
OVERWRITE_KEY = "images_overwrite.yaml"
COMPONENTS_KEY = "components.yaml"
ENV_OVERWRITE = "IMAGEVECTOR_OVERWRITE"
ENV_COMPONENTS = "IMAGEVECTOR_OVERWRITE_COMPONENTS"


@dataclass(frozen=True)
class Plan:
    """What one workload receives."""

    target: WireTarget
    data: dict[str, str]
    env: dict[str, str]
    component: bool = False  # component injection: silently skipped when the workload is not in the stream


def _checksum(data: dict[str, str]) -> str:
    import hashlib
    import json

    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def _overwrite_text(ctx: RenderContext) -> str | None:
    """The overwrite a wired workload gets: one file as written (comments kept), several as one file with all
    their entries in order and the last caBundle (they merge so), from the files as they were read."""
    texts = ctx.resolved.overwrite_texts
    if not texts:
        return None
    if len(texts) == 1:
        return texts[0].text
    from .. import mirror

    overwrites = ctx.resolved.overwrites
    data: dict[str, Any] = {"images": [mirror.entry_dict(entry) for over in overwrites for entry in over.images]}
    ca_bundle = next((over.ca_bundle for over in reversed(overwrites) if over.ca_bundle is not None), None)
    if ca_bundle is not None:
        data["caBundle"] = {"inline": ca_bundle}
    return mirror.dump(data)


@dataclass
class Wiring:
    """What wiring changes, returned for the pipeline to apply (wiring changes nothing it is given): the new
    text of each document it edits, by the document's index ("" drops a superseded ConfigMap), the documents
    it generates, in order, and its problems."""

    texts: dict[int, str] = field(default_factory=dict)
    generated: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def text(self, doc: Document) -> str:
        """The document's text with the edits made so far (a workload may be wired twice)."""
        return self.texts.get(doc.chunk.index, doc.text)


def _mirrored(ctx: RenderContext, out: Wiring) -> tuple[str | None, str | None, list[str]]:
    """Mirror rules: the overwrite re-points every base entry (merged with the user's overwrite), and each
    component's overwrite is mirrored; so the workloads' own run-time resolution uses the mirror too."""
    from .. import mirror

    resolved = ctx.resolved
    rules = resolved.mirrors
    generated = mirror.generate(rules, resolved.base, resolved.vector)
    ca_bundle = resolved.vector.ca_bundle if resolved.vector.ca_bundle != resolved.base.ca_bundle else None
    overwrite = mirror.overwrite_text(rules, generated, ca_bundle) if generated.entries or ca_bundle else None
    texts, warnings = mirror.mirrored_components(rules, resolved.components)
    components = mirror.components_text(resolved.components, texts) if resolved.components_text else None
    out.problems.extend((*generated.warnings, *warnings))
    return overwrite, components, texts


def _lf(text: str) -> str:
    """A file handed to the workload, with LF line breaks: the same YAML (CRLF and CR are line breaks to every
    reader), so that a checkout with CRLF (Windows, core.autocrlf) renders the same ConfigMap and checksum."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def plans(ctx: RenderContext, wiring: Wiring) -> list[Plan]:
    out: list[Plan] = []
    overwrite = _overwrite_text(ctx)
    components = ctx.resolved.components_text.text if ctx.resolved.components_text else None
    component_texts = [c.overwrite_text for c in ctx.resolved.components]
    if ctx.resolved.mirrors:
        overwrite, components, component_texts = _mirrored(ctx, wiring)
    for target in ctx.wire.targets:
        data: dict[str, str] = {}
        env: dict[str, str] = {}
        if overwrite is not None:
            data[OVERWRITE_KEY] = _lf(overwrite)
            env[ENV_OVERWRITE] = posixpath.join(target.mount_path, OVERWRITE_KEY)
        if components is not None:
            data[COMPONENTS_KEY] = _lf(components)
            env[ENV_COMPONENTS] = posixpath.join(target.mount_path, COMPONENTS_KEY)
        if not data:
            wiring.problems.append(
                Problem(
                    f"--wire {target}: there is no overwrite to hand on; give --overwrite or --components-overwrite"
                )
            )
            continue
        out.append(Plan(target, data, env))
    if ctx.wire.inject_components:
        mapping = {c.component: c for c in ctx.wire.components}
        for component, text in zip(ctx.resolved.components, component_texts, strict=True):
            out.append(_component_plan(component, mapping.get(component.name), text))
    return out


def _component_plan(component: Component, target: ComponentTarget | None, text: str) -> Plan:
    if target is None:
        target = ComponentTarget(component.name)
    wire_target = WireTarget(
        target.kind,
        target.namespace,
        target.name or component.name,
        target.container,
        config_map=f"{component.name}-images-overwrite",
    )
    return Plan(
        wire_target,
        {OVERWRITE_KEY: text},
        {ENV_OVERWRITE: posixpath.join(wire_target.mount_path, OVERWRITE_KEY)},
        component=True,
    )


def wiring_hints(ctx: RenderContext) -> tuple[str, ...]:
    """Strings the text of every document wiring reads or changes contains (unless it has an escape): the
    names of its targets and the annotation of generated resources."""
    hints = [target.name for target in ctx.wire.targets]
    if ctx.wire.inject_components:
        hints.extend(c.name for c in ctx.resolved.components)
        hints.extend(t.name or t.component for t in ctx.wire.components)
    if hints:
        hints.append("imagevector.dev/")
    return tuple(hints)


def wire(documents: Sequence[Document], ctx: RenderContext) -> Wiring:
    """Hand the overwrites to the workloads: what changes is returned (see Wiring); the documents are read only.
    The templates come read from the context (build_context loads them with the other files)."""
    templates = ctx.templates
    if templates is None:  # a context made in code
        from .templates import Templates  # jinja2: only for a render that wires (start-up)

        templates = Templates(ctx.wire.templates, ctx.wire.templates_root)
    out = Wiring()
    existing: dict[tuple[str | None, str | None], Document] = {}
    for doc in documents:
        if doc.scan is not None and GENERATED_FOR in doc.scan.annotations and doc.identity \
                and doc.identity.kind == "ConfigMap":
            existing[(doc.identity.namespace, doc.identity.name)] = doc
    for plan in plans(ctx, out):
        matched = [
            doc for doc in documents
            if doc.identity is not None and doc.scan is not None and plan.target.matches(doc.identity)
        ]
        if not matched:
            if not plan.component:
                out.problems.append(
                    Problem(
                        f"--wire {plan.target}: no such workload in the stream; check kind, namespace and name"
                    )
                )
            continue
        for doc in matched:
            _wire_document(doc, plan, ctx, templates, out, existing)
    return out


def _config_map_name(plan: Plan, doc: Document, hashed: bool) -> str:
    base = plan.target.config_map or f"{doc.identity.name if doc.identity else plan.target.name}-images-overwrite"
    return f"{base}-{_checksum(plan.data)[:10]}" if hashed else base


def _wire_document(
    doc: Document,
    plan: Plan,
    ctx: RenderContext,
    templates: Templates,
    out: Wiring,
    existing: dict[tuple[str | None, str | None], Document],
) -> None:
    ident = doc.identity
    assert ident is not None and doc.scan is not None
    pod_path = WORKLOAD_POD_SPECS.get(ident.kind or "")
    where = Problem("", document=doc.chunk.index, resource=about(doc, ident), source=doc.chunk.source)
    if pod_path is None:
        out.problems.append(replace(where, message=f"cannot wire a {ident.kind}: only workloads with a pod "
                                       "template"))
        return
    name = _config_map_name(plan, doc, ctx.wire.hashed_names)
    checksum = _checksum(plan.data)
    # 1. the workload: volume, mount, env, checksum annotation — through ruamel, on this document only
    from .structural import StructuralError, edit_workload

    try:
        out.texts[doc.chunk.index] = edit_workload(
            out.text(doc),
            pod_path,
            container=plan.target.container,
            volume=templates.load("volume.yaml.j2", volume=VOLUME, config_map=name),
            mount=templates.load("volume-mount.yaml.j2", volume=VOLUME, mount_path=plan.target.mount_path),
            env=templates.load("env.yaml.j2", env=plan.env),
            annotations=templates.load("pod-annotations.yaml.j2", checksum=checksum, config_map=name),
            replace_env=ctx.wire.replace_env,
        )
    except StructuralError as exc:
        out.problems.append(replace(where, message=exc.problem.message, field=exc.problem.field))
        return
    # 2. the ConfigMap: replaced in place when the stream already has it, else appended
    annotations: dict[str, str] = {}
    workload_annotations = doc.scan.annotations
    if HELM4_FILENAME in workload_annotations:
        annotations[HELM4_FILENAME] = workload_annotations[HELM4_FILENAME]
    if ctx.wire.annotate_paths:
        directory = ""
        for key in PATH_ANNOTATIONS:
            if key in workload_annotations:
                directory = posixpath.dirname(workload_annotations[key])
                break
        for key in PATH_ANNOTATIONS:
            annotations[key] = posixpath.join(directory, f"configmap_{name}.yaml")
    config_map = templates.load(
        "configmap.yaml.j2",
        name=name,
        namespace=ident.namespace,
        target=f"{ident.kind}/{ident.namespace or ''}/{ident.name}",
        data=plan.data,
        immutable=ctx.wire.hashed_names,
        annotations=annotations,
    )
    text = dump_resource(config_map)
    target_text = f"{ident.kind}/{ident.namespace or ''}/{ident.name}"
    for ident_key, stale in list(existing.items()):
        stale_text = out.text(stale)
        same_target = GENERATED_FOR in stale_text and target_text in stale_text
        if ident_key == (ident.namespace, name):
            out.texts[stale.chunk.index] = _with_header(stale_text, text)
            return
        if same_target and ctx.wire.hashed_names and ident_key[1] and ident_key[1].startswith(
            (plan.target.config_map or f"{ident.name}-images-overwrite") + "-"
        ):
            out.texts[stale.chunk.index] = ""  # a ConfigMap of an earlier content hash: superseded
    if out.generated and not out.generated[-1].endswith("\n"):
        out.generated[-1] += "\n"
    out.generated.append("---\n" + text)


_HEADER = re.compile(r"^(---[^\n]*\n)?((?:[ \t]*(?:#[^\n]*)?\n)*)")


def _with_header(old: str, body: str) -> str:
    """Keep the `---` line and leading comments of a document, replace its content."""
    match = _HEADER.match(old)
    header = match.group(0) if match else ""
    return header + body


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump_resource(data: Any) -> str:
    stream = io.StringIO()
    yaml.dump(data, stream, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=1 << 16,
              allow_unicode=True)
    return stream.getvalue()


__all__ = ["wire", "wiring_hints", "dump_resource"]
