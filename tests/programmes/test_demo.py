"""The demo data of the programme side: seed facts reproduced, loading twice adds nothing."""

import pytest
from django.core.management import call_command

from curators.models import CuratorAssignment, PartnerPair, Visit
from schools.models import Municipality, Order, SchoolStatus, StatusKind
from schools.selectors import status_movement


@pytest.mark.django_db
def test_demo_reproduces_seed_facts_and_is_idempotent():
    call_command("load_demo", verbosity=0)
    counts = [m.objects.count() for m in (Order, SchoolStatus, CuratorAssignment, PartnerPair, Visit)]
    smolensk = Municipality.objects.get(name="город Смоленск")
    rows = {r["year"]: r for r in status_movement(smolensk, StatusKind.LOW_RESULTS, range(2017, 2021))}
    assert {y: (r["total"], r["entered"], r["stayed"], r["left"]) for y, r in rows.items()} == {
        2017: (5, 5, 0, 0),
        2018: (5, 0, 5, 0),
        2019: (8, 6, 2, 3),
        2020: (9, 4, 5, 3),
    }
    kamensk = Municipality.objects.get(name="Каменск-Уральский городской округ")
    row_2023 = status_movement(kamensk, StatusKind.LOW_RESULTS, [2023])[0]
    assert row_2023["left"] == 7 and row_2023["entered"] == 10
    assert SchoolStatus.objects.get(school__short_name="СШ № 32", kind=StatusKind.NON_OBJECTIVE).year_to == 2021
    pairs = PartnerPair.objects.filter(school__municipality=smolensk, year=2020)
    assert pairs.count() == 9 and {p.order.number for p in pairs} == {"348"}
    landing = Visit.objects.get(school__short_name="МБОУ Рождественская СОШ", date="2019-05-22")
    assert landing.lessons.count() == 8 and landing.extracurricular_observed == 1
    assert CuratorAssignment.objects.filter(year=2022, school__municipality=kamensk).count() == 7
    call_command("load_demo", verbosity=0)
    assert [m.objects.count() for m in (Order, SchoolStatus, CuratorAssignment, PartnerPair, Visit)] == counts
