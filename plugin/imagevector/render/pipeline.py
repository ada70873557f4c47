"""The pipeline every face runs: read → resolve → rewrite images → wire overwrites → write.

Every document is scanned once with libyaml's event parser (syntax, duplicate keys, limits, image fields
with their marks); image changes are spliced into the document's text, so nothing else moves. Only the
documents that get wiring go through ruamel (imported only then).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import yaml
from yaml import events as ev

from .. import mirror
from ..model import Image, split_reference
from ..reference import InvalidReference
from ..settings import Resolved
from ..vector import FindResult, find, near_miss, repositories
from . import splice
from .arch import WorkloadArchitectures, effective
from .fields import FieldSpec, default_specs
from .scan import DocScan, Hit, Limits, Patterns, ScanError, _Parser, scan, scan_stream
from .stream import Chunk, split


@dataclass(frozen=True)
class WireTarget:
    """A workload that receives the overwrite: `--wire KIND/NAMESPACE/NAME[:CONTAINER]`."""

    kind: str
    namespace: str | None
    name: str
    container: str | None = None
    config_map: str | None = None
    mount_path: str = "/charts-overwrite"

    @classmethod
    def parse(cls, text: str) -> WireTarget:
        spec, _, container = text.partition(":")
        parts = spec.split("/")
        if len(parts) == 2:
            parts.insert(1, "")
        if len(parts) != 3 or not parts[0] or not parts[2]:
            raise ValueError(
                f"--wire {text!r}: expected KIND/NAMESPACE/NAME[:CONTAINER], e.g. Deployment/garden/gardenlet"
            )
        return cls(parts[0], parts[1] or None, parts[2], container or None)

    def matches(self, ident: Identity) -> bool:
        return (
            self.kind == ident.kind
            and self.name == ident.name
            and (self.namespace is None or self.namespace == (ident.namespace or None) or not ident.namespace)
        )

    def __str__(self) -> str:
        return f"{self.kind}/{self.namespace or ''}/{self.name}" + (f":{self.container}" if self.container else "")


@dataclass(frozen=True)
class ComponentTarget:
    """Where a component of the component overwrite file runs (default: a Deployment of its name)."""

    component: str
    kind: str = "Deployment"
    namespace: str | None = None
    name: str | None = None
    container: str | None = None


@dataclass(frozen=True)
class WireOptions:
    targets: tuple[WireTarget, ...] = ()
    components: tuple[ComponentTarget, ...] = ()
    inject_components: bool = True
    hashed_names: bool = False
    replace_env: bool = False
    templates: str | None = None
    templates_root: str | None = None  # a templates folder named by a file: its files must stay inside this
    annotate_paths: bool = False  # KRM: give generated resources path annotations




@dataclass(frozen=True)
class RenderContext:
    resolved: Resolved
    specs: tuple[FieldSpec, ...] = field(default_factory=default_specs)
    wire: WireOptions = field(default_factory=WireOptions)
    limits: Limits = field(default_factory=Limits)
    trust_input: bool = False  # skip validating documents that cannot hold an image field


@dataclass(frozen=True)
class Identity:
    kind: str | None
    namespace: str | None
    name: str | None
    api_version: str | None = None

    def __str__(self) -> str:
        name = f"{self.namespace}/{self.name}" if self.namespace else (self.name or "?")
        return f"{self.kind or 'document'} {name}"


@dataclass(frozen=True)
class RenderProblem:
    message: str
    severity: Literal["error", "warning"] = "error"
    document: int | None = None
    line: int | None = None  # 1-based, in the stream
    field: str | None = None
    identity: Identity | None = None
    source: str | None = None
    item: int | None = None  # the index in `items` of a `kind: List` (or ResourceList) the problem is about
    column: int | None = None  # 1-based, with `line`

    def __str__(self) -> str:
        where: list[str] = []
        if self.document is not None:
            where.append(f"document {self.document + 1}")
        if self.line is not None:
            where.append(f"line {self.line}" + (f":{self.column}" if self.column is not None else ""))
        head = f"stdin ({', '.join(where)})" if where else ""
        if self.identity is not None and self.identity.kind:
            head += f": {self.identity}"
        if self.source:
            head += f" (from {self.source})"
        if self.field:
            head += f": {self.field}"
        return f"{head.lstrip(': ')}: {self.message}" if head else self.message


@dataclass
class Document:
    """A chunk of the stream, with what the pipeline learned about it."""

    chunk: Chunk
    text: str
    scan: DocScan | None = None
    identity: Identity | None = None
    images_changed: int = 0
    base: int = 0  # subtract from the scan's mark indices to index `text`
    images: list[str] = field(default_factory=list)  # every image reference the document emits, in order


@dataclass
class RenderResult:
    text: str
    documents: list[Document]
    problems: list[RenderProblem]
    parsed: int = 0  # documents scanned (the shape of the work, for tests)
    generated: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)


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
        """The vector name an image field stands for (SPEC §3), or None when the vector does not govern it."""
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


def render(text: str, ctx: RenderContext) -> RenderResult:
    """Render a multi-document stream; on any error the result's problems say why and text is the input."""
    chunks = split(text)
    resolver = Resolver(ctx.resolved)
    patterns = Patterns.of(ctx.specs)
    problems: list[RenderProblem] = []
    documents = [Document(chunk, chunk.text) for chunk in chunks]

    def finish(doc: Document) -> None:
        """Everything the pipeline needs of a scanned document, then its image fields are let go."""
        assert doc.scan is not None
        found = doc.scan
        doc.identity = Identity(found.kind, found.namespace, found.name, found.api_version)
        _rewrite_images(doc, ctx, resolver, problems, patterns)
        found.hits = []

    if ctx.trust_input and not ctx.resolved.mirrors:  # mirror rules may change any image: parse everything
        parsed = _scan_candidates(documents, ctx, patterns, problems, resolver, finish)
    else:
        parsed = _scan_all(text, documents, ctx, patterns, problems, finish)
    result = RenderResult(text, documents, problems, parsed)
    if ctx.resolved.strict:
        _strict(result)
    if not result.ok:
        return result
    if ctx.wire.targets or (ctx.wire.inject_components and ctx.resolved.components):
        from .wiring import wire

        wire(result, ctx)
        if ctx.resolved.strict:
            _strict(result)
        if not result.ok:
            result.text = text
            return result
    body = "".join(doc.text for doc in documents)
    if result.generated and body and not body.endswith("\n"):
        body += "\n"
    result.text = body + "".join(result.generated)
    return result


