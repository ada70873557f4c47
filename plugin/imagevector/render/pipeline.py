"""The pipeline every face runs: read → resolve → rewrite images → wire overwrites → write.

Every document is scanned once with libyaml's event parser (syntax, duplicate keys, limits, image fields
with their marks); image changes are spliced into the document's text, so nothing else moves. Only the
documents that get wiring go through ruamel (imported only then).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable
from functools import partial
from operator import attrgetter
from sys import intern

from .. import mirror
from ..fields import FieldSpec, Patterns
from ..model import Image, Problem, split_reference
from ..records import replace
from ..reference import InvalidReference
from ..scan import DocScan, Hit, ScanError, scan_stream
from . import splice
from .arch import WorkloadArchitectures, effective
from .output import pieces
from .resolve import Resolver
from .stream import chunks, split
from .types import Document, Edits, Identity, RenderContext, RenderResult, about, is_list_kind

TYPE_CHECKING = False  # not typing's: importing typing costs ~3 ms at start (mypy knows the name)
if TYPE_CHECKING:
    from typing import Any, Literal


def render(text: str, ctx: RenderContext, *, joined: bool = True, documents: bool = True,
           images: bool = False) -> RenderResult:
    """Render a multi-document stream; on any error the result's problems say why and text is the input.
    Problems about a document name the stream `ctx.stream` (attached here, once). `joined=False`: the text is
    left empty and the caller writes `pieces(result)` (never held twice). `documents=False`: no Document is kept
    (unless wiring needs them), only the edits of the input, the problems and, with `images=True`, every
    emitted image reference (`result.images`)."""
    result = _render(text, ctx, joined, documents, images)
    if result.problems:
        result.problems[:] = [replace(p, file=ctx.stream) if p.document is not None else p for p in result.problems]
    return result


def _render(text: str, ctx: RenderContext, joined: bool = True, keep: bool = True,
            images: bool = False) -> RenderResult:
    resolver = Resolver(ctx.resolved)
    patterns = Patterns.of(ctx.specs)
    problems: list[Problem] = []
    wires = bool(ctx.wire.targets or (ctx.wire.inject_components and ctx.resolved.components))
    keep = keep or wires
    documents = [Document(chunk) for chunk in split(text)] if keep else []
    result = RenderResult(text, documents, problems, source=text, edits=None if keep else Edits())

    def finish(doc: Document) -> None:
        """Everything the pipeline needs of a scanned document, then the scan is let go (a huge stream of
        small documents would otherwise hold several times its size in scan objects): wiring keeps only the
        annotations (and that the document was scanned); without `keep`, only its edits stay."""
        assert doc.scan is not None
        found = doc.scan
        if keep or found.hits or found.shape_errors or found.graph:  # else nothing asks who it is
            doc.identity = Identity(_shared(found.kind), _shared(found.namespace), found.name,
                                    _shared(found.api_version))
        edits = _rewrite_images(doc, ctx, resolver, problems, patterns)
        if edits:
            doc.images_changed = len(edits)
            if result.edits is None:
                doc.text = splice.apply(doc.text, edits)
            else:
                offset = doc.chunk.offset
                for edit in sorted(edits, key=attrgetter("start")):
                    result.edits.add(offset + edit.start, offset + edit.end, intern(edit.text))
        if images:
            result.images.extend(doc.images)
        doc.scan = DocScan(annotations=found.annotations) if wires else None

    scanned = documents if keep else (Document(chunk) for chunk in chunks(text))
    if ctx.trust_input and not ctx.resolved.mirrors:  # mirror rules may change any image: parse everything
        from .trust import scan_candidates  # only for --trust-input (its regexes: start-up)

        result.parsed = scan_candidates(scanned, ctx, patterns, problems, resolver, finish)
    else:
        result.parsed = _scan_all(text, scanned, ctx, patterns, problems, finish)
    if ctx.resolved.strict:
        _strict(result)
    if not result.ok:
        return result
    if wires:
        from .wiring import wire  # jinja2 and ruamel load only for a render that wires (start-up time)

        wiring = wire(documents, ctx)
        result.problems.extend(wiring.problems)
        for doc in (d for d in documents if d.chunk.index in wiring.texts):  # only these get text of their own
            doc.text = wiring.texts[doc.chunk.index]
        result.generated = wiring.generated
        if ctx.resolved.strict:
            _strict(result)
        if not result.ok:
            result.text = text
            return result
    result.text = "".join(pieces(result)) if joined else ""
    return result


def _shared(value: str | None) -> str | None:
    """One string for the values every document repeats (kind, namespace, apiVersion): a huge stream of
    small documents keeps an Identity per document."""
    return intern(value) if value is not None else None


def _strict(result: RenderResult) -> None:
    """--strict: every warning is an error."""
    result.problems[:] = [
        replace(p, severity="error", message=f"{p.message} [a warning; an error with --strict]")
        if p.severity == "warning" else p
        for p in result.problems
    ]


def _scan_all(
    text: str,
    documents: Iterable[Document],
    ctx: RenderContext,
    patterns: Patterns,
    problems: list[Problem],
    finish: Callable[[Document], None],
) -> int:
    """One parser over the whole stream: every document is validated; marks are stream-absolute. Each
    document is finished as soon as the parser is past it, so that memory stays flat (`documents`, in stream
    order, may be made as they are needed)."""
    following = iter(documents)
    doc, after = next(following), next(following, None)
    pending: Document | None = None
    count = 0
    try:
        for found in scan_stream(text, patterns, ctx.limits):
            count += 1
            while after is not None and after.chunk.offset <= found.start:  # the last document starting here
                doc, after = after, next(following, None)
            if doc is not pending:
                if pending is not None:
                    finish(pending)
                pending, doc.scan, doc.base = doc, found, doc.chunk.offset
            elif doc.scan is not None:  # a second document in one chunk (after '...'): same text
                doc.scan.hits.extend(found.hits)
                doc.scan.shape_errors.extend(found.shape_errors)
                doc.scan.graph = doc.scan.graph or found.graph
        if pending is not None:
            finish(pending)
    except ScanError as exc:
        doc_index = None
        problem = exc.problem  # its line is stream-absolute
        every = split(text)  # the documents may not be kept: find the one it is in
        if problem.line is not None:
            lines = [chunk.line for chunk in every]
            doc_index = max(bisect_right(lines, problem.line - 1) - 1, 0)
            while doc_index > 0 and every[doc_index].empty:
                doc_index -= 1
        source = every[doc_index].source if doc_index is not None else None
        problems.append(replace(problem, document=doc_index, source=source))
    return count


def _item_identity(found: DocScan, ident: Identity, index: int) -> Identity:
    """An item of a list: its own kind, or the list's (`DeploymentList` items often carry none)."""
    item = found.items.get(index)
    kind = item.kind if item is not None else None
    api_version = item.api_version if item is not None else None
    if kind is None and ident.kind and ident.kind not in ("List", "ResourceList"):
        kind, api_version = ident.kind[: -len("List")], api_version or ident.api_version
    return Identity(kind, item.namespace if item else None, item.name if item else None, api_version)


