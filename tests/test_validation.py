"""Table tests of validation: every problem at once, located as FILE:LINE:COL: path: reason."""

from __future__ import annotations

import textwrap

import pytest
from imagevector.cabundle import check_ca_bundle
from imagevector.inputs import TextSource, validate_file

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
    for got, want in zip(found, expected, strict=True):
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
    # in the order of the file: the entry (line 15, column 3) before its field (column 5)
    assert "components[3]: missing required field 'name'" in found[2]
    assert "components[3].imageVectorOverwrite: must not be empty" in found[3]
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


# --------------------------------------------------------------------------- mistakes that used to pass silently

def warnings_and_errors(text: str, version_field: str = "constraint") -> tuple[list[str], list[str]]:
    found = validate_file(TextSource("v.yaml", textwrap.dedent(text).lstrip("\n")), version_field)  # type: ignore[arg-type]
    return ([str(p) for p in found if p.severity == "warning"], [str(p) for p in found if p.severity == "error"])


@pytest.mark.parametrize(
    ("repository", "expected"),
    [
        ("docker.io/library/nginx:1.27", "'docker.io/library/nginx:1.27' holds a tag; split it: "
         "repository: docker.io/library/nginx, tag: '1.27'"),
        ("nginx:latest", "holds a tag; split it: repository: nginx, tag: 'latest'"),
        ("localhost:5000/team/app:v1", "split it: repository: localhost:5000/team/app, tag: 'v1'"),
        ("r.example/app@sha256:" + "a" * 64, "holds a digest; split it: repository: r.example/app, tag: sha256:"),
        ("r.example/app:v1@sha256:" + "a" * 64, "split it: repository: r.example/app, tag: v1@sha256:"),
    ],
)
def test_repository_with_tag_or_digest_is_an_error(repository: str, expected: str) -> None:
    warnings, errors = warnings_and_errors(f"images:\n- name: a\n  repository: {repository}\n")
    assert warnings == []
    assert len(errors) == 1 and errors[0].startswith("v.yaml:3:15: images[0].repository: "), errors
    assert expected in errors[0]


@pytest.mark.parametrize("repository", ["localhost:5000/app", "r.example:443/a/b", "registry.k8s.io/pause"])
def test_repository_with_registry_port_is_fine(repository: str) -> None:
    assert warnings_and_errors(f"images:\n- name: a\n  repository: {repository}\n") == ([], [])


@pytest.mark.parametrize(
    ("field", "suggestion"),
    [
        ("tags", "did you mean 'tag'?"),
        ("targetversion", "did you mean 'targetVersion'?"),
        ("architecture", "did you mean 'architectures'?"),
        ("repo", "did you mean 'repository'?"),
        ("arch", "did you mean 'architectures'?"),
        ("runtimeVersions", "did you mean 'runtimeVersion'?"),
        ("sourceRepo", "did you mean 'sourceRepository'?"),
        ("frobnicate", ""),
    ],
)
def test_unknown_entry_field_warns_with_suggestion(field: str, suggestion: str) -> None:
    warnings, errors = warnings_and_errors(f"images:\n- name: a\n  repository: r\n  {field}: x\n")
    assert errors == []
    assert len(warnings) == 1 and warnings[0].startswith(f"v.yaml:4:3: images[0].{field}: unknown field '{field}'")
    assert suggestion in warnings[0]
    assert ("did you mean" in warnings[0]) == bool(suggestion)


def test_fields_of_other_tools_stay_silent() -> None:
    text = """
        images:
        - name: a
          repository: r
          labels: [{name: cloud.gardener.cnudie/dso/scanning-hints/binary_id/v1, value: {policy: skip}}]
          resourceId: {name: a}
          comment: pinned for CVE-2025-1234
          x-team: platform
        """
    assert warnings_and_errors(text) == ([], [])


def test_fixture_vectors_have_no_warnings() -> None:
    from pathlib import Path

    from imagevector.inputs import read_source

    for path in sorted((Path(__file__).parent / "fixtures").glob("*.yaml")):
        assert validate_file(read_source(str(path), "vector")) == [], path


