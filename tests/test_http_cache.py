"""HTTP caching where it is safe: fingerprinted static files for a year, public pages revalidated by ETag,
nothing a logged-in person sees kept by any cache."""
from __future__ import annotations

import re


def test_static_urls_are_fingerprinted_and_cached_for_a_year(client):
    page = client.get("/").get_data(as_text=True)
    urls = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    assert urls and all("?v=" in url for url in urls)
    css = next(url for url in urls if "app.css" in url)
    with client.get(css) as response:
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    with client.get(css.split("?")[0] + "?v=000000000000") as stale:  # an old fingerprint: no year's promise
        assert "immutable" not in stale.headers.get("Cache-Control", "")
    with client.get(css.split("?")[0]) as plain:
        etag = plain.headers.get("ETag")
        assert etag and "immutable" not in plain.headers.get("Cache-Control", "")
    with client.get(css.split("?")[0], headers={"If-None-Match": etag}) as again:
        assert again.status_code == 304


def test_public_pages_revalidate_with_an_etag(client):
    first = client.get("/opportunities/")
    assert first.status_code == 200 and first.headers.get("ETag")
    assert first.headers["Cache-Control"] == "private, no-cache"
    second = client.get("/opportunities/", headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 304 and second.data == b""


def test_a_page_keeps_its_etag_while_its_csrf_token_ticks(client):
    """The CSRF token on a public page is signed with the time; the page's ETag does not change with it."""
    import time

    first = client.get("/opportunities/")
    time.sleep(1.05)  # the next token is signed a second later
    later = client.get("/opportunities/")
    assert later.headers["ETag"] == first.headers["ETag"]
    assert client.get("/opportunities/", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304


def test_nothing_personal_is_cached(login, users):
    client = login(users["participant"])
    for url in ("/me/", "/opportunities/"):
        response = client.get(url)
        assert response.headers["Cache-Control"] == "no-store" and "ETag" not in response.headers, url
