"""The production compose file cannot run here (no Docker): check it against the code."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from docservice.cli import main
from docservice.config import Settings, load_settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def _docservice_variables(text: str) -> set[str]:
    return set(re.findall(r"\b(DOCSERVICE_[A-Z0-9_]+)\b", text))


def test_every_variable_in_the_deployment_is_a_setting() -> None:
    known = {f"DOCSERVICE_{name.upper()}" for name in Settings.__dataclass_fields__}
    for name in ("compose.yaml", "docservice.env.example", "Dockerfile", "README.md"):
        used = _docservice_variables((DEPLOY / name).read_text())
        assert used, f"{name} names no setting"
        assert used <= known, f"{name} uses unknown settings {sorted(used - known)}"


def test_the_example_env_file_loads() -> None:
    env = {}
    for line in (DEPLOY / "docservice.env.example").read_text().splitlines():
        if line.startswith("DOCSERVICE_"):
            key, value = line.split("=", 1)
            env[key] = value
    settings = load_settings(environ=env)
    assert settings.index_prefix == "docservice" and settings.workers == 2


def test_every_command_in_the_deployment_exists() -> None:
    compose = (DEPLOY / "compose.yaml").read_text()
    commands = set(re.findall(r'\["docservice", "([a-z-]+)"', compose))
    assert commands == {"serve", "worker"}
    for command in commands:
        result = CliRunner().invoke(main, [command, "--help"])
        assert result.exit_code == 0, result.output
