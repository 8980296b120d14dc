from pathlib import Path

import pytest

from docservice.config import load_settings
from docservice.errors import ConfigError


def test_defaults_are_the_embedded_tier() -> None:
    settings = load_settings(environ={})
    assert settings.data_dir == Path("var")
    assert (settings.search_backend, settings.storage_backend, settings.queue_backend) == (
        "embedded", "local", "inline")
    assert settings.resolved_database_url.startswith("sqlite:///")


def test_values_come_from_docservice_variables() -> None:
    settings = load_settings(environ={"DOCSERVICE_DATA_DIR": "/srv/docs",
                                      "DOCSERVICE_WORKERS": "4",
                                      "DOCSERVICE_S3_SECURE": "yes",
                                      "DOCSERVICE_SEARCH_BACKEND": "Elasticsearch"})
    assert settings.data_dir == Path("/srv/docs")
    assert settings.workers == 4 and settings.s3_secure is True
    assert settings.search_backend == "elasticsearch"


@pytest.mark.parametrize(("variable", "value"), [
    ("DOCSERVICE_WORKERS", "two"),
    ("DOCSERVICE_WORKERS", "0"),
    ("DOCSERVICE_S3_SECURE", "maybe"),
    ("DOCSERVICE_STORAGE_BACKEND", "ftp"),
    ("DOCSERVICE_QUEUE_BACKEND", "celery"),
])
def test_a_bad_value_names_the_variable(variable: str, value: str) -> None:
    with pytest.raises(ConfigError, match=variable):
        load_settings(environ={variable: value})


def test_a_misspelt_variable_is_an_error() -> None:
    with pytest.raises(ConfigError, match="DOCSERVICE_DATADIR"):
        load_settings(environ={"DOCSERVICE_DATADIR": "/tmp/x"})


def test_settings_are_frozen() -> None:
    settings = load_settings(environ={})
    with pytest.raises(AttributeError):
        settings.workers = 3  # type: ignore[misc]
