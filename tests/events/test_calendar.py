"""Calendar pages and .ics: per event and the per-user feed with a secret token."""

import pytest
from icalendar import Calendar

from events.models import CalendarFeed
from events.services import calendar_feed_token

pytestmark = pytest.mark.django_db


def parse(response):
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def test_event_ics_parses_back(world, ev, login):
    response = login(world.school_admin).get(f"/events/{ev.upcoming.pk}/event.ics")
    cal = parse(response)
    (item,) = cal.walk("VEVENT")
    assert str(item["summary"]) == "Семинар: Квест-игра «ВСОКО»"
    assert item.decoded("dtstart") == ev.upcoming.start
    assert item.decoded("dtend") == ev.upcoming.end
    assert str(item["location"]) == "Актовый зал"
    assert str(item["uid"]).startswith(f"event-{ev.upcoming.pk}@")


def test_event_ics_out_of_scope_is_404(world, ev, login):
    assert login(world.outsider).get(f"/events/{ev.upcoming.pk}/event.ics").status_code == 404


def test_feed_respects_scope_and_token(world, ev, client):
    token = calendar_feed_token(user=world.school_admin)
    cal = parse(client.get(f"/events/feed/{token}.ics"))  # no session: the token is the key
    titles = sorted(str(e["summary"]) for e in cal.walk("VEVENT"))
    assert titles == ["Семинар: Квест-игра «ВСОКО»", "Семинар: Круглый стол «ВСОКО: механизмы»"]
    outsider = parse(client.get(f"/events/feed/{calendar_feed_token(user=world.outsider)}.ics"))
    assert [str(e["summary"]) for e in outsider.walk("VEVENT")] == ["Семинар: Семинар в округе Б1"]
    assert client.get("/events/feed/not-a-token.ics").status_code == 404


def test_feed_token_renewal_invalidates_old(world, login, client):
    c = login(world.school_admin)
    page = c.get("/events/calendar/subscribe/")
    old = CalendarFeed.objects.get(user=world.school_admin).token
    assert old in page.content.decode()
    c.post("/events/calendar/subscribe/")
    new = CalendarFeed.objects.get(user=world.school_admin).token
    assert new != old
    assert c.get(f"/events/feed/{old}.ics").status_code == 404
    assert c.get(f"/events/feed/{new}.ics").status_code == 200


def test_month_grid_and_filters(world, ev, login):
    client = login(world.coordinator)
    month = ev.upcoming.start.strftime("%Y-%m")
    response = client.get("/events/calendar/", {"month": month})
    assert response.status_code == 200
    shown = {e.pk for week in response.context["weeks"] for d in week for e in d["events"]}
    assert ev.upcoming.pk in shown and ev.other.pk not in shown
    response = client.get("/events/calendar/", {"month": month, "school": world.a1_school2.pk})
    shown = {e.pk for week in response.context["weeks"] for d in week for e in d["events"]}
    assert ev.upcoming.pk not in shown
    response = client.get("/events/calendar/", {"month": month, "event_format": "webinar"})
    shown = {e.pk for week in response.context["weeks"] for d in week for e in d["events"]}
    assert not shown
