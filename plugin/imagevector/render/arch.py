"""Per-workload architecture: which CPU architectures a pod spec may run on, from its `nodeSelector` and its
required node affinity on `kubernetes.io/arch`, and so which architectures its images must serve.

Pure functions on plain data (a pod spec as parsed YAML); the pipeline calls them only for documents that
mention `kubernetes.io/arch`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..model import ARCHITECTURES
from ..pyyaml import yaml
from ..scan import ScanError
from ..yamlnodes import LOADER

TYPE_CHECKING = False  # not typing's: importing typing costs ~3 ms at start (mypy knows the name)
if TYPE_CHECKING:
    from typing import Any

ARCH_LABELS = ("kubernetes.io/arch", "beta.kubernetes.io/arch")  # the beta label: older charts still use it
HINT = "kubernetes.io/arch"

Selection = frozenset[str] | None  # None: the pod spec does not restrict the architecture


def _term(term: Any, universe: frozenset[str]) -> Selection:
    """The architectures one node selector term admits (its expressions are ANDed)."""
    if not isinstance(term, Mapping):
        return None
    allowed: Selection = None
    for expr in term.get("matchExpressions") or ():
        if not isinstance(expr, Mapping) or expr.get("key") not in ARCH_LABELS:
            continue
        operator = expr.get("operator")
        values = frozenset(str(v) for v in expr.get("values") or () if v is not None)
        if operator == "In":
            allowed = values if allowed is None else allowed & values
        elif operator == "NotIn":
            allowed = (universe if allowed is None else allowed) - values
        elif operator == "DoesNotExist":  # every node has the label: no node matches
            allowed = frozenset()
    return allowed


def pod_architectures(pod_spec: Any, universe: Sequence[str] = ARCHITECTURES) -> Selection:
    """The architectures a pod spec may be scheduled on, or None when it does not say.

    nodeSelector and the required node affinity must both hold (intersection); the affinity's
    nodeSelectorTerms are ORed (union), a term without an architecture expression admits every node."""
    if not isinstance(pod_spec, Mapping):
        return None
    known = frozenset(universe)
    selected: Selection = None
    selector = pod_spec.get("nodeSelector")
    if isinstance(selector, Mapping):
        for label in ARCH_LABELS:
            value = selector.get(label)
            if value is not None:
                one = frozenset((str(value),))
                selected = one if selected is None else selected & one
    affinity = pod_spec.get("affinity")
    node_affinity = affinity.get("nodeAffinity") if isinstance(affinity, Mapping) else None
    required = (
        node_affinity.get("requiredDuringSchedulingIgnoredDuringExecution")
        if isinstance(node_affinity, Mapping)
        else None
    )
    terms = required.get("nodeSelectorTerms") if isinstance(required, Mapping) else None
    if isinstance(terms, list) and terms:
        union: set[str] = set()
        unrestricted = False
        for term in terms:
            admitted = _term(term, known | (selected or frozenset()))
            if admitted is None:
                unrestricted = True
                break
            union |= admitted
        if not unrestricted:
            selected = frozenset(union) if selected is None else selected & union
    return selected


def effective(selected: Selection, cluster: Sequence[str]) -> tuple[str, ...]:
    """The architectures a workload's images must serve: the cluster's, narrowed by the pod spec's selection.

    A selection outside the cluster's architectures wins over them (the workload says where it runs: an
    arm64 DaemonSet in a cluster rendered for the default amd64 gets its arm64 image). An empty selection
    (no node can match) leaves the cluster's."""
    if not selected:
        return tuple(cluster)
    inside = tuple(arch for arch in cluster if arch in selected)
    if inside:
        return inside
    order = {arch: i for i, arch in enumerate(ARCHITECTURES)}
    return tuple(sorted(selected, key=lambda arch: (order.get(arch, len(order)), arch)))


def walk(document: Any, steps: Sequence[str], indices: Sequence[int | None]) -> Any:
    """The node at a scan path (`[]` steps take the list index), or None."""
    node = document
    for step, index in zip(steps, indices, strict=True):
        if index is not None:
            if not isinstance(node, list) or index >= len(node):
                return None
            node = node[index]
        elif isinstance(node, Mapping):
            node = node.get(step)
        else:
            return None
    return node


def parse(text: str) -> Any:
    """The first document of a chunk as plain data (the scan has already checked its syntax and limits)."""
    try:
        for document in yaml.load_all(text, Loader=LOADER):
            if document is not None:
                return document
    except (yaml.YAMLError, RecursionError) as exc:  # not expected after the scan: still an error, not a guess
        raise ScanError(f"cannot read the node selector and affinity on {HINT}: {' '.join(str(exc).split())}") from None
    return None


class WorkloadArchitectures:
    """The architectures each image field of one document must serve (pod specs read once, on demand)."""

    def __init__(self, text: str, specs: Sequence[Any], applies: Sequence[bool], cluster: Sequence[str]) -> None:
        self.text = text
        self.specs = specs
        self.applies = applies
        self.cluster = tuple(cluster)
        self.mentioned = HINT in text
        self._document: Any = None
        self._parsed = False

    def selection(self, steps: Sequence[str], indices: Sequence[int | None], spec_indices: Sequence[int]) -> Selection:
        """The pod spec's own selection for an image field at `steps` (None: not restricted, or no pod spec)."""
        if not self.mentioned:
            return None
        for i in spec_indices:
            spec = self.specs[i]
            if not (spec.pod_spec and self.applies[i]):
                continue
            if not self._parsed:
                self._parsed = True
                self._document = parse(self.text)
            depth = len(spec.path)
            return pod_architectures(walk(self._document, steps[:depth], indices[:depth]),
                                     (*ARCHITECTURES, *self.cluster))
        return None

    def note(self, selected: Selection, archs: Sequence[str]) -> str:
        """Why the image must serve `archs`, for an error message."""
        if selected:
            return f"the pod spec runs on {', '.join(archs)} (nodeSelector or node affinity on {HINT}); "
        if len(archs) > 1:
            return (
                f"the workload may run on {', '.join(archs)} (the cluster's --architecture) and needs an image "
                f"that serves all of them; pin it with a nodeSelector on {HINT}, or give the image an entry "
                "without 'architectures'; "
            )
        return ""
