"""API fixtures: `client` is a TestClient on an app of its own (own data dir, so its own audit log)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api import create_app
from graph.settings import Settings


@pytest.fixture(scope="module")
def client(settings: Settings, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    own = settings.model_copy(update={"data_dir": tmp_path_factory.mktemp("api-data")})
    with TestClient(create_app(own)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def api_settings(client) -> Settings:  # type: ignore[no-untyped-def]
    return client.app.state.eckg.settings


def audit_lines(settings: Settings) -> list[str]:
    path: Path = settings.audit_log
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []
