"""The bank of practices: Russian full-text search and region-wide visibility."""

import pytest
from django.conf import settings

from events.models import Material, Theme

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank(world):
    m1 = Material.objects.create(
        municipality=world.a1,
        school=world.a1_school1,
        title="Приёмы обратной связи",
        description="Практика школы по формирующему оцениванию на уроках математики.",
    )
    m2 = Material.objects.create(municipality=world.a2, title="Наставничество молодых учителей", description="Пары.")
    m3 = Material.objects.create(municipality=world.b1, title="Сборник по оцениванию", description="Чужой регион.")
    return m1, m2, m3


def titles(response):
    return sorted(r.record.title for r in response.context["table"].page.object_list)


def test_russian_full_text_finds_other_word_form(world, bank, login):
    response = login(world.school_admin).get("/events/bank/", {"q": "оценивание"})
    assert response.status_code == 200
    if settings.IS_POSTGRES:
        # «оценивание» (nominative) finds «оцениванию» (dative) through the Russian stemmer.
        assert titles(response) == ["Приёмы обратной связи"]
    else:
        assert titles(response) == []  # SQLite fallback: plain substring search
        assert titles(login(world.school_admin).get("/events/bank/", {"q": "оценивани"})) == ["Приёмы обратной связи"]


def test_search_by_theme_name(world, bank, login):
    bank[1].themes.add(Theme.objects.get(name="Формирующее оценивание"))
    found = titles(login(world.coordinator).get("/events/bank/", {"q": "Формирующее"}))
    assert "Наставничество молодых учителей" in found  # by its theme only
    assert "Сборник по оцениванию" not in found  # another region


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("school_admin", ["Наставничество молодых учителей", "Приёмы обратной связи"]),
        ("curator", ["Наставничество молодых учителей", "Приёмы обратной связи"]),
        ("coordinator_a2", ["Наставничество молодых учителей", "Приёмы обратной связи"]),
        ("outsider", ["Сборник по оцениванию"]),
        ("no_role", []),
    ],
)
def test_bank_open_to_the_whole_region(world, bank, login, who, expected):
    assert titles(login(getattr(world, who)).get("/events/bank/")) == expected


def test_material_detail_scope(world, bank, login):
    m1, _, m3 = bank
    assert login(world.coordinator_a2).get(f"/events/bank/{m1.pk}/").status_code == 200
    assert login(world.outsider).get(f"/events/bank/{m1.pk}/").status_code == 404
    assert login(world.school_admin).get(f"/events/bank/{m3.pk}/").status_code == 404
    # Reading is region-wide; editing belongs to the municipality's coordinator and methodists.
    assert login(world.coordinator_a2).get(f"/events/bank/{m1.pk}/edit/").status_code == 404
    assert login(world.school_admin).get(f"/events/bank/{m1.pk}/edit/").status_code == 404
    assert login(world.methodist).get(f"/events/bank/{m1.pk}/edit/").status_code == 200
