"""The «Build a document» form: one school or municipality to choose from is chosen already."""

import pytest

from reports.forms import ReportRequestForm

pytestmark = pytest.mark.django_db


def test_a_coordinator_of_one_municipality_finds_it_chosen(world):
    form = ReportRequestForm(user=world.coordinator)
    assert form.fields["municipality"].initial == world.a1.pk
    assert form.fields["school"].initial is None  # several schools: nothing is guessed


def test_a_school_administrator_finds_the_school_chosen(world):
    form = ReportRequestForm(user=world.school_admin)
    assert form.fields["school"].initial == world.school_admin.school_id
    assert "municipality" not in form.fields


def test_several_municipalities_are_left_to_choose_with_a_prompt(world, login):
    form = ReportRequestForm(user=world.regional)
    assert form.fields["municipality"].initial is None
    html = login(world.regional).get("/reports/").content.decode()
    assert "— выберите муниципалитет —" in html and "— выберите школу —" in html
    assert "---------" not in html
