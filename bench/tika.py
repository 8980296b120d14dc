"""Apache Tika as a benchmark peer: one long-running JVM (bench/tika/TikaBench.java) that
times each extraction itself, so the JVM's start and warm-up are excluded.

The jars come from Maven Central, cached outside the repository (``tika-app`` is not served
there, so its parts are: ``tika-parsers-standard-package`` and its dependencies). The first
run fetches them with Maven (:func:`fetch`, what ``make bench`` does on a fresh clone)::

    mvn -q -f bench/tika/pom.xml dependency:copy-dependencies \\
        -DoutputDirectory=$HOME/.cache/docservice/tika/lib-3.3.1

``TIKA_LIB`` names another folder of jars; ``TIKA_JAVA`` another ``java``;
``DOCSERVICE_BENCH_NO_FETCH=1`` leaves Tika out instead of fetching it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.corpus import cache_dir

TIKA_VERSION = "3.3.1"
SOURCE = Path(__file__).with_name("tika") / "TikaBench.java"


@dataclass(frozen=True)
class TikaRun:
    wall_s: float
    per_file_s: list[float]
    failed: int


def tika_lib() -> Path:
    return Path(os.environ.get("TIKA_LIB") or cache_dir() / "tika" / f"lib-{TIKA_VERSION}")


FETCH_TIMEOUT_S = 1800
POM = Path(__file__).with_name("tika") / "pom.xml"


def tika_status() -> str | None:
    """None when Tika can run here (its jars fetched first if need be); else why not."""
    lib = tika_lib()
    if not any(lib.glob("tika-core-*.jar")):
        reason = fetch(lib)
        if reason is not None:
            return (f"not measured: no Tika jars in {lib} and {reason} (fetch them with "
                    f"`mvn -q -f bench/tika/pom.xml dependency:copy-dependencies "
                    f"-DoutputDirectory={lib}`)")
    if shutil.which(os.environ.get("TIKA_JAVA", "java")) is None:
        return "not measured: no java on PATH (set TIKA_JAVA)"
    return None


def fetch(lib: Path) -> str | None:
    """Fetch Tika's jars from Maven Central into ``lib`` (all or nothing); None when done,
    else why not."""
    if os.environ.get("DOCSERVICE_BENCH_NO_FETCH") == "1":
        return "fetching is off (DOCSERVICE_BENCH_NO_FETCH=1)"
    mvn = shutil.which("mvn")
    if mvn is None:
        return "Maven (mvn) is not installed"
    lib.parent.mkdir(parents=True, exist_ok=True)
    print(f"fetching Apache Tika {TIKA_VERSION} from Maven Central into {lib} "
          "(once; a few minutes) ...", flush=True)
    with tempfile.TemporaryDirectory(dir=lib.parent, prefix=".fetch-") as partial:
        try:
            done = subprocess.run([mvn, "-q", "-B", "-f", str(POM),
                                   "dependency:copy-dependencies",
                                   f"-DoutputDirectory={partial}"], capture_output=True,
                                  text=True, timeout=FETCH_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            return f"Maven did not finish within {FETCH_TIMEOUT_S} s"
        if done.returncode != 0 or not any(Path(partial).glob("tika-core-*.jar")):
            said = (done.stdout + done.stderr).strip().splitlines()[-3:]
            return "Maven could not fetch them: " + " / ".join(said)
        shutil.rmtree(lib, ignore_errors=True)
        os.replace(partial, lib)
        Path(partial).mkdir()  # for the TemporaryDirectory's own cleanup
    return None


class Tika:
    """The JVM, started once; ``run`` times a batch of files with N threads."""

    def __init__(self) -> None:
        java = os.environ.get("TIKA_JAVA", "java")
        self._process = subprocess.Popen(
            [java, "-Xmx1g", "-Dlog4j2.statusLoggerLevel=OFF", "-cp", f"{tika_lib()}/*",
             str(SOURCE)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True, encoding="utf-8")
        while self._readline() != "READY":  # a logging notice may come first
            pass

    def run(self, paths: Sequence[Path], threads: int) -> TikaRun:
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False,
                                         encoding="utf-8") as listing:
            listing.write("\n".join(str(path) for path in paths) + "\n")
        try:
            assert self._process.stdin is not None
            self._process.stdin.write(f"RUN {threads} {listing.name}\n")
            self._process.stdin.flush()
            per_file, failed = [], 0
            while (line := self._readline()).startswith("FILE"):
                _tag, micros, _chars, status = line.split("\t")
                per_file.append(int(micros) / 1e6)
                failed += status != "ok"
            if not line.startswith("DONE"):
                raise RuntimeError(f"unexpected line from the Tika runner: {line!r}")
            return TikaRun(int(line.split("\t")[1]) / 1e6, per_file, failed)
        finally:
            os.unlink(listing.name)

    def close(self) -> None:
        if self._process.poll() is None:
            assert self._process.stdin is not None
            self._process.stdin.write("QUIT\n")
            self._process.stdin.close()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    def _readline(self) -> str:
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line:
            raise RuntimeError("the Tika runner exited")
        return line.rstrip("\n")
