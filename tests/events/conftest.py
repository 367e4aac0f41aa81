"""Events fixtures: a past and an upcoming event of municipality A1 hosted by a1_school1."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from events.models import Event, EventFormat
from events.services import event_questions_add_defaults


def make_event(municipality, *, days: float = 7, hours: float = 3, **fields) -> Event:
    start = timezone.now().replace(microsecond=0) + datetime.timedelta(days=days)
    defaults = {
        "format": EventFormat.SEMINAR,
        "title": "Семинар о формирующем оценивании",
        "start": start,
        "end": start + datetime.timedelta(hours=hours),
        "place": "Актовый зал",
    }
    defaults.update(fields)
    event = Event.objects.create(municipality=municipality, **defaults)
    event_questions_add_defaults(event=event)
    return event


@pytest.fixture
def ev(world):
    upcoming = make_event(world.a1, host_school=world.a1_school1, capacity=10, title="Квест-игра «ВСОКО»")
    past = make_event(world.a1, days=-3, host_school=world.a1_school2, title="Круглый стол «ВСОКО: механизмы»")
    other = make_event(world.b1, host_school=world.b1_school1, title="Семинар в округе Б1")
    return SimpleNamespace(upcoming=upcoming, past=past, other=other)
