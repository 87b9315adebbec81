"""Error pages: a clear message for every error code, never a traceback."""
from __future__ import annotations

import pytest
from flask import abort

from mimi_match.access import public


def _no_traceback(response):
    body = response.get_data(as_text=True)
    assert "Traceback" not in body and "File \"" not in body and "ZeroDivisionError" not in body
    return body


def test_404_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in _no_traceback(response)


def test_405_page(client):
    response = client.get("/logout")
    assert response.status_code == 405
    _no_traceback(response)


def test_413_page(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/login", data={"email": "x" * 5000, "password": "y"})
    assert response.status_code == 413
    assert "too large" in _no_traceback(response)


@pytest.mark.parametrize("code, words", [(400, "Bad request"), (403, "Not allowed"), (429, "Too many attempts")])
def test_aborts_render_friendly_pages(app, client, code, words):
    @app.get(f"/raise-{code}")
    @public
    def raiser():
        abort(code)

    response = client.get(f"/raise-{code}")
    assert response.status_code == code
    assert words in _no_traceback(response)


def test_500_page_hides_the_error(app, client, caplog):
    @app.get("/boom")
    @public
    def boom():
        return 1 / 0

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/boom")
    assert response.status_code == 500
    assert "Something went wrong" in _no_traceback(response)
    assert any("unhandled error" in r.getMessage() for r in caplog.records)


def test_csrf_missing_gives_clear_400(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    # refused before any database work, so this app needs no tables
    response = app.test_client().post("/login", data={"email": "a@example.org", "password": "whatever1"})
    assert response.status_code == 400
    assert "reload the page" in _no_traceback(response)
