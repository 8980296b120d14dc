"""The production compose file cannot run here (no Docker): check it against the code."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path
from typing import Any

import yaml
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
    assert commands == {"init", "serve", "worker"}
    for command in commands:
        result = CliRunner().invoke(main, [command, "--help"])
        assert result.exit_code == 0, result.output


def _compose() -> dict[str, Any]:
    return dict(yaml.safe_load((DEPLOY / "compose.yaml").read_text()))


def test_web_and_workers_start_after_a_one_shot_init_has_migrated() -> None:
    services = _compose()["services"]
    init = services["init"]
    assert init["command"] == ["docservice", "init"]
    assert init["restart"] == "no" and "deploy" not in init  # runs once, one replica
    assert init["environment"] == services["web"]["environment"]  # the same installation
    for name in ("web", "worker"):
        assert services[name]["depends_on"]["init"] == {
            "condition": "service_completed_successfully"}, name
    # init itself waits until the database and the search engine answer
    for backing, condition in init["depends_on"].items():
        assert condition == {"condition": "service_healthy"}
        assert services[backing]["healthcheck"]["test"][0] == "CMD", backing
    assert set(init["depends_on"]) == {"postgres", "elasticsearch"}


def test_every_dependency_names_a_service() -> None:
    services = _compose()["services"]
    for name, service in services.items():
        assert set(service.get("depends_on", {})) <= set(services), name


def test_init_fails_when_the_search_index_cannot_be_created(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {"DOCSERVICE_DATA_DIR": str(tmp_path / "data"),
           "DOCSERVICE_SEARCH_BACKEND": "opensearch",
           "DOCSERVICE_ELASTICSEARCH_URL": f"http://127.0.0.1:{port}"}
    result = CliRunner(env=env).invoke(main, ["init", "--json"])
    assert result.exit_code == 1, result.output
    error = json.loads(result.output)["error"]
    assert error["code"] == "service_unavailable" and str(port) in error["message"]
