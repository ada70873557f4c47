import pytest
from imagevector.fleet import parse_architectures, parse_versions


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.30-1.32", ["1.30", "1.31", "1.32"]),
        ("v1.30-v1.30", ["1.30"]),
        ("1.30.2,1.31", ["1.30.2", "1.31"]),
        ("1.31, 1.30-1.31", ["1.31", "1.30"]),
        ("v1.32.4-gke.100", ["v1.32.4-gke.100"]),
    ],
)
def test_parse_versions(text: str, expected: list[str]) -> None:
    assert parse_versions(text) == expected


@pytest.mark.parametrize("text", ["", "1.34-1.30", "1.30-2.1", "one", "1.30-x"])
def test_parse_versions_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_versions(text)


def test_parse_architectures() -> None:
    assert parse_architectures("amd64, arm64,amd64") == ["amd64", "arm64"]
    for bad in ("", "x86", "amd64,s390x"):
        with pytest.raises(ValueError):
            parse_architectures(bad)
