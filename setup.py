"""Build hook: a wheel carries everything the service needs to run from any directory — the templates and
the Alembic migrations (kept at the top of the checkout) and the compiled message catalogs."""
import shutil
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildWithResources(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):  # a checkout installed in place uses its own folders
            return
        package = Path(self.build_lib) / "mimi_match"
        for name in ("templates", "migrations"):
            shutil.copytree(ROOT / name, package / name, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        sys.path.insert(0, str(ROOT))
        from mimi_match.catalogs import TRANSLATIONS_DIR, compile_catalogs

        compile_catalogs(TRANSLATIONS_DIR, package / "translations")


setup(cmdclass={"build_py": BuildWithResources})
