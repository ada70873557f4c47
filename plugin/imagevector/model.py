"""Plain data of the image vector: entries, resolved images, problems.

No I/O and no globals here; everything is immutable so that the resolution core stays pure.
"""

from __future__ import annotations

from collections.abc import Mapping

from .records import dataclass, field

TYPE_CHECKING = False  # not typing's: importing typing costs ~3 ms at start (mypy knows the name)
if TYPE_CHECKING:
    from typing import Any, Literal

ARCHITECTURES: tuple[str, ...] = ("amd64", "arm64")
DEFAULT_ARCHITECTURE = "amd64"

if TYPE_CHECKING:
    VersionField = Literal["constraint", "label"]
else:
    VersionField = str  # a name for importers; annotations are not evaluated at run time

MAX_MESSAGE_CHARS = 600  # a message never carries more of a file than this (see docs/security.md)


def shorten(text: str, limit: int = 80) -> str:
    """At most `limit` characters of `text`: the head and the tail, so that a message quoting a value from a
    file never carries the file's contents, and its advice (at the end) survives."""
    if len(text) <= limit:
        return text
    tail = limit // 4
    return f"{text[: limit - tail - 1]}…{text[len(text) - tail:]}"


@dataclass(frozen=True)
class Origin:
    """Where an entry or value was written: file, 1-based line and column, field path."""

    file: str
    line: int = 0
    column: int = 0
    path: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        return f"{where}: {self.path}" if self.path else where


@dataclass(frozen=True)
class Resource:
    """The Kubernetes resource a problem is about (a document, or an item of a list): kind, namespace, name,
    apiVersion; `file`, when a problem names it: the file the resource says it came from (its
    `config.kubernetes.io/path` annotation)."""

    kind: str | None
    namespace: str | None
    name: str | None
    api_version: str | None = None
    file: str | None = field(default=None, compare=False)

    def __str__(self) -> str:
        name = f"{self.namespace}/{self.name}" if self.namespace else (self.name or "?")
        return f"{self.kind or 'document'} {name}"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, for people and for KRM results: what, how bad, and where.

    Where: in a file (`file`, 1-based `line` and `column`; printed `file:line:column: …` as a compiler would)
    or in a stream (`file` names it and `document` is the document's index: `stdin (document 2, line 7:3): …`),
    the field path, the resource and the template (`source`) it came from; a problem without any of these is
    a message alone. The one problem type from loading and validation through the render to the CLI line."""

    message: str
    severity: Literal["error", "warning"] = "error"
    file: str | None = None  # a file's name; with `document`, the stream's name
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based, with `line`
    field: str | None = None  # the field path (`images[2].tag`, `spec.template.spec.containers[0].image`)
    document: int | None = None  # the document's index in the stream `file`
    resource: Resource | None = None
    source: str | None = None  # the template the document came from (Helm's `# Source:` comment)
    item: int | None = None  # the index in `items` of a `kind: List` (or ResourceList) the problem is about

    @classmethod
    def at(cls, origin: Origin, message: str, severity: Literal["error", "warning"] = "error") -> Problem:
        """A problem where an entry or value was written."""
        return cls(message, severity, origin.file, origin.line or None, origin.column if origin.line else None,
                   origin.path or None)

    @property
    def in_file(self) -> bool:
        """Located in a file: the line starts with the file's name (else the CLI says who speaks)."""
        return self.file is not None and self.document is None

    def __str__(self) -> str:
        head = ""
        if self.document is not None:
            at = f", line {self.line}" + (f":{self.column}" if self.column is not None else "") if self.line else ""
            head = f"{self.file} (document {self.document + 1}{at})"
        elif self.file is not None:
            head = self.file if self.line is None else f"{self.file}:{self.line}" + (
                f":{self.column}" if self.column is not None else "")
        if self.resource is not None and self.resource.kind:
            head += f": {self.resource}"
        if self.source:
            head += f" (from {self.source})"
        if self.field:
            head += f": {self.field}"
        text = f"{head.removeprefix(': ')}: {self.message}" if head else self.message
        return shorten(text, MAX_MESSAGE_CHARS)


@dataclass(frozen=True)
class ImageSource:
    """One entry of an image vector (docs/semantics.md: Entries)."""

    name: str
    repository: str | None = None
    tag: str | None = None
    ref: str | None = None
    source_repository: str | None = None
    version: str | None = None
    target_version: str | None = None
    runtime_version: str | None = None
    architectures: tuple[str, ...] | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    origin: Origin | None = field(default=None, compare=False)
    # The target-version constraint, decided when the entry is read (validation._entry): `targetVersion`, or
    # `version` when the vector is read with versionField=constraint. Find and merge use only this, never the
    # setting. Left unset, it is `targetVersion`.
    target_constraint: str | None = None

    def __post_init__(self) -> None:
        if self.target_constraint is None and self.target_version is not None:
            object.__setattr__(self, "target_constraint", self.target_version)

    def key(self) -> tuple[str, str, str, tuple[str, ...]]:
        """Merge key: (name, runtimeVersion, target-version constraint, architectures)."""
        arch = tuple(sorted(set(self.architectures))) if self.architectures else ()
        return (self.name, self.runtime_version or "", self.target_constraint or "", arch)

    @property
    def complete(self) -> bool:
        return bool(self.repository or self.ref)


@dataclass(frozen=True)
class ImageVector:
    """An ordered list of entries; the order decides ties."""

    images: tuple[ImageSource, ...] = ()
    ca_bundle: str | None = None

    def names(self) -> list[str]:
        seen: dict[str, None] = {}
        for image in self.images:
            seen.setdefault(image.name, None)
        return list(seen)


@dataclass(frozen=True)
class Component:
    """One entry of a component overwrite file: the component and the overwrite handed to it."""

    name: str
    overwrite_text: str
    overwrite: ImageVector
    origin: Origin | None = field(default=None, compare=False)


@dataclass(frozen=True)
class FindOptions:
    target_version: str | None = None
    runtime_version: str | None = None
    architecture: str = DEFAULT_ARCHITECTURE
    # a workload that may run on several architectures: all of them, `architecture` first (else empty)
    architectures: tuple[str, ...] = ()

    @property
    def wanted_architectures(self) -> tuple[str, ...]:
        """Every architecture the image must serve."""
        return self.architectures or (self.architecture,)

    def describe(self) -> str:
        wanted = self.wanted_architectures
        parts = [f"architecture={self.architecture}" if len(wanted) == 1 else f"architectures={','.join(wanted)}"]
        if self.target_version:
            parts.insert(0, f"target version {self.target_version}")
        if self.runtime_version:
            parts.insert(1 if self.target_version else 0, f"runtime version {self.runtime_version}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Image:
    """A resolved image: what goes into a manifest's `image:` field."""

    name: str
    repository: str | None
    tag: str | None
    ref: str | None = None
    source: ImageSource | None = field(default=None, compare=False)

    @property
    def reference(self) -> str:
        if self.ref:
            return self.ref
        repository = self.repository or ""
        if not self.tag:
            return repository
        if self.tag.startswith("sha256:"):
            return f"{repository}@{self.tag}"
        return f"{repository}:{self.tag}"


def split_reference(reference: str) -> tuple[str, str | None, str | None]:
    """Split `repo[:tag][@digest]` into (repository, tag, digest)."""
    digest: str | None = None
    if "@" in reference:
        reference, digest = reference.split("@", 1)
    tag: str | None = None
    slash = reference.rfind("/")
    colon = reference.rfind(":")
    if colon > slash:
        reference, tag = reference[:colon], reference[colon + 1 :]
    return reference, tag, digest
