"""Real OCI registries for the end-to-end tests: Debian's `docker-registry` (the CNCF distribution server) on
loopback ports, started and stopped by the tests, and a small generated OCI image layout to push with skopeo."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import socket
import subprocess
import tarfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

MEDIA_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MEDIA_CONFIG = "application/vnd.oci.image.config.v1+json"
MEDIA_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def registry(binary: str, root: Path) -> Iterator[str]:
    """A distribution registry on 127.0.0.1:<free port>, storing under `root`; yields `127.0.0.1:PORT`."""
    root.mkdir(parents=True, exist_ok=True)
    for _attempt in range(5):
        port = _free_port()
        config = root / "config.yml"
        config.write_text(
            "version: 0.1\n"
            "log: {level: error}\n"
            f"storage: {{filesystem: {{rootdirectory: {json.dumps(str(root / 'data'))}}}}}\n"
            f"http: {{addr: 127.0.0.1:{port}}}\n"
        )
        log = (root / "registry.log").open("wb")
        proc = subprocess.Popen([binary, "serve", str(config)], stdout=log, stderr=subprocess.STDOUT)
        try:
            if _wait(port, proc):
                try:
                    yield f"127.0.0.1:{port}"
                finally:
                    _stop(proc)
                    log.close()
                return
        except BaseException:
            _stop(proc)
            log.close()
            raise
        _stop(proc)
        log.close()
    raise RuntimeError(f"docker-registry did not start; see {root / 'registry.log'}")


def _wait(port: int, proc: subprocess.Popen[bytes]) -> bool:
    for _ in range(200):
        if proc.poll() is not None:
            return False  # e.g. the port was taken meanwhile
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/v2/", timeout=1) as response:
                if response.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            time.sleep(0.05)
    return False


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _blob(layout: Path, data: bytes) -> str:
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    (layout / "blobs" / "sha256" / digest.split(":", 1)[1]).write_bytes(data)
    return digest


def oci_layout(path: Path, content: str) -> Path:
    """A one-layer OCI image layout (one file `/hello` holding `content`), tagged `latest`."""
    (path / "blobs" / "sha256").mkdir(parents=True, exist_ok=True)
    tar_bytes = io.BytesIO()
    with tarfile.open(fileobj=tar_bytes, mode="w") as tar:
        data = content.encode()
        info = tarfile.TarInfo("hello")
        info.size, info.mtime, info.mode = len(data), 0, 0o644
        tar.addfile(info, io.BytesIO(data))
    raw = tar_bytes.getvalue()
    layer = gzip.compress(raw, mtime=0)
    layer_digest = _blob(path, layer)
    config = json.dumps({
        "architecture": "amd64", "os": "linux", "config": {},
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(raw).hexdigest()]},
    }).encode()
    config_digest = _blob(path, config)
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": MEDIA_MANIFEST,
        "config": {"mediaType": MEDIA_CONFIG, "digest": config_digest, "size": len(config)},
        "layers": [{"mediaType": MEDIA_LAYER, "digest": layer_digest, "size": len(layer)}],
    }).encode()
    manifest_digest = _blob(path, manifest)
    (path / "oci-layout").write_text(json.dumps({"imageLayoutVersion": "1.0.0"}))
    (path / "index.json").write_text(json.dumps({
        "schemaVersion": 2,
        "manifests": [{"mediaType": MEDIA_MANIFEST, "digest": manifest_digest, "size": len(manifest),
                       "annotations": {"org.opencontainers.image.ref.name": "latest"}}],
    }))
    return path


def skopeo(binary: str, *args: str) -> str:
    """Run skopeo against plain-HTTP loopback registries, with no policy file needed."""
    proc = subprocess.run([binary, "--insecure-policy", *args], capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise AssertionError(f"skopeo {' '.join(args)} failed: {proc.stderr.strip()}")
    return proc.stdout


def push(binary: str, layout: Path, reference: str) -> str:
    """Copy the layout's `latest` to docker://reference; returns the manifest digest in the registry."""
    skopeo(binary, "copy", "--dest-tls-verify=false", f"oci:{layout}:latest", f"docker://{reference}")
    return digest_of(binary, reference)


def digest_of(binary: str, reference: str) -> str:
    out = skopeo(binary, "inspect", "--tls-verify=false", "--raw", f"docker://{reference}")
    return "sha256:" + hashlib.sha256(out.encode()).hexdigest()
