"""Container image references: registry host, repository path, tag and digest. Pure parsing.

The grammar is the one of the distribution project (what Docker, containerd, skopeo and crane accept):
``[HOST[:PORT]/]PATH[:TAG][@ALGORITHM:HEX]``. The first path segment is a registry host when it has a
dot or a colon, is ``localhost`` or has an upper-case letter (hosts compare in lower case); otherwise the
reference is on Docker Hub, whose short forms are normalised: ``nginx`` and ``library/nginx`` are
``docker.io/library/nginx``, ``bitnami/redis`` is ``docker.io/bitnami/redis``, ``index.docker.io`` is
``docker.io``.
"""

from __future__ import annotations

from collections.abc import Iterable

from .lazyre import lazy
from .records import dataclass

DOCKER_HUB = "docker.io"
_HUB_ALIASES = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})
_OFFICIAL = "library"


_host = lazy(
    r"^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*"
    r"|\[[0-9a-fA-F:.]+\])(?::[0-9]+)?$"
)


_segment = lazy(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$")


_tag = lazy(r"^[\w][\w.-]{0,127}$")


_digest = lazy(r"^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$")


_MAX_NAME = 255


class InvalidReference(ValueError):
    """Not an image reference; the message says what is wrong."""


@dataclass(frozen=True)
class Reference:
    """A parsed image reference; `registry` and `path` are normalised, `text` is what was written."""

    registry: str
    path: str
    tag: str | None = None
    digest: str | None = None
    text: str = ""

    @property
    def name(self) -> str:
        """The fully qualified repository: `docker.io/library/nginx`."""
        return f"{self.registry}/{self.path}"

    @property
    def canonical(self) -> str:
        """The fully qualified reference: `docker.io/library/nginx:1.27@sha256:…`."""
        return self.name + (f":{self.tag}" if self.tag else "") + (f"@{self.digest}" if self.digest else "")

    @property
    def pinned(self) -> bool:
        """Has a tag or a digest (else a runtime pulls `latest`)."""
        return self.tag is not None or self.digest is not None


def split_host(text: str) -> tuple[str | None, str]:
    """(host or None, rest) of a repository name, by the Docker rule for the first path segment."""
    first, sep, rest = text.partition("/")
    if sep and (("." in first or ":" in first) or first == "localhost" or first != first.lower()):
        return first, rest
    return None, text


def normalize_name(text: str) -> tuple[str, str]:
    """(registry, path) of a repository name without tag or digest, Docker Hub's short forms expanded.
    InvalidReference when it is not a valid repository name."""
    if not text:
        raise InvalidReference("empty image reference")
    host, path = split_host(text)
    if host is None:
        registry = DOCKER_HUB
    elif not _host().match(host):
        raise InvalidReference(f"{host!r} is not a valid registry host")
    else:
        registry = DOCKER_HUB if host.lower() in _HUB_ALIASES else host.lower()  # host names ignore case
    if not path:
        raise InvalidReference("the repository path is empty")
    for segment in path.split("/"):
        if not _segment().match(segment):
            raise InvalidReference(
                f"{segment!r} is not a valid repository path segment (lower-case letters, digits, '.', '_', '-')"
            )
    if registry == DOCKER_HUB and "/" not in path:
        path = f"{_OFFICIAL}/{path}"
    if len(registry) + 1 + len(path) > _MAX_NAME:
        raise InvalidReference(f"the repository name is longer than {_MAX_NAME} characters")
    return registry, path


def parse(text: str) -> Reference:
    """Parse `[HOST/]PATH[:TAG][@DIGEST]`; InvalidReference (one line, for people) when it is not one."""
    if text != text.strip() or any(c.isspace() for c in text):
        raise InvalidReference("an image reference has no spaces")
    rest, at, digest = text.partition("@")
    if at and not _digest().match(digest):
        raise InvalidReference(f"{digest!r} is not a valid digest (ALGORITHM:HEX, e.g. sha256:…)")
    tag: str | None = None
    slash, colon = rest.rfind("/"), rest.rfind(":")
    if colon > slash:
        rest, tag = rest[:colon], rest[colon + 1 :]
        if not _tag().match(tag):
            raise InvalidReference(f"{tag!r} is not a valid tag")
    registry, path = normalize_name(rest)
    return Reference(registry, path, tag, digest if at else None, text)


def is_host(text: str) -> bool:
    """A bare registry host (`registry.k8s.io`, `localhost:5000`, `docker.io`), not a repository."""
    return "/" not in text and ("." in text or ":" in text or text == "localhost") and bool(_host().match(text))


def unique_sorted(references: Iterable[str]) -> tuple[list[Reference], list[tuple[str, str]]]:
    """(the distinct references, by their fully qualified form, sorted; the texts that are not references
    with the reason)."""
    seen: dict[str, Reference] = {}
    invalid: dict[str, str] = {}
    for text in references:
        if text in invalid:
            continue
        try:
            ref = parse(text)
        except InvalidReference as exc:
            invalid[text] = str(exc)
            continue
        seen.setdefault(ref.canonical, ref)
    return [seen[key] for key in sorted(seen)], list(invalid.items())
