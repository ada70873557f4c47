"""Lists of cluster versions and architectures a fleet runs (`--target-versions 1.30-1.34`, `amd64,arm64`).

Shared by the commands that look at a whole fleet (matrix, diff, images, validate coverage). Pure parsing.

A bare minor (``1.30``) stands for ``1.30.0``: that is how the resolver reads a cluster version without a
patch, so a constraint such as ``>= 1.30.2`` does not match it. Write ``1.30.2`` to mean a later patch.
"""

from __future__ import annotations

import re

from . import semver
from .model import ARCHITECTURES

_MINOR = re.compile(r"^v?(\d+)\.(\d+)$")

BARE_MINOR_HELP = (
    "a range of minors is written 1.30-1.34, a list 1.30.2,1.31; a bare minor such as 1.31 stands for "
    "1.31.0, as the resolver reads a version without a patch (so '>= 1.31.2' does not match it)"
)


def parse_versions(text: str) -> list[str]:
    """`1.30-1.34`, `1.30.2,1.31` or a mix: each version once, in the order given. ValueError if invalid."""
    out: list[str] = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        low, sep, high = item.partition("-")
        first, last = _MINOR.match(low.strip()), _MINOR.match(high.strip()) if sep else None
        if sep and first and last:
            major = int(first.group(1))
            if int(last.group(1)) != major or int(last.group(2)) < int(first.group(2)):
                raise ValueError(f"{item!r}: a range goes from a lower to a higher minor of one major, e.g. 1.30-1.34")
            values = [f"{major}.{minor}" for minor in range(int(first.group(2)), int(last.group(2)) + 1)]
        elif sep and first:
            raise ValueError(f"{item!r}: a range of minors is written 1.30-1.34")
        else:
            try:
                semver.parse_version(semver.normalize_cluster_version(item))
            except ValueError:
                raise ValueError(f"{item!r} is not a Kubernetes version or a range of minors (1.30-1.34)") from None
            values = [item]
        out.extend(v for v in values if v not in out)
    if not out:
        raise ValueError("no version given; e.g. 1.30-1.34 or 1.30.2,1.31")
    return out


def parse_architectures(text: str) -> list[str]:
    """`amd64,arm64`: each known architecture once. ValueError if one is unknown or none is given."""
    out: list[str] = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        if item not in ARCHITECTURES:
            raise ValueError(f"architecture {item!r} is unknown; use {' or '.join(ARCHITECTURES)}")
        if item not in out:
            out.append(item)
    if not out:
        raise ValueError(f"no architecture given; e.g. {','.join(ARCHITECTURES)}")
    return out
