"""The shared skill vocabulary: ESCO concepts, our translations, autocomplete and resolution."""
from __future__ import annotations

import json
from importlib import resources

import pytest

from mimi_match.config import LANGUAGES
from mimi_match.vocabulary import Concept, SkillVocabulary, normalise, vocabulary

FLOORS = "http://data.europa.eu/esco/skill/a2cd3b30-2d6c-473e-a5d4-4e7cb576babe"  # clean building floors


def selection_ids() -> set[str]:
    data = json.loads(resources.files("mimi_match.data").joinpath("skill_selection.json").read_text("utf-8"))
    return {c["id"] for concepts in data.values() for c in concepts}


def test_full_esco_vocabulary_is_shipped():
    vocab = vocabulary()
    assert len(vocab) > 13000
    assert vocab.get(FLOORS).label("en") == "clean building floors"


def test_field_skills_exist_and_are_several_hundred():
    ids = selection_ids()
    assert 300 <= len(ids) <= 450
    prefix = "http://data.europa.eu/esco/skill/"
    assert all(vocabulary().get(prefix + i) is not None for i in ids)


@pytest.mark.parametrize("language", sorted(set(LANGUAGES) - {"en"}))
def test_every_field_skill_has_our_labels_in_each_language(language):
    prefix = "http://data.europa.eu/esco/skill/"
    vocab = vocabulary()
    missing = [i for i in selection_ids() if language not in vocab.get(prefix + i).labels]
    assert missing == [], f"{len(missing)} field skills have no {language} label"


def test_normalise_forgives_case_accents_and_arabic_variants():
    assert normalise("  Rengjøre  GULV ") == "rengjore gulv"
    assert normalise("Καθαρισμός") == normalise("καθαρισμος")
    assert normalise("أرضيات") == normalise("ارضيات")
    assert normalise("clean-floors!") == "clean floors"


def _tiny() -> SkillVocabulary:
    return SkillVocabulary([
        Concept("u:floors", {"en": ("clean building floors", "floor cleaning"), "nb": ("vaske gulv",),
                             "ar": ("تنظيف الأرضيات",), "de": ("Böden reinigen",)}),
        Concept("u:windows", {"en": ("clean windows",), "nb": ("vaske vinduer",)}),
        Concept("u:forklift", {"en": ("operate forklift",)}),
    ])


def test_search_prefix_word_and_language_order():
    vocab = _tiny()
    # both concepts start with "clean"; the shorter label comes first
    assert [s.uri for s in vocab.search("clean", "en")] == ["u:windows", "u:floors"]
    assert [s.uri for s in vocab.search("forkl", "en")] == ["u:forklift"]
    assert [s.uri for s in vocab.search("floors", "en")] == ["u:floors"]  # a later word
    hits = vocab.search("vaske", "nb")
    assert [s.uri for s in hits] == ["u:floors", "u:windows"] and hits[0].label == "vaske gulv"
    assert vocab.search("vaske", "de") == []  # other languages than mine and English are not searched
    assert vocab.search("تنظيف", "ar")[0].uri == "u:floors"
    assert vocab.search("c", "en") == []  # one letter is too little


def test_resolve_exact_labels_in_any_language():
    vocab = _tiny()
    assert vocab.resolve("Clean Building Floors") == "u:floors"
    assert vocab.resolve("böden reinigen", "de") == "u:floors"
    assert vocab.resolve("تنظيف الارضيات", "ar") == "u:floors"
    assert vocab.resolve("something I do well") is None


def test_autocomplete_endpoint_english(login, users):
    response = login(users["hr"]).get("/api/skills?q=clean building fl")
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert results[0]["label"] == "clean building floors" and results[0]["uri"] == FLOORS
    labels = [r["label"] for r in login(users["hr"]).get("/api/skills?q=clean build").get_json()["results"]]
    assert "clean building floors" in labels and all(label.startswith("clean build") for label in labels)


@pytest.mark.parametrize("language, query", [("nb", "rengj"), ("ar", "تنظيف"), ("de", "Böden"), ("uk", "прибира"),
                                             ("el", "καθαρ")])
def test_autocomplete_in_the_users_language(login, users, language, query):
    client = login(users["participant"])
    client.post("/language", data={"locale": language})
    results = client.get("/api/skills", query_string={"q": query}).get_json()["results"]
    assert results, f"nothing found for {query!r} in {language}"
    assert any(r["language"] == language for r in results)
    # the label offered is in the user's language where we have one
    own = [r for r in results if r["language"] == language]
    assert all(r["label"] == r["matched"] for r in own)


def test_autocomplete_bad_input(login, users):
    client = login(users["participant"])
    assert client.get("/api/skills").get_json()["results"] == []
    assert client.get("/api/skills?q=" + "x" * 5000).status_code == 200
    refused = client.get("/api/skills?q=%00%0a<script>")  # a NUL byte: refused, with a reason, as JSON
    assert refused.status_code == 400 and refused.get_json()["results"] == []
    assert "control characters" in refused.get_json()["error"]
    assert client.get("/api/skills?q=%0a<script>").status_code == 200
