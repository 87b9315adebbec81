"""The installed package is the product: a wheel built from this checkout, installed alone (no checkout on
the path), migrates a database and serves pages in Norwegian and Arabic, styles included, from any directory.

The wheel is built with pip from the build tools installed in ``.venv`` (nothing is downloaded) and installed
into a fresh virtual environment that borrows only the third-party libraries of ``.venv``.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import sysconfig
import urllib.request
from pathlib import Path

import pytest

from . import factories

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.packaging


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, language: str) -> str:
    request = urllib.request.Request(url, headers={"Accept-Language": language})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read().decode()


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    work = tmp_path_factory.mktemp("wheel")
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--disable-pip-version-check",
                            "--no-build-isolation", "--no-index", "-w", str(work / "dist"), str(ROOT)],
                           capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stderr[-2000:]
    wheel = next((work / "dist").glob("mimi_match-*.whl"))
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    where = "import sysconfig; print(sysconfig.get_path('purelib'))"
    target = Path(subprocess.run([str(venv / "bin" / "python"), "-c", where], capture_output=True, text=True,
                                 check=True).stdout.strip())
    # the libraries of .venv, but not its editable link to this checkout (a .pth line adds no finder)
    (target / "libraries.pth").write_text(sysconfig.get_path("purelib") + "\n")
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--disable-pip-version-check",
                    "--target", str(target), str(wheel)], check=True, capture_output=True, timeout=300)
    return venv, wheel, work


def test_the_wheel_carries_everything_and_serves_every_language(installed):
    venv, wheel, work = installed
    import zipfile

    names = set(zipfile.ZipFile(wheel).namelist())
    for language in ("en", "nb", "de", "el", "ar", "uk"):
        assert f"mimi_match/translations/{language}/LC_MESSAGES/messages.mo" in names
    assert "mimi_match/templates/base.html" in names and "mimi_match/static/css/app.css" in names
    assert any(n.startswith("mimi_match/migrations/versions/") for n in names)
    assert "mimi_match/data/esco_skills.json.gz" in names and "mimi_match/data/skill_labels/uk.json" in names
    assert "mimi_match/data/fonts/DejaVuSans.ttf" in names  # the agreement PDF needs its fonts

    elsewhere = work / "somewhere-else"
    elsewhere.mkdir()
    python = str(venv / "bin" / "python")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "FLASK_APP", "TEST_DATABASE_URL")}
    env.update(MIMI_ENV="production", SECRET_KEY="wheel-test", DATABASE_URL=f"sqlite:///{work / 'wheel.db'}",
               JOBS_URL=f"sqlite:///{work / 'jobs.db'}", LOG_LEVEL="WARNING", PUBLIC_URL="http://127.0.0.1")
    where = subprocess.run([python, "-c", "import mimi_match; print(mimi_match.__file__)"], cwd=elsewhere, env=env,
                           capture_output=True, text=True, check=True).stdout
    assert str(ROOT) not in where and "site-packages" in where  # the wheel, not this checkout
    migrate = subprocess.run([python, "-m", "flask", "--app", "mimi_match.app:create_app", "db", "upgrade"],
                             cwd=elsewhere, env=env, capture_output=True, text=True, timeout=300)
    assert migrate.returncode == 0, migrate.stderr[-2000:]
    port = _free_port()
    with (work / "gunicorn.log").open("wb") as log:
        server = subprocess.Popen([python, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}",
                                   "mimi_match.app:create_app()"], cwd=elsewhere, env=env, stdout=log,
                                  stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        factories.wait_for(lambda: _ready(base), timeout=60)
        norwegian = _get(base + "/opportunities/", "nb")
        assert 'lang="nb"' in norwegian and "Muligheter" in norwegian
        arabic = _get(base + "/opportunities/", "ar")
        assert 'dir="rtl"' in arabic and "فرص العمل" in arabic
        css = _get(base + "/static/vendor/bootstrap/bootstrap.rtl.min.css", "ar")
        assert len(css) > 10_000
    finally:
        server.terminate()
        server.wait(15)


def _ready(base: str) -> bool:
    try:
        return "ok" in _get(base + "/health", "en")
    except OSError:
        return False
