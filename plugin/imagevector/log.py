"""The log file: where errors and warnings go when the host hides stderr (Helm 4 always, Helm 3 on success).

Every line starts with a UTC timestamp and the process id, so that runs can be told apart:

    2026-11-25T17:23:53Z imagevector[4242]: warning: images.yaml:3:5: images[0].tags: unknown field …
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable, Mapping, Sequence

ENV_LOG_FILE = "IMAGEVECTOR_LOG_FILE"


def prefix() -> str:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return f"{stamp} imagevector[{os.getpid()}]: "


def append(path: str | None, lines: Iterable[str]) -> None:
    """Append lines to the log file the user (or the Helm 4 launcher) named; a failure is said on stderr."""
    if not path:
        return
    head = prefix()
    text = "".join(f"{head}{line}\n" for line in lines)
    if not text:
        return
    try:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        print(f"imagevector: cannot write the log file {path}: {exc.strerror}", file=sys.stderr)


def path_from_argv(words: Sequence[str], env: Mapping[str, str]) -> str | None:
    """The log file of a command line that may not parse: `--log-file F`, `--log-file=F`, else the environment."""
    for i, word in enumerate(words):
        if word == "--log-file" and i + 1 < len(words):
            return words[i + 1]
        if word.startswith("--log-file="):
            return word.split("=", 1)[1]
    return env.get(ENV_LOG_FILE) or None