def _at(line: int, column: int) -> str:
    return f"line {line + 1}:{column + 1}"


def _rewrite_images(doc: Document, ctx: RenderContext, resolver: Resolver, problems: list[Problem],
                    patterns: Patterns) -> list[splice.Edit]:
    """The edits of the document's text that render its images (problems reported on the way)."""
    found, ident, chunk = doc.scan, doc.identity, doc.chunk
    if found is None or ident is None or not (found.hits or found.shape_errors or found.graph):
        return []
    line_base = chunk.line if doc.base == 0 and chunk.offset else 0
    hits: list[Hit] = found.hits
    followers: list[Any] = []  # graph.Follower: aliases elsewhere of image fields
    if found.graph:  # aliases or merge keys where image fields may be: follow them
        followed = _follow_graph(doc, ident, patterns, line_base, problems)
        if followed is None:
            return []
        hits, followers, ident = followed
    owners = _Owners(found, ident, ctx.specs)
    if not owners.listed and not any(owners.applies):
        return []
    text = doc.text  # the chunk's text: no image is rendered yet
    workload = WorkloadArchitectures(text, ctx.specs, owners.applies, ctx.resolved.options.wanted_architectures)
    _shape_problems(doc, owners, ctx, line_base, problems)
    edits: list[splice.Edit] = []
    rendered: dict[int, tuple[Hit, int, Identity, int | None, str, str]] = {}
    for hit in hits:
        owner = owners.of(hit)
        if owner is None or hit.is_null:
            continue
        alias = type(hit) is not Hit  # an AliasHit (graph.py)
        if alias and hit.origin is not None and owners.of(hit.origin) is not None:  # type: ignore[attr-defined]
            continue  # the anchored node is an image field itself: rendering it renders this alias
        line = line_base + hit.line + 1
        item = hit.indices[1] if owner is not ident else None
        report = partial(_report, problems, doc, line, hit, owner, item)
        if hit.wrong is not None or hit.value is None:
            report(f"image must be a string, not {hit.wrong}")
            continue
        value = hit.value.strip() if hit.style in ("|", ">") else hit.value
        resolved = _resolve_value(value, hit, resolver, workload, report)
        if resolved is None:
            continue
        reference, warning = resolved
        doc.images.append(intern(reference))  # one string per distinct image, not one per document
        if reference == value:
            continue
        if alias:
            container = f"container {hit.container!r}, " if hit.container else ""
            alias_at = _at(line_base + hit.alias_line, hit.alias_column)  # type: ignore[attr-defined]
            anchor_at = _at(line_base + hit.anchor_line, hit.anchor_column)  # type: ignore[attr-defined]
            report(f"{container}image {value!r} at {alias_at} is an alias of the value at {anchor_at}, which is "
                   f"not an image field: rendering would need {reference!r} here but must keep {value!r} there; "
                   "write the image here instead of the alias")
            continue
        if warning is not None:
            report(warning, "warning")
        start, end = hit.start - doc.base, hit.end - doc.base
        if start < 0 or end > len(text):  # never splice outside the document: refuse instead
            report("internal error: the image field lies outside its document; please report this input")
            continue
        edits.append(splice.scalar_edit(text, start, end, hit.style, reference))
        if followers:
            rendered[id(hit)] = (hit, line, owner, item, value, reference)
    for follower in followers:
        for hit in follower.hits:
            if id(hit) in rendered:
                _, line, owner, item, value, reference = rendered[id(hit)]
                _report(problems, doc, line, hit, owner, item,
                        f"image {value!r} is rendered to {reference!r}, and the alias at "
                        f"{_at(line_base + follower.line, follower.column)} (not an image field) repeats it, so it "
                        f"reads {reference!r} too; write the value itself there if it must stay {value!r}", "warning")
    return edits


