"""The front page and each role's landing page render."""
import pytest


def test_front_page(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"MiMi Match" in response.data


@pytest.mark.parametrize("role, path", [
    ("participant", "/me/"), ("coach", "/coach/"), ("hr", "/hr/"), ("admin", "/admin/"),
])
def test_role_lands_on_own_page(users, login, role, path):
    client = login(users[role])
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(path)
    assert client.get(path).status_code == 200
