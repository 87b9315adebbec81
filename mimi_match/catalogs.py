"""Compiling the message catalogs (.po -> .mo): by ``flask translate compile`` and when a wheel is built.

No Flask here, so that the build (setup.py) can use it before anything is installed.
"""
from __future__ import annotations

from pathlib import Path

TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"
DOMAIN = "messages"


def compile_catalogs(directory: Path = TRANSLATIONS_DIR, target: Path | None = None) -> list[str]:
    """Compile every ``<lang>/LC_MESSAGES/messages.po`` of ``directory`` into ``messages.mo`` beside it, or
    into the same place under ``target`` (fuzzy entries are not used)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    compiled = []
    for po_path in sorted(directory.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        language = po_path.parent.parent.name
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale=language)
        mo_path = (po_path if target is None else target / po_path.relative_to(directory)).with_suffix(".mo")
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with mo_path.open("wb") as fh:
            write_mo(fh, catalog, use_fuzzy=False)
        compiled.append(language)
    return compiled