def _follow_graph(doc: Document, ident: Identity, patterns: Patterns, line_base: int,
                  problems: list[Problem]) -> tuple[list[Hit], list[Any], Identity] | None:
    """The image fields of a document with aliases or merge keys (and the aliases that repeat them), and its
    identity as a loader reads it; None after reporting a problem."""
    from .graph import graph_hits  # only documents with aliases or merge keys need it (start-up time)

    chunk = doc.chunk
    identities: list[dict[str, str | None]] = []
    followers: list[Any] = []
    try:
        hits = graph_hits(doc.text, patterns, doc.base, chunk.line if doc.base else 0, identities, followers)
    except ScanError as exc:
        found = exc.problem
        line = line_base + found.line if found.line is not None else None
        problems.append(replace(found, document=chunk.index, line=line, field=None, resource=about(doc, ident),
                                source=chunk.source))
        return None
    if identities:  # `kind: *k`, `<<: *common` at the top: what a loader reads
        read = identities[0]
        ident = doc.identity = Identity(ident.kind or read["kind"], ident.namespace or read["namespace"],
                                        ident.name or read["name"], ident.api_version or read["apiVersion"])
    return hits, followers, ident


class _Owners:
    """Which identity an image field is rendered for: the document's, or that of a `kind: List` item."""

    def __init__(self, found: DocScan, ident: Identity, specs: tuple[FieldSpec, ...]) -> None:
        self.found, self.ident, self.specs = found, ident, specs
        self.applies = [spec.matches(ident.kind, ident.api_version) for spec in specs]
        self.listed = is_list_kind(ident.kind)
        self.count = len(self.applies)
        self.items: dict[int, Identity] = {}
        self.item_applies: dict[int, list[bool]] = {}

    def of(self, hit: Hit) -> Identity | None:
        """The identity a field is rendered for, or None when no applicable spec names it."""
        for i in hit.specs:
            if i < self.count:
                if self.applies[i]:
                    return self.ident
            elif self.listed and len(hit.indices) > 1 and hit.indices[1] is not None:
                index = hit.indices[1]
                if index not in self.item_applies:
                    item = self.items[index] = _item_identity(self.found, self.ident, index)
                    self.item_applies[index] = [spec.matches(item.kind, item.api_version) for spec in self.specs]
                if self.item_applies[index][i - self.count]:
                    return self.items[index]
        return None