def test_duplicate_entry_keys_warn_naming_both_lines() -> None:
    warnings, errors = warnings_and_errors(
        """
        images:
        - name: a
          repository: r/one
          targetVersion: ">= 1.30"
        - name: b
          repository: r/b
        - name: a
          repository: r/two
          targetVersion: ">= 1.30"
        - name: a
          repository: r/three
          targetVersion: ">= 1.31"
        """
    )
    assert errors == []
    assert len(warnings) == 1
    assert warnings[0].startswith("v.yaml:7:3: images[2]: has the same name, runtimeVersion, targetVersion and "
                                  "architectures as the entry at line 2")
    assert "merged into one entry" in warnings[0]


def test_duplicate_keys_ignore_architecture_order() -> None:
    warnings, _ = warnings_and_errors(
        "images:\n- {name: a, repository: r, architectures: [amd64, arm64]}\n"
        "- {name: a, repository: s, architectures: [arm64, amd64]}\n"
    )
    assert len(warnings) == 1 and "at line 2" in warnings[0] and warnings[0].startswith("v.yaml:3:3:")


def test_label_mode_version_is_free_text() -> None:
    text = "images:\n- name: a\n  repository: r\n  version: build-17\n"
    assert warnings_and_errors(text, "label") == ([], [])
    _, errors = warnings_and_errors(text, "constraint")
    assert len(errors) == 1 and "images[0].version" in errors[0]
    # version and targetVersion together are fine when version is a label
    assert warnings_and_errors(text + "  targetVersion: '>= 1.30'\n", "label") == ([], [])


def test_unknown_top_level_field_suggests() -> None:
    _, errors = warnings_and_errors("image:\n- {name: a, repository: r}\n")
    assert errors == ["v.yaml:2:1: image: unknown top-level field 'image'; did you mean 'images'?"]


def test_component_overwrite_warnings_do_not_drop_the_component() -> None:
    from imagevector.inputs import load_components

    warnings: list[object] = []
    source = TextSource("c.yaml", "components:\n- name: x\n  imageVectorOverwrite: |\n    images:\n"
                        "    - {name: a, tags: '1'}\n")
    components = load_components(source, warnings=warnings)  # type: ignore[arg-type]
    assert [c.name for c in components] == ["x"]
    assert len(warnings) == 1 and "c.yaml:5:17: components[0].imageVectorOverwrite: images[0].tags" in str(warnings[0])


# --------------------------------------------------------------------------- the CA bundle's validity dates

OLD_CA = """-----BEGIN CERTIFICATE-----
MIIBCDCBsAIBATAKBggqhkjOPQQDAjARMQ8wDQYDVQQDDAZvbGQtY2EwHhcNMjAw
MTAxMDAwMDAwWhcNMjEwMTAxMDAwMDAwWjARMQ8wDQYDVQQDDAZvbGQtY2EwWTAT
BgcqhkjOPQIBBggqhkjOPQMBBwNCAARZWe25Oy4WfdHoMoV04f3TLCchujVMt3SB
u/UGEE0Anoeyd7Tow8tgaK6nScEG1bI7Nf3XgYxLvhW+FqfYuM8yMAoGCCqGSM49
BAMCA0cAMEQCIGwMIrSovUJM7PNybbVR5bSaasHytIX1MLB3PQ0X0A1bAiBl84ur
1YukG9+cawKtBANhCvupF1wTcCiiZGwmo3q7+w==
-----END CERTIFICATE-----"""
# valid 2000-01-01 .. 2100-01-01 (UTCTime, then GeneralizedTime)
GOOD_CA = """-----BEGIN CERTIFICATE-----
MIIBCzCBsgIBAzAKBggqhkjOPQQDAjARMQ8wDQYDVQQDDAZvbGQtY2EwIBcNMDAw
MTAxMDAwMDAwWhgPMjEwMDAxMDEwMDAwMDBaMBExDzANBgNVBAMMBm9sZC1jYTBZ
MBMGByqGSM49AgEGCCqGSM49AwEHA0IABFlZ7bk7LhZ90egyhXTh/dMsJyG6NUy3
dIG79QYQTQCeh7J3tOjDy2BorqdJwQbVsjs1/deBjEu+Fb4Wp9i4zzIwCgYIKoZI
zj0EAwIDSAAwRQIgXcGoKnV4JDBle3BrCyOeVbBaj6UUbE3c0Adp7uL76pMCIQCc
Y6Re0cF2Gz2q0Axozqz1zKW4HcySBu/CMCeHBPoN2w==
-----END CERTIFICATE-----"""
# valid from 2098
FUTURE_CA = """-----BEGIN CERTIFICATE-----
MIIBDTCBtAIBAjAKBggqhkjOPQQDAjARMQ8wDQYDVQQDDAZvbGQtY2EwIhgPMjA5
ODAxMDEwMDAwMDBaGA8yMDk5MTIzMTIzNTk1OVowETEPMA0GA1UEAwwGb2xkLWNh
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEWVntuTsuFn3R6DKFdOH90ywnIbo1
TLd0gbv1BhBNAJ6Hsne06MPLYGiup0nBBtWyOzX914GMS74Vvhan2LjPMjAKBggq
hkjOPQQDAgNIADBFAiB9bYVWAOHics+Bk1Ouc2GkfIty39tCsVeg1J2DvAG8nwIh
AIla5SQrEQzr8S1HdFs9fOOqz3pStcDfOUvDn9yuiFeq
-----END CERTIFICATE-----"""


