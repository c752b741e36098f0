"""Builds the C++, Go, Java and TypeScript example clients once per session,
each into its own temp dir with scripts/build-clients.sh, for tests that run
them against a real markcap-server.

Toolchains come from the project's own files: `make client-toolchains`
(scripts/install-client-toolchains.sh, Debian packages) and `make setup`
(npm ci: TypeScript, protobuf-es, connect). A missing toolchain fails the
tests under CI=true and skips them, saying why, elsewhere.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BUILD_SCRIPT = REPO / "scripts" / "build-clients.sh"
BUILD_SECONDS = 480
LANGUAGES = ("cpp", "go", "java", "ts")

# Files whose presence shows a language's toolchain is installed.
TOOLCHAIN_FILES = {
    "cpp": ("/usr/bin/g++", "/usr/bin/pkg-config", "/usr/include/grpcpp/grpcpp.h"),
    "go": ("/usr/bin/go", "/usr/share/gocode/src/google.golang.org/grpc/server.go"),
    "java": ("/usr/bin/javac", "/usr/share/java/grpc-netty.jar"),
    "ts": (str(REPO / "node_modules" / ".bin" / "tsc"),),
}
HOW_TO_INSTALL = {
    "cpp": "run `make client-toolchains`",
    "go": "run `make client-toolchains`",
    "java": "run `make client-toolchains`",
    "ts": "run `make setup` (npm ci)",
}


def _fail_or_skip(message: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


class BuiltClients:
    """Builds each language at most once; remembers failures too."""

    def __init__(self, root: Path):
        self._root = root
        self._built: dict[str, Path | str] = {}

    def program(self, language: str) -> Path:
        """Path of the language's seed2-client, building it on first use."""
        if language not in self._built:
            self._built[language] = self._build(language)
        built = self._built[language]
        if isinstance(built, str):
            pytest.fail(built, pytrace=False)
        return built

    def _build(self, language: str) -> Path | str:
        missing = [path for path in TOOLCHAIN_FILES[language] if not Path(path).exists()]
        if missing:
            _fail_or_skip(f"{language} toolchain missing ({', '.join(missing)}); "
                          f"{HOW_TO_INSTALL[language]}")
        try:
            result = subprocess.run(["bash", str(BUILD_SCRIPT), str(self._root), language],
                                    cwd=REPO, capture_output=True, text=True,
                                    timeout=BUILD_SECONDS)
        except subprocess.TimeoutExpired:
            return f"building the {language} client took over {BUILD_SECONDS} s"
        if result.returncode != 0:
            return (f"building the {language} client failed (exit {result.returncode}):\n"
                    f"{result.stdout}\n{result.stderr}")
        return self._root / language / "seed2-client"


@pytest.fixture(scope="session")
def built_clients(tmp_path_factory) -> BuiltClients:
    root = tmp_path_factory.mktemp("clients")
    yield BuiltClients(root)
    shutil.rmtree(root, ignore_errors=True)
