"""The demo loader: the seed programmes are there, and a second run adds nothing."""

import pytest
import yaml

from events import demo
from events.models import AgendaStep, Event, FeedbackResponse, Material, Registration
from schools.demo import load_organisation
from schools.management.commands.load_demo import FACTS

pytestmark = pytest.mark.django_db


def counts():
    return [m.objects.count() for m in (Event, AgendaStep, Registration, FeedbackResponse, Material)]


def test_demo_events_from_the_seeds_idempotent():
    ctx = load_organisation(yaml.safe_load(FACTS.read_text(encoding="utf-8")))
    demo.load(ctx)
    first = counts()
    demo.load(ctx)
    assert counts() == first
    quest = Event.objects.get(title="Совершенствование ВСОКО в условиях обновленных ФГОС", start__year=2022)
    assert quest.format == "quest_game" and quest.host_school.short_name == "СШ № 32"
    assert quest.goal.startswith("Повышение профессиональной компетентности управленческих команд ШНОР")
    assert {s.short_name for s in quest.organiser_schools.all()} == {"СШ № 32", "СШ № 60", "СШ № 38", "СШ № 51"}
    assert quest.agenda.count() == 4
    pecha = Event.objects.get(format="pecha_kucha")
    assert any("профилактики учебной неуспешности" in d for d in pecha.decision_lines)
    kamensk_2022 = Event.objects.filter(municipality__name=demo.KAMENSK, start__year=2022)
    assert kamensk_2022.count() == 7
    assert Event.objects.filter(municipality__name=demo.SMOLENSK, start__year__in=[2020, 2021]).count() == 8
    assert Event.objects.filter(municipality__name=demo.GELENDZHIK, format="master_class").count() == 3
    assert Event.objects.filter(status="planned").exists()
