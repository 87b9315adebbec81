"""Search over every label of every skill concept, in every language, ranked by relevance."""
from __future__ import annotations

from datetime import timedelta

import pytest

from mimi_match.extensions import db
from mimi_match.models import PositionSkill, PositionTerm
from mimi_match.models.base import utcnow
from mimi_match.services.search_index import WEIGHT_SKILL, WEIGHT_TEXT, WEIGHT_TITLE, search_terms
from mimi_match.vocabulary import normalise, vocabulary

from .factories import create_field, create_organisation, create_position
from .test_opportunities import _count_queries

LAUNDRY = "wash the laundry"


def found(client, q: str, **args) -> list[str]:
    """Titles of the result list, in the order shown."""
    html = client.get("/opportunities/", query_string={"q": q, **args}).get_data(as_text=True)
    titles = [t for t in TITLES if t in html]
    return sorted(titles, key=html.index)


TITLES = ["Laundry assistant", "Hotel housekeeping", "Night shift at the care home", "Hotel reception"]


@pytest.fixture
def hotel(app):
    org, field = create_organisation("Hotel Skien"), create_field("hospitality", "Hospitality")
    now = utcnow()
    return {
        # the oldest, but the word is in its title
        "title": create_position(org, field, title="Laundry assistant", required_skill="clean rooms",
                                 description="Sheets and towels.", published_at=now - timedelta(days=3)),
        # asks the laundry concept; its title and description do not say so
        "skill": create_position(org, field, title="Hotel housekeeping", required_skill=LAUNDRY,
                                 description="Rooms and corridors.", published_at=now - timedelta(days=2)),
        # the newest, the word only in its description
        "text": create_position(org, field, title="Night shift at the care home", required_skill="clean rooms",
                                description="Some laundry now and then.", published_at=now - timedelta(days=1)),
        "other": create_position(org, field, title="Hotel reception", required_skill="clean rooms",
                                 description="Welcome guests.", published_at=now),
    }


def _alternative(language: str) -> str:
    labels = vocabulary().get(vocabulary().resolve(LAUNDRY, "en")).labels[language]
    assert len(labels) > 1, f"the vocabulary has no {language} synonym for {LAUNDRY!r}"
    return labels[1]  # not the preferred label: an alternative one


@pytest.mark.parametrize("language", ["nb", "ar", "de", "uk", "el"])
def test_a_synonym_in_another_language_finds_the_position(client, hotel, language):
    """"klesvask" (Norwegian) and "غسيل الملابس" (Arabic) are alternative labels of the concept asked."""
    synonym = _alternative(language)
    assert found(client, synonym) == ["Hotel housekeeping"], synonym


def test_the_synonyms_the_issue_names(client, hotel):
    assert found(client, "klesvask") == ["Hotel housekeeping"]
    assert found(client, "غسيل الملابس") == ["Hotel housekeeping"]


def test_every_english_alternative_label_finds_the_position(client, hotel):
    concept = vocabulary().get(vocabulary().resolve(LAUNDRY, "en"))
    assert len(concept.labels["en"]) > 1
    for label in concept.labels["en"][1:]:
        assert "Hotel housekeeping" in found(client, label), label


def test_relevance_title_then_skill_then_description(client, hotel):
    """Newest first would be the reverse; a search ranks the title match first, the description last."""
    assert found(client, "laundry") == ["Laundry assistant", "Hotel housekeeping", "Night shift at the care home"]
    # the order can still be chosen
    assert found(client, "laundry", sort="newest") == [
        "Night shift at the care home", "Hotel housekeeping", "Laundry assistant"]


def test_whole_word_before_prefix(client, app):
    org, field = create_organisation(), create_field()
    now = utcnow()
    create_position(org, field, title="Hotel housekeeping", description="Careful work with the linens.",
                    required_skill=None, published_at=now)
    create_position(org, field, title="Hotel reception", description="Care for our guests.",
                    required_skill=None, published_at=now - timedelta(days=1))
    assert found(client, "care") == ["Hotel reception", "Hotel housekeeping"]


