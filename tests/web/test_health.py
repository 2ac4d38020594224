from litestar.testing import TestClient

from web.app import create_app
from web.projections_cli import migrate_read_models


def test_healthz_reports_the_store_log_position_and_projection_lag(app):
    migrate_read_models(app.settings)
    app.register_account("ada@example.org", "correct horse battery", "Ada")
    with TestClient(create_app(app.settings, application=app)) as client:
        response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["store"] == ("postgresql" if app.settings.is_postgres else "sqlite")
    assert body["position"] >= 2
    participants = body["projections"]["participants"]
    assert participants["lag_events"] == body["position"] - participants["position"]


def test_healthz_is_503_when_the_store_does_not_answer(app, monkeypatch):
    with TestClient(create_app(app.settings, application=app)) as client:

        def broken() -> int:
            raise ConnectionError("store down")

        monkeypatch.setattr(app.recorder, "max_notification_id", broken)
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.headers["retry-after"] == "5"
    assert "store down" not in response.text


def test_the_served_app_freezes_its_startup_objects_once_ready(app, monkeypatch):
    """`openinno serve`'s factory: a full garbage collection then skips the app's own
    objects (web/app.py, freeze_startup_objects)."""
    import gc

    from tests.support.server import server_env
    from web.app import create_served_app

    for name, value in server_env(app.settings, "freeze-test").items():
        if name.startswith("OPENINNO_"):
            monkeypatch.setenv(name, value)
    assert gc.get_freeze_count() == 0
    try:
        served = create_served_app()
        assert gc.get_freeze_count() == 0  # not before the worker is ready
        with TestClient(served) as client:
            assert client.get("/healthz").status_code == 200
            assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
