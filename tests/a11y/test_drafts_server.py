"""The server's side of the drafts kept in the browser (core/drafts.py): the forms say which
draft they keep, and only a saved form makes the next page tell the browser to clear it."""

import datetime

import pytest

from tests.curators.test_visits import _visit_post

pytestmark = pytest.mark.django_db


def test_a_saved_visit_clears_its_draft_on_the_next_page_only(world, login):
    client = login(world.curator)
    assert 'data-draft="visit-new" data-draft-version=""' in client.get("/curators/visits/new/").content.decode()

    response = client.post("/curators/visits/new/", _visit_post(world), follow=True)
    assert response.redirect_chain and 'data-drafts-saved="visit-new"' in response.content.decode()
    assert "data-drafts-saved" not in client.get("/").content.decode()


def test_a_visit_sent_back_with_errors_keeps_its_draft(world, login):
    client = login(world.curator)
    tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    response = client.post("/curators/visits/new/", _visit_post(world, date=tomorrow))
    assert response.status_code == 200 and "data-drafts-saved" not in response.content.decode()
    assert "data-drafts-saved" not in client.get("/").content.decode()


def test_a_saved_progress_report_clears_its_draft_and_a_visit_edit_keeps_its_own(world, login):
    from roadmaps import services
    from tests.roadmaps.conftest import make_roadmap

    roadmap = make_roadmap(world.a1_school1, title="Формирующее оценивание")
    report = services.progress_report_create(user=world.school_admin, roadmap=roadmap, period_start=roadmap.start_date)
    client = login(world.school_admin)
    page = client.get(f"/roadmaps/reports/{report.pk}/edit/").content.decode()
    assert f'data-draft="report-{report.pk}" data-draft-version="{report.version}"' in page
    data = {"version": report.version, "save": "1"}
    for entry in report.entries.all():
        data[f"e{entry.pk}_status"] = "in_progress"
    response = client.post(f"/roadmaps/reports/{report.pk}/edit/", data, follow=True)
    assert f'data-drafts-saved="report-{report.pk}"' in response.content.decode()

    curator = login(world.curator)
    curator.post("/curators/visits/new/", _visit_post(world))
    from curators.models import Visit

    visit = Visit.objects.get(curator=world.curator)
    page = curator.get(f"/curators/visits/{visit.pk}/edit/").content.decode()
    assert f'data-draft="visit-{visit.pk}"' in page and 'data-draft-version="' in page
