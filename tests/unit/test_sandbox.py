"""Security finding 12: a reader taken over by a hostile file runs in a child that has no
secrets in its environment, cannot reach the network, and is not root."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

from docservice.domain import ExtractedText
from docservice.ingest.base import ExtractorSpec, ProgressCallback
from docservice.ingest.isolation import extract_isolated
from docservice.ingest.registry import Registry
from docservice.ingest.sandbox import unprivileged_identity

REPO = Path(__file__).resolve().parents[2]
SECRETS = {"DOCSERVICE_SECRET_KEY": "s3cr3t-session-key",
           "DOCSERVICE_S3_SECRET_KEY": "s3cr3t-bucket-key",
           "DOCSERVICE_MASTER_KEY": "s3cr3t-master-key",
           "AWS_SECRET_ACCESS_KEY": "s3cr3t-aws-key"}


def probe_reader(path: Path, progress: ProgressCallback | None = None) -> ExtractedText:
    """What a hostile file could try once it runs code in the reader."""
    port = int(path.read_text())
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=3) as connection:
            connection.sendall(b"stolen")
        network = "connected"
    except OSError as exc:
        network = f"refused ({exc.strerror})"
    seen = " ".join(f"{name}={value}" for name, value in os.environ.items())
    seen += Path("/proc/self/environ").read_bytes().decode(errors="replace")
    return ExtractedText(pages=[json.dumps({
        "network": network, "uid": os.getuid(),
        "secrets_seen": sorted(value for value in SECRETS.values() if value in seen)})])


PROBE = Registry([ExtractorSpec("probe", ("test/probe",), probe_reader)])


def probe_in_child(path: str) -> None:
    """Run by the test in a fresh interpreter whose environment holds the secrets."""
    result = extract_isolated(Path(path), "test/probe", timeout_s=30, memory_mb=1024,
                              registry=PROBE)
    print(result.pages[0])


class Listener:
    """A loopback TCP server recording whether anyone got through."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.reached = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            connection.close()
            self.reached.set()


def test_extraction_child_sees_no_secret_and_reaches_no_listener(tmp_path: Path) -> None:
    listener = Listener()
    target = tmp_path / "hostile.bin"
    target.write_text(str(listener.port))

    # The same reader in this process gets through and sees the secrets: the probe works.
    in_process = json.loads(PROBE.extract(target, "test/probe").pages[0])
    assert in_process["network"] == "connected"
    assert listener.reached.wait(5)
    listener.reached.clear()

    run = subprocess.run(
        [sys.executable, "-c",
         f"from tests.unit.test_sandbox import probe_in_child; probe_in_child({str(target)!r})"],
        cwd=REPO, env={**os.environ, **SECRETS}, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    in_child = json.loads(run.stdout.strip().splitlines()[-1])
    assert in_child["secrets_seen"] == []
    assert in_child["network"].startswith("refused"), in_child
    assert not listener.reached.is_set()
    # A root server's child reads files as nobody where Python is readable by nobody.
    assert in_child["uid"] == (65534 if unprivileged_identity() else os.getuid())
    listener.server.close()
