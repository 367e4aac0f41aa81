"""The demo loader: the seed programmes are there, and a second run adds nothing."""

import pytest
import yaml
from django.utils import timezone

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


# Russian public holidays of 2022 on working days (Production calendar): none of the events falls on one.
HOLIDAYS_2022 = {"2022-02-23", "2022-03-07", "2022-03-08", "2022-05-02", "2022-05-03", "2022-05-09", "2022-05-10"}
HOLIDAYS_2022 |= {"2022-06-13", "2022-11-04"}


def test_kamensk_2022_dates_follow_the_seed_facts():
    import datetime

    facts = next(
        m for m in yaml.safe_load(FACTS.read_text(encoding="utf-8"))["municipalities"] if m["name"] == demo.KAMENSK
    )
    items = yaml.safe_load((demo.FIXTURES / "kamensk_2022_events.yaml").read_text(encoding="utf-8"))["events"]
    # Each fixture event is one of the seed facts' events_2022, in the seed's order.
    assert [demo.kamensk_2022_fact(facts, i)["title"] for i in items] == [f["title"] for f in facts["events_2022"]]
    orders = {o["number"]: o["date"] for o in facts["orders"]}
    days = [datetime.date.fromisoformat(str(demo.kamensk_2022_date(facts, i))) for i in items]
    assert days == sorted(days) and len(set(days)) == 7
    # The 2022 programme of the demo rests on order № 400 (2022/2023) and ends with 2022.
    assert all(orders["400"] < d <= datetime.date(2022, 12, 31) for d in days)
    assert all(d.weekday() < 5 and d.isoformat() not in HOLIDAYS_2022 for d in days)
    brainstorm = next(d for d, i in zip(days, items, strict=True) if i["format"] == "brainstorm")
    assert brainstorm > orders["520"]  # on assessment procedures, after the order about them
    # A date in the seed facts wins over the fixture's derived one, as it is.
    dated = {**facts, "events_2022": [{**f, "date": datetime.date(2022, 10, 5)} for f in facts["events_2022"]]}
    assert demo.kamensk_2022_date(dated, items[0]) == datetime.date(2022, 10, 5)


def test_loaded_2022_events_have_the_dates_and_a_corrected_date_moves_not_copies():
    import datetime

    ctx = load_organisation(yaml.safe_load(FACTS.read_text(encoding="utf-8")))
    demo.load(ctx)
    kamensk_2022 = Event.objects.filter(municipality__name=demo.KAMENSK, start__year=2022)
    starts = {e.format: timezone.localtime(e.start) for e in kamensk_2022}
    assert {f: (s.date().isoformat(), s.hour, s.minute) for f, s in starts.items()} == {
        "quest_game": ("2022-09-28", 10, 0),
        "business_game": ("2022-10-12", 10, 0),
        "brainstorm": ("2022-10-20", 10, 0),
        "debates": ("2022-11-09", 10, 0),
        "coaching": ("2022-11-23", 10, 0),
        "round_table": ("2022-12-07", 10, 0),
        "pecha_kucha": ("2022-12-21", 10, 0),
    }
    assert all(
        timezone.localtime(e.end) - timezone.localtime(e.start) == datetime.timedelta(hours=3) for e in kamensk_2022
    )
    first = counts()
    # A database loaded before the dates were corrected (the old placeholder of the quest game):
    quest = kamensk_2022.get(format="quest_game")
    old = timezone.make_aware(datetime.datetime(2022, 2, 16, 10))
    Event.objects.filter(pk=quest.pk).update(start=old, end=old + datetime.timedelta(hours=3))
    demo.load(ctx)
    assert counts() == first
    quest = Event.objects.get(pk=quest.pk)  # the same event, its registrations and feedback kept
    assert timezone.localtime(quest.start).date() == datetime.date(2022, 9, 28)
    assert quest.registrations.count() > 0
