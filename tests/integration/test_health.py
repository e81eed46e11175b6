"""``/healthz`` asks the database through the health service, never the engine itself."""

from datetime import datetime
from pathlib import Path

from fastapi.testclient import TestClient

from opcert.bootstrap import build
from opcert.domain.clock import SHANGHAI, FixedClock
from opcert.interfaces.api.app import create_app
from opcert.settings import Settings


def test_healthz_answers_503_when_the_database_cannot_be_reached(tmp_path: Path) -> None:
    nobody_listens = "postgresql+psycopg://opcert:opcert@127.0.0.1:9/opcert?connect_timeout=2"
    settings = Settings(data_dir=tmp_path, database_url=nobody_listens, env="development")
    platform = build(settings, clock=FixedClock(datetime(2026, 6, 1, 9, 0, tzinfo=SHANGHAI)))
    try:
        response = TestClient(create_app(platform)).get("/healthz")
    finally:
        platform.close()
    assert response.status_code == 503
    assert response.json() == {"status": "database unavailable"}