def _strict(result: RenderResult) -> None:
    """--strict: every warning is an error."""
    result.problems[:] = [
        replace(p, severity="error", message=f"{p.message} [a warning; an error with --strict]")
        if p.severity == "warning" else p
        for p in result.problems
    ]


def _scan_all(
    text: str,
    documents: list[Document],
    ctx: RenderContext,
    patterns: Patterns,
    problems: list[RenderProblem],
    finish: Callable[[Document], None],
) -> int:
    """One parser over the whole stream: every document is validated; marks are stream-absolute. Each
    document is finished as soon as the parser is past it, so that memory stays flat."""
    offsets = [doc.chunk.offset for doc in documents]
    pending: Document | None = None
    count = 0
    try:
        for found in scan_stream(text, patterns, ctx.limits):
            count += 1
            doc = documents[max(bisect_right(offsets, found.start) - 1, 0)]
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
        if exc.line is not None:
            lines = [doc.chunk.line for doc in documents]
            doc_index = max(bisect_right(lines, exc.line) - 1, 0)
            while doc_index > 0 and documents[doc_index].chunk.empty:
                doc_index -= 1
        source = documents[doc_index].chunk.source if doc_index is not None else None
        line = exc.line + 1 if exc.line is not None else None
        column = exc.column + 1 if exc.column is not None and line is not None else None
        problems.append(RenderProblem(exc.message, document=doc_index, line=line, field=exc.path, source=source,
                                      column=column))
    return count


# characters that end a word of YAML text (whitespace, quotes, flow indicators) and that split a reference
# into repository, tag and digest (`:`, `@`)
_WORD_BREAKS = str.maketrans({c: " " for c in "\"'[]{},:@"})
_WORD_SAFE = re.compile(r"^[^\s\"'\[\]{},:@\\#]+$")
_IMAGE_VALUE = re.compile(
    r"image[\"']?[ \t]*:[ \t]*[\"']?([A-Za-z0-9][A-Za-z0-9._-]*)[\"']?[ \t]*(?:[,}#\r\n]|$)", re.M
)


@dataclass(frozen=True)
class TrustFilter:
    """--trust-input: may a document hold an image field the vector governs, or wiring? Never a false "no".

    A governed value is a vector name or starts with a base repository followed by `:`, `@` or its end. In
    a document without a backslash (no escape sequence), such a value stands in its text verbatim: quoted
    or plain, block or flow, folding only adds whitespace. So it is one word of the text cut at whitespace,
    quotes, flow indicators, `:` and `@`, whatever its key looks like (`"image":"x"`, `? image`, a comment
    before the value …). Names or repositories with those characters are looked for as substrings."""

    words: frozenset[str]
    substrings: tuple[str, ...]
    near_miss: Callable[[str], str | None] | None = None

    @classmethod
    def of(cls, resolver: Resolver, hints: tuple[str, ...]) -> TrustFilter:
        needles = {*resolver.names, *resolver.repositories}
        words = frozenset(n for n in needles if _WORD_SAFE.match(n))
        return cls(words, tuple(n for n in (*needles, *hints) if n not in words), resolver.near_miss)

    def _near_miss_in(self, text: str) -> bool:
        """A value after an `image` key that is a near miss of a vector name (`pause-containr`): the document
        is parsed so that its "did you mean" warning is the same as without --trust-input. Only warnings
        depend on this text search, never the output."""
        if self.near_miss is None or "image" not in text:
            return False
        return any(self.near_miss(m.group(1)) is not None for m in _IMAGE_VALUE.finditer(text))

    def may_change(self, text: str, kinds: frozenset[str]) -> bool:
        if "\\" in text or any(needle in text for needle in self.substrings):
            return True
        kind = text_kind(text)
        if kind is not None and kind not in kinds and not is_list_kind(kind):
            return False  # cheap and certain: not a kind with image fields
        if self.words.isdisjoint(text.translate(_WORD_BREAKS).split()):
            return self._near_miss_in(text)
        kind = kind or root_kind(text)
        return kind is None or kind in kinds or is_list_kind(kind)


# a line at column 0 that may hide the top-level `kind` key: a quoted, explicit, aliased, merged, anchored or
# tagged key, a flow collection; or content on the `---` line
_RISKY_LINE = re.compile(r"\n(?:[\"'?*<&!{\[]|---[ \t]+[^#\s])")
_RISKY_START = re.compile(r"[\"'?*<&!{\[]|---[ \t]+[^#\s]")
_KIND_VALUE = re.compile(r"kind:[ \t]+([A-Za-z0-9]+)[ \t]*(?:#[^\n]*)?\r?$", re.M)
_FIRST_CONTENT = re.compile(r"^(?![ \t]*(?:#|\r?$)|%|---(?:[ \t\r]|$))(.)", re.M)


def text_kind(text: str) -> str | None:
    """The kind of a block-style manifest from its text, when that is certain: one line at column 0 starts
    with `kind`, it is `kind: Word`, the top-level mapping starts at column 0 and no line at column 0 could
    hold the key otherwise."""
    at_start = text.startswith("kind")
    if text.count("\nkind") + at_start != 1 or _RISKY_LINE.search(text) or _RISKY_START.match(text):
        return None
    first = _FIRST_CONTENT.search(text)
    if first is None or first.group(1) in " \t":
        return None  # the top-level mapping must start at column 0
    match = _KIND_VALUE.match(text, 0 if at_start else text.find("\nkind") + 1)
    return match.group(1) if match else None


_DOCUMENT_END = re.compile(r"^\.\.\.(?=[ \t\r\n]|$)", re.M)


def root_kind(text: str) -> str | None:
    """The document's `kind`, read by the parser up to that key (for most manifests, a few events); None when
    it is not certain (no such key, a merge key or alias key before it, a tag, a parse error, several
    documents)."""
    if "\n..." in text and _DOCUMENT_END.search(text):
        return None  # several documents in one chunk
    parser = _Parser(text)
    depth = 0
    expect_key = False
    kind: str | None = None
    try:
        while True:
            event = parser.get_event()
            if event is None:
                return None
            t = type(event)
            if t is ev.MappingStartEvent or t is ev.SequenceStartEvent:
                if depth == 0 and t is not ev.MappingStartEvent:
                    return None
                depth += 1
                if depth == 1:
                    expect_key = True
                    continue
            elif t is ev.MappingEndEvent or t is ev.SequenceEndEvent:
                depth -= 1
            elif depth == 1 and (t is ev.ScalarEvent or t is ev.AliasEvent):
                if expect_key:
                    if t is ev.AliasEvent or event.value == "<<":
                        return None
                    kind = "" if event.value == "kind" else None
                elif kind == "":
                    ok = t is ev.ScalarEvent and event.tag in (None, "tag:yaml.org,2002:str", "!")
                    return event.value if ok else None
            elif t is ev.DocumentEndEvent or t is ev.StreamEndEvent:
                return None
            if depth == 1:
                expect_key = not expect_key
    except yaml.YAMLError:
        return None


