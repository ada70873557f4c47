"""The render's data: what it is given (RenderContext, WireOptions and their targets) and what it returns
(RenderResult with its Documents and Problems). Plain data: the pipeline, wiring and KRM framing all
import it, it imports none of them."""

from __future__ import annotations

from ..fields import FieldSpec, default_specs
from ..model import Problem, Resource
from ..records import dataclass, field, replace
from ..scan import DocScan, Limits
from ..settings import Resolved
from .stream import Chunk

TYPE_CHECKING = False  # not typing's: importing typing costs ~3 ms at start (mypy knows the name)
if TYPE_CHECKING:
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
    problems: list[Problem]
    parsed: int = 0  # documents scanned (the shape of the work, for tests)
    generated: list[str] = field(default_factory=list)

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
