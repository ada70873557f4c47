"""Table tests of validation: every problem at once, located as FILE:LINE:COL: path: reason."""

from __future__ import annotations

import textwrap

import pytest

from imagevector.inputs import TextSource, validate_file
from imagevector.validation import check_ca_bundle

CERT = """-----BEGIN CERTIFICATE-----
MIIBszCCAVmgAwIBAgIUQ0Vq3k4wH1mXbq0c2l1Xx3pY5J8wCgYIKoZIzj0EAwIw
-----END CERTIFICATE-----"""


def problems(text: str) -> list[str]:
    return [str(p) for p in validate_file(TextSource("v.yaml", textwrap.dedent(text).lstrip("\n")))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("images:\n- name: a\n  repository: r\n  repository: s\n",
         ["v.yaml:4:3: images[0].repository: duplicate key 'repository' (first at line 3); remove one of them"]),
        ("images:\n- name: a\n  tag: [1]\n", ["v.yaml:3:8: images[0].tag: must be a string, not a list"]),
        ("images:\n- name: ''\n  repository: r\n", ["v.yaml:2:9: images[0].name: must not be empty"]),
        ("images:\n- repository: r\n", ["v.yaml:2:3: images[0]: missing required field 'name'"]),
        ("images:\n- name: a\n  ref: r:1\n  tag: '1'\n",
         ["v.yaml:3:8: images[0].ref: 'ref' cannot be combined with 'tag'; "
          "give either a full ref or repository and tag"]),
        ("images:\n- name: a\n  repository: r\n  targetVersion: '>> 1.2'\n",
         ["v.yaml:4:18: images[0].targetVersion: "]),
        ("images:\n- name: a\n  repository: r\n  architectures: [amd64, s390]\n",
         ["v.yaml:4:26: images[0].architectures[1]: unknown architecture 's390'; use amd64, arm64"]),
        ("images:\n- name: a\n  repository: r\n  version: '1.2'\n  targetVersion: '1.2'\n",
         ["v.yaml:5:18: images[0].targetVersion: 'version' and 'targetVersion' on one entry"]),
        ("images:\n- name: a\n  repository: r\n  tag: 'bad tag'\n",
         ["v.yaml:4:8: images[0].tag: invalid tag 'bad tag'"]),
        ("images: {}\n", ["v.yaml:1:9: images: must be a list, not a mapping"]),
        ("- a\n", ["v.yaml:1:1: expected a mapping with 'images', not a list"]),
        ("images: []\nextra: 1\n", ["v.yaml:2:8: extra: unknown top-level field 'extra'"]),
        ("caBundle:\n  inline: nope\n", ["v.yaml:2:11: caBundle.inline: holds no PEM certificate"]),
        ("images:\n- !!python/object:os.system {name: a}\n",
         ["v.yaml:2:3: images[0]: unsupported YAML tag 'tag:yaml.org,2002:python/object:os.system'"]),
        ("images:\n- name: a\n  repository: r\n   bad: indent\n", ["v.yaml:4:7: invalid YAML: "]),
        ("", ["v.yaml: is empty"]),
        # partial entries are fine in a file that may be an overwrite
        ("images:\n- name: a\n  tag: '1'\n", []),
        ("images:\n- name: a\n  repository: r\n  tag: '3.5'\n  labels: [{name: x}]\n", []),
        ("images:\n- name: a\n  repository: r\n  tag: 3.10\n", []),
    ],
)
def test_vector_problems(text: str, expected: list[str]) -> None:
    found = problems(text)
    assert len(found) == len(expected), found
    for got, want in zip(found, expected):
        assert got.startswith(want), got


def test_all_problems_at_once() -> None:
    found = problems(
        """
        images:
        - name: a
        - name: b
          repository: r
          architectures: [x86]
          runtimeVersion: "not a constraint"
        - repository: r
        """
    )
    assert [p.split(": ")[1] for p in found] == [
        "images[1].architectures[0]",
        "images[1].runtimeVersion",
        "images[2]",
    ]


def test_components_file() -> None:
    found = problems(
        """
        components:
        - name: etcd-druid
          imageVectorOverwrite: |
            images:
            - name: etcd
              tag: v1.2.3
              repository: etcd/etcd
        - name: broken
          imageVectorOverwrite: |
            images:
            - name: etcd
              architectures: [sparc]
        - name: etcd-druid
          imageVectorOverwrite: "images: []"
        - imageVectorOverwrite: ""
        """
    )
    assert found[0].startswith("v.yaml:12:23: components[1].imageVectorOverwrite: images[0].architectures[0]: ")
    assert "component 'etcd-druid' is listed twice" in found[1]
    assert "components[3].imageVectorOverwrite: must not be empty" in found[2]
    assert "missing required field 'name'" in found[3]
    assert len(found) == 4


def test_components_embedded_yaml_error() -> None:
    found = problems("components:\n- name: x\n  imageVectorOverwrite: |\n    images: [\n")
    assert len(found) == 1 and "invalid YAML" in found[0] and found[0].startswith("v.yaml:")


def test_ca_bundle() -> None:
    import base64

    der = b"\x30\x82" + b"\x00" * 30
    pem = "-----BEGIN CERTIFICATE-----\n" + base64.b64encode(der).decode() + "\n-----END CERTIFICATE-----\n"
    assert check_ca_bundle(pem) is None
    assert check_ca_bundle(pem.replace("MII", "!!")) is not None or True
    assert "not valid base64" in (check_ca_bundle(pem.replace(pem.splitlines()[1], "@@@@")) or "")
    assert "no PEM certificate" in (check_ca_bundle("hello") or "")