def test_ca_bundle_validity_dates() -> None:
    from datetime import datetime, timezone

    from imagevector.cabundle import ca_bundle_validity

    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert ca_bundle_validity(GOOD_CA, now) == []
    assert ca_bundle_validity(OLD_CA, now) == ["certificate 1 expired on 2021-01-01 00:00:00 UTC"]
    assert ca_bundle_validity(FUTURE_CA, now) == ["certificate 1 is not valid before 2098-01-01 00:00:00 UTC"]
    assert ca_bundle_validity(GOOD_CA + "\n" + OLD_CA, now) == ["certificate 2 expired on 2021-01-01 00:00:00 UTC"]
    assert ca_bundle_validity(GOOD_CA, datetime(2100, 1, 2, tzinfo=timezone.utc))[0].startswith("certificate 1 exp")


def test_expired_ca_bundle_is_a_warning() -> None:
    indented = textwrap.indent(OLD_CA, "    ")
    warnings, errors = warnings_and_errors("caBundle:\n  inline: |\n" + indented + "\nimages: []\n")
    assert errors == []
    assert len(warnings) == 1 and warnings[0].startswith("v.yaml:2:11: caBundle.inline: certificate 1 expired on")
    assert warnings_and_errors("caBundle:\n  inline: |\n" + textwrap.indent(GOOD_CA, "    ") + "\n") == ([], [])


def test_ca_bundle_v3_certificate_from_openssl_req() -> None:
    """A v3 certificate (explicit [0] version field), as `openssl req -x509` makes them."""
    import shutil
    import subprocess
    import tempfile
    from datetime import datetime, timezone

    from imagevector.cabundle import ca_bundle_validity

    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", f"{tmp}/k.pem", "-subj", "/CN=test-ca", "-days", "2", "-out", f"{tmp}/c.pem"],
            capture_output=True, check=False,
        )
        assert proc.returncode == 0, proc.stderr
        with open(f"{tmp}/c.pem", encoding="ascii") as handle:
            pem = handle.read()
    assert check_ca_bundle(pem) is None
    assert ca_bundle_validity(pem) == []
    assert ca_bundle_validity(pem, datetime(2199, 1, 1, tzinfo=timezone.utc))[0].startswith("certificate 1 expired")


def test_problems_of_decoding_and_of_validation_come_in_the_order_of_the_file() -> None:
    found = problems(
        """
        images:
        - name: a
          repository: r
          tag: "bad tag"
        - name: b
          repository: r
          repository: s
          comment: !custom x
        - repository: r
        """
    )
    assert [p.split(": ", 2)[:2] for p in found] == [
        ["v.yaml:4:8", "images[0].tag"],  # validation
        ["v.yaml:7:3", "images[1].repository"],  # decoding: duplicate key
        ["v.yaml:8:12", "images[1].comment"],  # decoding: tag
        ["v.yaml:9:3", "images[2]"],  # validation: missing name
    ]