def _scan_candidates(
    documents: list[Document],
    ctx: RenderContext,
    patterns: Patterns,
    problems: list[RenderProblem],
    resolver: Resolver,
    finish: Callable[[Document], None],
) -> int:
    """--trust-input: only documents that may hold an image field the vector governs, or get wiring, are
    parsed (TrustFilter); marks are chunk-relative. For every input that renders without the flag, the
    output is the same."""
    trust = TrustFilter.of(resolver, _wiring_hints(ctx))
    kinds = frozenset(spec.kind for spec in ctx.specs)
    parsed = 0
    for doc in documents:
        chunk = doc.chunk
        if chunk.empty or not trust.may_change(chunk.text, kinds):
            continue
        parsed += 1
        try:
            doc.scan = scan(chunk.text, patterns, ctx.limits)
            doc.base = 0
            finish(doc)
        except ScanError as exc:
            line = chunk.line + exc.line + 1 if exc.line is not None else None
            column = exc.column + 1 if exc.column is not None and line is not None else None
            problems.append(RenderProblem(exc.message, document=chunk.index, line=line, field=exc.path,
                                          source=chunk.source, column=column))
    return parsed


def _wiring_hints(ctx: RenderContext) -> tuple[str, ...]:
    hints = [target.name for target in ctx.wire.targets]
    if ctx.wire.inject_components:
        hints.extend(c.name for c in ctx.resolved.components)
        hints.extend(t.name or t.component for t in ctx.wire.components)
    if hints:
        hints.append("imagevector.dev/")
    return tuple(hints)




def is_list_kind(kind: str | None) -> bool:
    """`kind: List` (what `kubectl get -o yaml` prints) and the typed lists (`DeploymentList`, …,
    `ResourceList`): their `items` are resources."""
    return kind is not None and kind.endswith("List")


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