def _shape_problems(doc: Document, owners: _Owners, ctx: RenderContext, line_base: int,
                    problems: list[Problem]) -> None:
    """Image fields of the wrong shape (a mapping where a list of containers belongs, …), for the resource
    whose spec names them."""
    ident, found, chunk = owners.ident, owners.found, doc.chunk
    for error in found.shape_errors:
        shape = error.problem
        if owners.listed and error.scope & 2 and shape.item is not None:
            owner = _item_identity(found, ident, shape.item)
            if not any(spec.matches(owner.kind, owner.api_version) for spec in ctx.specs):
                continue
        elif error.scope & 1 and any(owners.applies):
            owner = ident
        else:
            continue
        item = shape.item if owner is not ident else None
        line = line_base + shape.line if shape.line is not None else None
        problems.append(replace(shape, document=chunk.index, line=line, column=None, resource=about(doc, owner, item),
                                source=chunk.source, item=item))


def _resolve_value(value: str, hit: Hit, resolver: Resolver, workload: WorkloadArchitectures,
                   report: Callable[..., None]) -> tuple[str, str | None] | None:
    """(reference, warning about a dropped digest) for an image field's value: from the vector for the
    workload's architectures, then re-pointed by the mirror rules; None after reporting an error."""
    reference, warning = value, None
    name = resolver.name_for(value)
    if name is None:
        close = resolver.near_miss(value)
        if close is not None:
            report(f"image {value!r} is not in the image vector and is left as it is; did you mean {close!r}?",
                   "warning")
    else:
        selected = workload.selection(hit.steps, hit.indices, hit.specs)
        archs = effective(selected, workload.cluster)
        result = resolver.find_for(name, archs)
        image: Image | None = result.image
        if image is None:
            container = f"container {hit.container!r}, " if hit.container else ""
            report(f"{container}image {value!r}: {workload.note(selected, archs)}{result.error()}")
            return None
        reference = image.reference
        if "@" in value:
            reference, warning = _keep_digest(value, reference)
    if resolver.mirrors:  # mirror rules re-point the resolved reference, vector-governed or not
        try:
            reference = mirror.apply(resolver.mirrors, reference)
        except InvalidReference as exc:
            report(f"image {reference!r} is not mirrored: {exc}", "warning")
    return reference, warning


def _report(problems: list[Problem], doc: Document, line: int, hit: Hit, owner: Identity, item: int | None,
            message: str, severity: Literal["error", "warning"] = "error") -> None:
    """A problem with an image field (`doc` is being rendered: its scan is still there)."""
    chunk = doc.chunk
    problems.append(Problem(message, severity, line=line, field=hit.path, document=chunk.index,
                            resource=about(doc, owner, item), source=chunk.source, item=item))


def _keep_digest(value: str, reference: str) -> tuple[str, str | None]:
    """(reference, warning): the manifest's digest stays when the vector keeps its tag and gives no digest
    (same tag, same content; a mirror copy keeps digests); when the tag changes the old digest cannot be
    right: it is dropped, with a warning."""
    old_repository, old_tag, old_digest = split_reference(value)
    repository, tag, digest = split_reference(reference)
    if digest is not None or not old_digest:
        return reference, None
    if tag == old_tag:
        return f"{reference}@{old_digest}", None
    return reference, (
        f"image {value!r}: the tag changes to {tag!r}, so its digest {old_digest} cannot be right and is dropped "
        f"(now {reference!r}); give the vector entry a digest to pin one")
