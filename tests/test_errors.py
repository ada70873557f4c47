"""Bad input gets one human line per problem on stderr, a non-zero exit, no traceback and an empty stdout.

The corpus is a table: (command, stdin, files, expected text in stderr). Files are written to a temporary
folder that is the working directory; `{tmp}` in arguments stands for it.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import without

VECTOR = "images:\n- {name: app, repository: registry.example/app, tag: '1.0'}\n"
DEPLOYMENT = (
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: n}\n"
    "spec:\n  template:\n    spec:\n      containers:\n      - name: c\n        image: app\n"
)
LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(9)
)
RL = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n"

Case = tuple[list[str], bytes, dict[str, str], str]

RENDER = ["render", "--vector", "v.yaml"]
CASES: dict[str, Case] = {
    # malformed YAML everywhere
    "stream-malformed": (RENDER, b"apiVersion: v1\nkind: ConfigMap\ndata: {a: [\n", {}, "document 1, line 4"),
    "stream-malformed-second-doc": (
        RENDER, (DEPLOYMENT + "---\nkind: ConfigMap\ndata:\n  a: b\n c: d\n").encode(), {}, "document 2"),
    "vector-malformed": (RENDER, DEPLOYMENT.encode(), {"v.yaml": "images:\n- name: [\n"}, "v.yaml:3:1: invalid YAML"),
    "overwrite-malformed": (
        [*RENDER, "--overwrite", "o.yaml"], DEPLOYMENT.encode(), {"o.yaml": "images: {\n"}, "o.yaml:2:1: invalid YAML"),
    "component-overwrite-malformed": (
        [*RENDER, "--components-overwrite", "c.yaml"], DEPLOYMENT.encode(),
        {"c.yaml": "components:\n- name: x\n  imageVectorOverwrite: |\n    images: [\n"},
        "c.yaml:5:5: components[0].imageVectorOverwrite: invalid YAML"),
    # encodings and bytes
    "stream-not-utf8": (RENDER, b"a: \xff\xfe\n", {}, "stdin:1:4: is not valid UTF-8"),
    "stream-bom": (RENDER, b"\xef\xbb\xbf" + DEPLOYMENT.encode(), {}, "byte order mark"),
    "stream-tabs": (RENDER, b"kind: Pod\nspec:\n\tcontainers: []\n", {}, "document 1, line 3"),
    "stream-nul": (RENDER, b"kind: Pod\x00\n", {}, "stdin:1:10: contains a NUL byte"),
    "vector-not-utf8": (RENDER, DEPLOYMENT.encode(), {"v.yaml": "images: \udcff\n"}, "v.yaml:1:9: is not valid UTF-8"),
    "vector-bom": (RENDER, DEPLOYMENT.encode(), {"v.yaml": "\ufeff" + VECTOR}, "byte order mark"),
    # duplicate keys
    "stream-duplicate-key": (
        RENDER, b"kind: ConfigMap\nmetadata: {name: a}\ndata:\n  x: 1\n  x: 2\n", {}, "duplicate key 'x'"),
    "vector-duplicate-key": (
        RENDER, DEPLOYMENT.encode(), {"v.yaml": "images:\n- name: a\n  name: b\n  repository: r\n"},
        "v.yaml:3:3: images[0].name: duplicate key 'name'"),
    # ResourceLists
    "rl-no-items": (["render"], (RL + "functionConfig: {}\n").encode(), {}, "ResourceList has no 'items'"),
    "rl-items-not-mappings": (["render"], (RL + "items: [a, b]\n").encode(), {}, "items[0] must be a mapping"),
    "rl-unknown-function-config": (
        ["render"], (RL + "items: []\nfunctionConfig: {apiVersion: v1, kind: Secret}\n").encode(), {},
        "functionConfig kind 'Secret' is not supported"),
    "rl-wrong-field": (
        ["render"],
        (RL + "items: []\nfunctionConfig:\n  apiVersion: imagevector.dev/v1alpha1\n  kind: ImageVectorRenderer\n"
         "  spec: {vector: v.yaml, targetVersoin: '1.30'}\n").encode(), {"v.yaml": VECTOR},
        "spec.targetVersoin: unknown field"),
    "rl-path-escapes": (
        ["render"],
        (RL + "items: []\nfunctionConfig:\n  apiVersion: imagevector.dev/v1alpha1\n  kind: ImageVectorRenderer\n"
         "  spec: {vector: ../v.yaml}\n").encode(), {}, "is outside"),
    "rl-absolute-path": (
        ["render"],
        (RL + "items: []\nfunctionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  data: {vector: /etc/passwd}\n"
         ).encode(), {}, "is outside"),
    # image fields of the wrong type
    "image-not-a-string": (RENDER, DEPLOYMENT.replace("image: app", "image: {name: app}").encode(), {},
                           "spec.template.spec.containers[0].image: image must be a string, not a mapping"),
    "image-a-number": (RENDER, DEPLOYMENT.replace("image: app", "image: 42").encode(), {},
                       "image must be a string, not a number"),
    "containers-not-a-list": (
        RENDER, b"kind: Pod\nmetadata: {name: p}\nspec:\n  containers: {image: app}\n", {},
        "spec.containers: must be a list, not a mapping"),
    "containers-a-string": (
        RENDER, b"kind: Pod\nmetadata: {name: p}\nspec:\n  containers: app\n", {}, "spec.containers: must be a list"),
    "unresolvable": (RENDER, DEPLOYMENT.replace("image: app", "image: registry.example/app:2").encode(),
                     {"v.yaml": VECTOR.replace("}", ", architectures: [arm64]}")},
                     "Deployment n/d: spec.template.spec.containers[0].image: container 'c', image"),
    # paths
    "vector-missing": (["render", "--vector", "nope.yaml"], b"", {}, "nope.yaml: image vector (--vector) not found"),
    "vector-directory": (["render", "--vector", "."], b"", {}, ".: image vector (--vector) is a directory"),
    "overwrite-missing": ([*RENDER, "--overwrite", "x.yaml"], b"", {}, "x.yaml: overwrite (--overwrite) not found"),
    "config-missing": (["render", "--config", "c.yaml"], b"", {}, "c.yaml: config (--config) not found"),
    "env-vector-missing": (["render"], b"", {"ENV:IMAGEVECTOR": "gone.yaml"}, "gone.yaml: image vector ($IMAGEVECTOR)"),
    "env-overwrite-directory": (RENDER, b"", {"ENV:IMAGEVECTOR_OVERWRITE": "."},
                                "overwrite ($IMAGEVECTOR_OVERWRITE) is a"),
    "env-components-missing": (RENDER, b"", {"ENV:IMAGEVECTOR_OVERWRITE_COMPONENTS": "c.yaml"}, "c.yaml: component"),
    # vector content
    "invalid-constraint": (RENDER, b"", {"v.yaml": "images:\n- {name: a, repository: r, targetVersion: '>>1'}\n"},
                           "v.yaml:2:43: images[0].targetVersion: invalid constraint"),
    "invalid-architecture": (RENDER, b"", {"v.yaml": "images:\n- {name: a, repository: r, architectures: [x86]}\n"},
                             "images[0].architectures[0]: unknown architecture 'x86'"),
    "overwrite-not-a-vector": ([*RENDER, "--overwrite", "o.yaml"], b"", {"o.yaml": "- a\n- b\n"},
                               "o.yaml:1:1: expected a mapping with 'images'"),
    "python-tag-stream": (RENDER, b"kind: ConfigMap\ndata: !!python/object/apply:os.system [echo]\n", {},
                          "unsupported YAML tag"),
    "python-tag-vector": (RENDER, b"", {"v.yaml": "images: !!python/object/apply:os.system [echo]\n"},
                          "unsupported YAML tag"),
    # resource limits
    "alias-bomb-stream": (RENDER, LAUGHS.encode(), {}, "aliases would expand to more than"),
    "alias-bomb-vector": (RENDER, b"", {"v.yaml": LAUGHS}, "aliases would expand to more than"),
    "deep-flow-stream": (RENDER, ("a: " + "[" * 50000 + "]" * 50000 + "\n").encode(), {}, "nested deeper than"),
    "deep-block-stream": (RENDER, "".join(f"{' ' * i}k:\n" for i in range(400)).encode(), {}, "nesting deeper than"),
    "deep-vector": (RENDER, b"", {"v.yaml": "a: " + "[" * 50000 + "]" * 50000 + "\n"}, "nested deeper than"),
    "too-large": ([*RENDER, "--max-input-bytes", "10"], DEPLOYMENT.encode(), {}, "larger than 10 bytes"),
    # resolve and validate
    "resolve-unknown": (["resolve", "nope", "--vector", "v.yaml"], b"", {}, "image 'nope' is not in the image vector"),
    "resolve-bad-vector": (["resolve", "a", "--vector", "v.yaml"], b"", {"v.yaml": "images: [\n"}, "invalid YAML"),
    "validate-bad": (["validate", "v.yaml"], b"", {"v.yaml": "images:\n- {name: a, tag: [1]}\n"},
                     "v.yaml:2:18: images[0].tag: must be a string"),
    "validate-missing": (["validate", "nope.yaml"], b"", {}, "nope.yaml: file not found"),
    "validate-bad-crlf": (["validate", "v.yaml"], b"", {"v.yaml": "# x\r\nimages:\r\n- {name: a, tag: [1]}\r\n"},
                          "v.yaml:3:18: images[0].tag: must be a string"),
    "validate-bad-cr": (["validate", "v.yaml"], b"", {"v.yaml": "# x\rimages:\r- {name: a, tag: [1]}\r"},
                        "v.yaml:3:18: images[0].tag: must be a string"),
    "render-config-duplicate-crlf": ([*RENDER, "--config", "c.yaml"], DEPLOYMENT.encode(), {"c.yaml": (
        "apiVersion: imagevector.dev/v1alpha1\r\nkind: ImageVectorRenderer\r\nmetadata: {name: x}\r\n"
        "spec:\r\n  targetVersion: '1.30'\r\n  targetVersion: '1.31'\r\n")}, "c.yaml:6:3"),
    # encodings and characters on every face: one located line (a control character was `position N` in bytes)
    "stream-control-character": (RENDER, (DEPLOYMENT + "---\n# é\r\nb: é\x0c\n").encode(), {},
                                 "stdin (document 2, line 12:5): invalid YAML: character #x000c is not allowed"),
    "vector-control-character": (RENDER, DEPLOYMENT.encode(), {"v.yaml": VECTOR.replace("app,", "a\x01pp,")},
                                 "v.yaml:2:11: invalid YAML: character #x0001 is not allowed"),
    "krm-bom": (["render"], b"\xef\xbb\xbf" + RL.encode() + b"items: []\n", {}, "stdin:1:1: starts with a UTF-8 byte"),
    "krm-utf16": (["render"], (RL + "items: []\n").encode("utf-16"), {}, "stdin:1:1: is UTF-16"),
    "krm-cr-line-breaks": (["render"], (RL + "items: []\n").replace("\n", "\r").encode(), {},
                           "stdin (ResourceList):1:36: a U+000D line break: a ResourceList is read with LF or CRLF"),
    "wire-nel-line-breaks": ([*RENDER, "--overwrite", "v.yaml", "--wire", "Deployment/n/d"],
                             DEPLOYMENT.replace("\n", "\x85").encode(), {}, "cannot wire a document with a U+0085"),
    "legacy-plugin-config-bom": (["legacy-plugin", "c.yaml"], DEPLOYMENT.encode(),
                                 {"c.yaml": "\ufeffkind: ImageVectorRenderer\n"}, "c.yaml:1:1: starts with a UTF-8"),
    "legacy-plugin-stream-not-utf8": (["legacy-plugin", "c.yaml"], b"a: \xff\n", {"c.yaml": (
        "apiVersion: imagevector.dev/v1alpha1\r\nkind: ImageVectorRenderer\r\nmetadata: {name: x}\r\n"
        "spec: {vector: v.yaml}\r\n")}, "stdin:1:4: is not valid UTF-8"),
    "validate-bomb": (["validate", "v.yaml"], b"", {"v.yaml": LAUGHS}, "aliases would expand"),
}


def run_case(tmp: Path, args: list[str], stdin: bytes, files: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    env = without(("IMAGEVECTOR", "KUBE_VERSION"))
    (tmp / "v.yaml").write_text(VECTOR)
    for name, text in files.items():
        if name.startswith("ENV:"):
            env[name[4:]] = text
        else:
            (tmp / name).write_bytes(text.encode("utf-8", "surrogateescape"))
    return subprocess.run(
        [sys.executable, "-m", "imagevector", *args], input=stdin, capture_output=True, cwd=tmp, env=env,
        check=False, timeout=60,
    )


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input(name: str, tmp_path: Path) -> None:
    args, stdin, files, expected = CASES[name]
    started = time.monotonic()
    result = run_case(tmp_path, args, stdin, files)
    elapsed = time.monotonic() - started
    err = result.stderr.decode()
    assert result.returncode != 0, err
    assert "Traceback" not in err
    assert expected in err, err
    if not args[-1].startswith("--") and "render" in args and RL.encode() in stdin:
        # a KRM function answers with a ResourceList that carries the results
        assert b"results:" in result.stdout or result.stdout == b""
    else:
        assert result.stdout == b""
    lines = err.strip().splitlines()
    assert 1 <= len(lines) <= 3, err
    assert elapsed < 10


def test_limits_can_be_raised(tmp_path: Path) -> None:
    stream = "".join(f"{' ' * i}k:\n" for i in range(300)).encode()
    assert run_case(tmp_path, [*RENDER, "--max-depth", "400"], stream, {}).returncode == 0
    assert run_case(tmp_path, [*RENDER, "--max-alias-expansion", str(10**12)], LAUGHS.encode(), {}).returncode == 0


def test_legitimate_anchors_pass_byte_for_byte(tmp_path: Path) -> None:
    stream = (
        "kind: ConfigMap\nmetadata: {name: a}\ndata: &d\n  x: '1'\n---\n"
        "kind: Deployment\nmetadata: &m {name: d}\nspec:\n  template:\n    metadata: *m\n"
        "    spec:\n      containers:\n      - name: c\n        image: app  # pinned below\n"
    )
    result = run_case(tmp_path, RENDER, stream.encode(), {})
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode() == stream.replace("image: app ", "image: registry.example/app:1.0 ")
