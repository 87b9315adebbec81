"""Six languages: complete catalogs, locale selection, the switcher, right-to-left Arabic."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from mimi_match.config import LANGUAGES
from mimi_match.extensions import db
from mimi_match.i18n import TRANSLATIONS_DIR

from .factories import create_user

ROOT = Path(__file__).resolve().parent.parent


def _catalog(locale: str):
    with (TRANSLATIONS_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=locale)


@pytest.fixture(scope="module")
def source_ids(tmp_path_factory) -> set[str]:
    """Every translatable string in the code and templates, extracted now."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l",
         "--no-location", "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    with pot.open("rb") as fh:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}


@pytest.mark.parametrize("locale", sorted(LANGUAGES))
def test_catalog_is_complete(locale, source_ids):
    catalog = _catalog(locale)
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    assert source_ids - ids == set(), f"{locale}: strings missing; run `flask translate update`"
    untranslated = [m.id for m in catalog if m.id and (
        not m.string or (isinstance(m.string, tuple) and not all(m.string)))]
    assert untranslated == [], f"{locale}: untranslated"
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert fuzzy == [], f"{locale}: fuzzy"
    problems = [(m.id, [str(e) for e in errors]) for m, errors in catalog.check()]
    assert problems == [], f"{locale}: placeholders do not match"


def test_norwegian_page(client):
    response = client.get("/login", headers={"Accept-Language": "nb-NO,nb;q=0.9,en;q=0.5"})
    html = response.get_data(as_text=True)
    assert 'lang="nb"' in html and 'dir="ltr"' in html
    assert "Logg inn" in html


def test_norwegian_no_maps_to_bokmal(client):
    response = client.get("/login", headers={"Accept-Language": "no"})
    assert 'lang="nb"' in response.get_data(as_text=True)


def test_arabic_page_is_right_to_left(client):
    response = client.get("/register", headers={"Accept-Language": "ar"})
    html = response.get_data(as_text=True)
    assert 'lang="ar"' in html and 'dir="rtl"' in html
    assert "bootstrap.rtl.min.css" in html
    assert "إنشاء حساب" in html


def test_english_is_the_fallback(client):
    response = client.get("/login", headers={"Accept-Language": "fi"})
    assert 'lang="en"' in response.get_data(as_text=True)


@pytest.mark.parametrize("locale", sorted(LANGUAGES))
def test_every_language_renders_the_front_page(client, locale):
    response = client.get("/", headers={"Accept-Language": locale})
    assert response.status_code == 200 and f'lang="{locale}"' in response.get_data(as_text=True)


def test_switcher_for_visitor_is_remembered(client):
    response = client.post("/language", data={"locale": "uk", "next": "/login"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert 'lang="uk"' in client.get("/login").get_data(as_text=True)


def test_switcher_stores_the_users_setting(login):
    user = create_user()
    client = login(user)
    client.post("/language", data={"locale": "de", "next": "/me/"})
    db.session.refresh(user)
    assert user.locale == "de"
    # the setting wins over the browser's language
    html = client.get("/me/", headers={"Accept-Language": "el"}).get_data(as_text=True)
    assert 'lang="de"' in html


def test_switcher_refuses_unknown_language_and_foreign_next(client):
    response = client.post("/language", data={"locale": "xx", "next": "https://evil.example/"})
    assert response.status_code == 302 and "evil" not in response.headers["Location"]
    assert 'lang="en"' in client.get("/").get_data(as_text=True)


def test_switcher_is_on_every_page(client):
    for path in ("/", "/login", "/register", "/no-such-page"):
        assert 'action="/language"' in client.get(path).get_data(as_text=True), path