def test_every_word_must_match_and_the_scores_add_up(client, app):
    org, field = create_organisation(), create_field()
    now = utcnow()
    create_position(org, field, title="Cook", description="Kitchen work in a hotel.", required_skill=None,
                    published_at=now)
    create_position(org, field, title="Hotel cook", description="Kitchen work.", required_skill=None,
                    published_at=now - timedelta(days=1))
    create_position(org, field, title="Hotel porter", description="Bags and doors.", required_skill=None,
                    published_at=now - timedelta(days=2))

    def order(q):
        html = client.get("/opportunities/", query_string={"q": q}).get_data(as_text=True)
        shown = [t for t in ("Hotel cook", "Hotel porter", ">Cook<") if t in html]
        return sorted(shown, key=html.index)

    assert order("cook") == [">Cook<", "Hotel cook"]  # equal scores: newest first
    assert order("hotel cook") == ["Hotel cook", ">Cook<"]  # both words in the title outrank one
    assert order("hotel") == ["Hotel cook", "Hotel porter", ">Cook<"]


def test_terms_carry_the_weight_of_their_most_prominent_place(app, hotel):
    position = hotel["text"]
    weights = {t.term: t.weight for t in db.session.query(PositionTerm).filter_by(position_id=position.id)}
    assert weights["night"] == WEIGHT_TITLE
    assert weights["laundry"] == WEIGHT_TEXT
    assert weights["rooms"] == WEIGHT_SKILL
    # every label of the concept, not only the first one per language
    for labels in vocabulary().get(position.skills[0].concept_uri).labels.values():
        for label in labels:
            assert all(w[:80] in weights for w in normalise(label).split(" ") if len(w) >= 2), label


def test_changing_the_skills_moves_the_synonyms_along(client, app, hotel):
    position = hotel["skill"]
    position.skills = [PositionSkill(label="clean rooms", required=True,
                                     concept_uri=vocabulary().resolve("clean rooms", "en"))]
    db.session.commit()
    assert found(client, "klesvask") == []
    position.title = "Hotel housekeeping and klesvask"
    db.session.commit()
    assert found(client, "klesvask") == ["Hotel housekeeping"]
    weights = {t.term: t.weight for t in db.session.query(PositionTerm).filter_by(position_id=position.id)}
    assert weights["klesvask"] == WEIGHT_TITLE


def test_search_terms_are_distinct_and_bounded():
    assert search_terms("Clean clean  FLOORS a") == ["clean", "floors"]
    assert len(search_terms(" ".join(f"word{i}" for i in range(20)))) == 8


@pytest.mark.parametrize("sort", ["relevance", "newest", "deadline"])
def test_search_query_count_does_not_grow_with_page_size(app, sort):
    """No N+1 with a search either, in every order."""
    org = create_organisation()
    fields = [create_field(f"f{i}") for i in range(5)]
    for i in range(20):
        create_position(org, fields[i % 5], title=f"Cleaner {i}", required_skill=LAUNDRY)
    client = app.test_client()
    url = f"/opportunities/?q=klesvask+cleaner&sort={sort}"
    client.get(url)  # warm up (vocabulary, session)
    app.config["PAGE_SIZE"] = 5
    small = _count_queries(app, lambda: client.get(url))
    app.config["PAGE_SIZE"] = 20
    large = _count_queries(app, lambda: client.get(url))
    assert small == large
    assert large <= 12
    assert "20 opportunities found" in client.get(url).get_data(as_text=True)


def test_relevance_pages_and_a_page_beyond_the_last(client, app):
    org, field = create_organisation(), create_field()
    now = utcnow()
    for i in range(25):
        create_position(org, field, title=f"Cleaner number {i:02d}", required_skill=None,
                        published_at=now - timedelta(hours=i))
    first = client.get("/opportunities/?q=cleaner").get_data(as_text=True)
    assert "25 opportunities found" in first and "Page 1 of 2" in first
    assert "Cleaner number 00" in first and "Cleaner number 20" not in first  # equal scores: newest first
    second = client.get("/opportunities/?q=cleaner&page=2").get_data(as_text=True)
    assert "Cleaner number 20" in second and "Cleaner number 24" in second and "Cleaner number 00" not in second
    beyond = client.get("/opportunities/?q=cleaner&page=99").get_data(as_text=True)
    assert "Page 2 of 2" in beyond and "Cleaner number 24" in beyond and "25 opportunities found" in beyond
    assert "Nothing found" in client.get("/opportunities/?q=cleaner+nobody&page=3").get_data(as_text=True)


def test_an_absurd_page_number_shows_the_last_page(client, users):
    """A page number beyond what the database's OFFSET can hold is the last page, not an error."""
    from .factories import create_organisation, create_position

    create_position(create_organisation(), title="Office cleaner")
    for page in ("99999999999999999999999", "100000", "-5"):
        response = client.get(f"/opportunities/?q=cleaner&page={page}")
        assert response.status_code == 200 and "Office cleaner" in response.get_data(as_text=True), page