def _rewrite_images(doc: Document, ctx: RenderContext, resolver: Resolver, problems: list[RenderProblem],
                    patterns: Patterns) -> None:
    found, ident, chunk = doc.scan, doc.identity, doc.chunk
    if found is None or ident is None or not (found.hits or found.shape_errors or found.graph):
        return
    line_base = chunk.line if doc.base == 0 and chunk.offset else 0
    hits: list[Hit] = found.hits
    followers: list[Any] = []  # graph.Follower: aliases elsewhere of image fields
    if found.graph:  # aliases or merge keys where image fields may be: follow them
        from .graph import graph_hits

        identities: list[dict[str, str | None]] = []
        try:
            hits = graph_hits(chunk.text, patterns, doc.base, chunk.line if doc.base else 0, identities, followers)
        except ScanError as exc:
            line = line_base + exc.line + 1 if exc.line is not None else None
            column = exc.column + 1 if exc.column is not None and line is not None else None
            problems.append(RenderProblem(exc.message, document=chunk.index, line=line, identity=ident,
                                          source=chunk.source, column=column))
            return
        if identities:  # `kind: *k`, `<<: *common` at the top: what a loader reads
            read = identities[0]
            ident = doc.identity = Identity(ident.kind or read["kind"], ident.namespace or read["namespace"],
                                            ident.name or read["name"], ident.api_version or read["apiVersion"])
    applies = [spec.matches(ident.kind, ident.api_version) for spec in ctx.specs]
    listed = is_list_kind(ident.kind)
    if not listed and not any(applies):
        return
    count = len(applies)
    item_idents: dict[int, Identity] = {}
    item_applies: dict[int, list[bool]] = {}

    def governed(hit: Hit) -> Identity | None:
        """The identity a field is rendered for, or None when no applicable spec names it."""
        for i in hit.specs:
            if i < count:
                if applies[i]:
                    return ident
            elif listed and len(hit.indices) > 1 and hit.indices[1] is not None:
                index = hit.indices[1]
                if index not in item_applies:
                    item = item_idents[index] = _item_identity(found, ident, index)
                    item_applies[index] = [spec.matches(item.kind, item.api_version) for spec in ctx.specs]
                if item_applies[index][i - count]:
                    return item_idents[index]
        return None

    workload = WorkloadArchitectures(chunk.text, ctx.specs, applies, ctx.resolved.options.wanted_architectures)
    for error in found.shape_errors:
        if listed and error.scope & 2 and error.item is not None:
            owner: Identity | None = _item_identity(found, ident, error.item)
            if not any(spec.matches(owner.kind, owner.api_version) for spec in ctx.specs):  # type: ignore[union-attr]
                continue
        elif error.scope & 1 and any(applies):
            owner = ident
        else:
            continue
        line = line_base + error.line + 1 if error.line is not None else None
        problems.append(RenderProblem(error.message, document=chunk.index, line=line, field=error.path,
                                      identity=owner, source=chunk.source,
                                      item=error.item if owner is not ident else None))
    edits: list[splice.Edit] = []
    rendered: dict[int, tuple[Hit, int, Identity, int | None, str, str]] = {}
    for hit in hits:
        owner = governed(hit)
        if owner is None or hit.is_null:
            continue
        alias = type(hit) is not Hit  # an AliasHit (graph.py)
        if alias and hit.origin is not None and governed(hit.origin) is not None:  # type: ignore[attr-defined]
            continue  # the anchored node is an image field itself: rendering it renders this alias
        line = line_base + hit.line + 1
        item = hit.indices[1] if owner is not ident else None
        if hit.wrong is not None or hit.value is None:
            problems.append(_hit_problem(chunk, line, hit, owner, item, f"image must be a string, not {hit.wrong}"))
            continue
        value = hit.value.strip() if hit.style in ("|", ">") else hit.value
        reference, warning = value, None
        container = f"container {hit.container!r}, " if hit.container else ""
        name = resolver.name_for(value)
        if name is None:
            close = resolver.near_miss(value)
            if close is not None:
                problems.append(_hit_problem(
                    chunk, line, hit, owner, item,
                    f"image {value!r} is not in the image vector and is left as it is; did you mean {close!r}?",
                    "warning"))
        else:
            selected = workload.selection(hit.steps, hit.indices, hit.specs)
            archs = effective(selected, workload.cluster)
            result = resolver.find_for(name, archs)
            image: Image | None = result.image
            if image is None:
                message = f"{container}image {value!r}: {workload.note(selected, archs)}{result.error()}"
                problems.append(_hit_problem(chunk, line, hit, owner, item, message))
                continue
            reference = image.reference
            if "@" in value:
                reference, warning = _keep_digest(value, reference)
        if resolver.mirrors:  # mirror rules re-point the resolved reference, vector-governed or not
            try:
                reference = mirror.apply(resolver.mirrors, reference)
            except InvalidReference as exc:
                problems.append(_hit_problem(chunk, line, hit, owner, item,
                                             f"image {reference!r} is not mirrored: {exc}", "warning"))
        doc.images.append(reference)
        if reference == value:
            continue
        if alias:
            alias_at = _at(line_base + hit.alias_line, hit.alias_column)  # type: ignore[attr-defined]
            anchor_at = _at(line_base + hit.anchor_line, hit.anchor_column)  # type: ignore[attr-defined]
            problems.append(_hit_problem(
                chunk, line, hit, owner, item,
                f"{container}image {value!r} at {alias_at} is an alias of the value at {anchor_at}, which is "
                f"not an image field: rendering would need {reference!r} here but must keep {value!r} there; "
                "write the image here instead of the alias"))
            continue
        if warning is not None:
            problems.append(_hit_problem(chunk, line, hit, owner, item, warning, "warning"))
        start, end = hit.start - doc.base, hit.end - doc.base
        if start < 0 or end > len(chunk.text):  # never splice outside the document: refuse instead
            problems.append(_hit_problem(chunk, line, hit, owner, item, "internal error: the image field lies "
                                         "outside its document; please report this input"))
            continue
        edits.append(splice.scalar_edit(chunk.text, start, end, hit.style, reference))
        if followers:
            rendered[id(hit)] = (hit, line, owner, item, value, reference)
    for follower in followers:
        for hit in follower.hits:
            if id(hit) in rendered:
                _, line, owner, item, value, reference = rendered[id(hit)]
                problems.append(_hit_problem(
                    chunk, line, hit, owner, item,
                    f"image {value!r} is rendered to {reference!r}, and the alias at "
                    f"{_at(line_base + follower.line, follower.column)} (not an image field) repeats it, so it "
                    f"reads {reference!r} too; write the value itself there if it must stay {value!r}", "warning"))
    if edits:
        doc.text = splice.apply(chunk.text, edits)
        doc.images_changed = len(edits)


def _hit_problem(chunk: Chunk, line: int, hit: Hit, owner: Identity, item: int | None, message: str,
                 severity: Literal["error", "warning"] = "error") -> RenderProblem:
    return RenderProblem(message, severity, chunk.index, line, hit.path, owner, chunk.source, item)


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
