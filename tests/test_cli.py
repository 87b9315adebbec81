"""Command-line tools: the first administrator, occupational fields, translations."""
from __future__ import annotations

from sqlalchemy import func, select

from mimi_match.extensions import db
from mimi_match.models import OccupationalField, Role, User


def test_create_admin(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-admin", "--email", "Boss@Example.org", "--name", "Boss"],
                           input="a strong enough sentence\na strong enough sentence\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "boss@example.org"))
    assert user.role == Role.ADMIN
    client = app.test_client()
    response = client.post("/login", data={"email": "boss@example.org", "password": "a strong enough sentence"})
    assert response.headers["Location"].endswith("/admin/")


def test_create_admin_refuses_common_password(app):
    result = app.test_cli_runner().invoke(args=["create-admin", "--email", "b@example.org", "--name", "B"],
                                          input="password123\npassword123\n")
    assert result.exit_code != 0
    assert "too common" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_fields_load_is_idempotent(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["fields", "load"]).exit_code == 0
    first = db.session.scalar(select(func.count()).select_from(OccupationalField))
    assert runner.invoke(args=["fields", "load"]).exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(OccupationalField)) == first
    assert 20 <= first <= 40
    for field in db.session.scalars(select(OccupationalField)):
        assert field.isco_codes and all(code.isdigit() for code in field.isco_codes)
        assert set(field.names) >= {"en", "nb", "de", "el", "ar", "uk"}, field.code
