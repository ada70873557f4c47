"""The render's data: what it is given (RenderContext, WireOptions and their targets) and what it returns
(RenderResult with its Documents and Problems). Plain data: the pipeline, wiring and KRM framing all
import it, it imports none of them."""

from __future__ import annotations

from sys import byteorder

from ..fields import FieldSpec, default_specs
from ..model import Problem, Resource
from ..records import dataclass, field, replace
from ..scan import DocScan, Limits
from ..settings import Resolved
from .stream import Chunk

TYPE_CHECKING = False  # not typing's: importing typing costs ~3 ms at start (mypy knows the name)
if TYPE_CHECKING:
    from collections.abc import Iterator

    from .templates import Templates  # the type only: types imports no render module at run time


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
    stream: str = "stdin"  # how problems name the input (render-check: the input file)
    templates: Templates | None = None  # read by build_context when the render wires (I/O before the render)


Identity = Resource  # a document's resource: kind, namespace, name, apiVersion (model.Resource)

# where a resource says it came from (kustomize, kpt): KRM results name the file of the resource a problem is about
PATH_ANNOTATIONS = ("internal.config.kubernetes.io/path", "config.kubernetes.io/path")


class Document:
    """A chunk of the stream, with what the pipeline learned about it. Its text is the chunk's (a slice of the
    input, taken when asked) until the render changes it: only a changed document holds text of its own."""

    __slots__ = ("chunk", "_text", "scan", "identity", "images_changed", "base", "images")

    def __init__(self, chunk: Chunk, text: str | None = None, scan: DocScan | None = None,
                 identity: Identity | None = None, images_changed: int = 0, base: int = 0,
                 images: list[str] | None = None) -> None:
        self.chunk = chunk
        self._text = text
        self.scan = scan
        self.identity = identity
        self.images_changed = images_changed
        self.base = base  # subtract from the scan's mark indices to index `text`
        self.images: list[str] = [] if images is None else images  # every image reference it emits, in order

    @property
    def text(self) -> str:
        return self.chunk.text if self._text is None else self._text

    @text.setter
    def text(self, value: str) -> None:
        self._text = value

    @property
    def changed(self) -> bool:
        """Has the render given it text of its own?"""
        return self._text is not None

    def __repr__(self) -> str:
        return f"Document(chunk={self.chunk!r}, text={self.text!r}, identity={self.identity!r})"


class Edits:
    """Replacements of ranges of the input, in order, with offsets into the whole stream: the output of a
    render that keeps no documents (`render(..., documents=False)`). The offsets are packed 16 bytes an edit
    (not two int objects and a tuple): a huge stream of small documents that almost all change keeps little
    more than its input."""

    __slots__ = ("_places", "texts")

    def __init__(self) -> None:
        self._places = bytearray()
        self.texts: list[str] = []

    def add(self, start: int, end: int, text: str) -> None:
        self._places += start.to_bytes(8, byteorder) + end.to_bytes(8, byteorder)
        self.texts.append(text)

    def __len__(self) -> int:
        return len(self.texts)

    def __iter__(self) -> Iterator[tuple[int, int, str]]:
        with memoryview(self._places) as view, view.cast("Q") as places:  # released even if not read to the end
            for i, text in enumerate(self.texts):
                yield places[2 * i], places[2 * i + 1], text


@dataclass
class RenderResult:
    text: str
    documents: list[Document]
    problems: list[Problem]
    parsed: int = 0  # documents scanned (the shape of the work, for tests)
    generated: list[str] = field(default_factory=list)
    source: str = ""  # the input: the output is made of its slices (output.pieces)
    edits: Edits | None = None  # the changes, when the render keeps no documents
    images: list[str] = field(default_factory=list)  # every image reference emitted, in order (when asked)

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)


def is_list_kind(kind: str | None) -> bool:
    """`kind: List` (what `kubectl get -o yaml` prints) and the typed lists (`DeploymentList`, …,
    `ResourceList`): their `items` are resources."""
    return kind is not None and kind.endswith("List")


def about(doc: Document, owner: Resource, item: int | None = None) -> Resource:
    """The resource a problem is about (the document's, or item `item`'s), with the file it says it came from
    (its path annotation, while the document's scan or annotations are kept): KRM results name it."""
    found = doc.scan
    if found is not None:
        scanned = found.items.get(item) if item is not None else found
        annotations = scanned.annotations if scanned is not None else {}
        for key in PATH_ANNOTATIONS:
            if key in annotations:
                return replace(owner, file=annotations[key])
    return owner
