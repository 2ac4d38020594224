from litestar.testing import TestClient

from web.app import create_app


def test_healthz_reports_the_store_and_log_position(app):
    app.register_account("ada@example.org", "correct horse battery", "Ada")
    with TestClient(create_app(app.settings, application=app)) as client:
        response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["store"] == ("postgresql" if app.settings.is_postgres else "sqlite")
    assert body["position"] >= 2
