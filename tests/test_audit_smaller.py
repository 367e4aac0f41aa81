"""The audit's smaller findings (issue 13, item 9), each with the state after."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from events.models import Event, Material
from tests.events.test_api import event_body

pytestmark = pytest.mark.django_db


def test_next_never_leads_to_another_host(world, login):
    from curators.models import Recommendation, Visit

    visit = Visit.objects.create(school=world.a1_school1, curator=world.curator, kind="consultation", date="2025-10-01")
    rec = Recommendation.objects.create(visit=visit, text="Провести", due_date="2025-12-01")
    client = login(world.curator)
    url = f"/curators/recommendations/{rec.pk}/reopen/"
    for evil in ("https://evil.example/", "//evil.example/x", "http://testserver.evil.example/", "javascript:alert(1)"):
        response = client.post(url, {"next": evil})
        assert response.status_code == 302 and response["Location"] == visit.get_absolute_url(), evil
    own = client.post(url, {"next": "/curators/recommendations/?status=open"})
    assert own["Location"] == "/curators/recommendations/?status=open"
    # The vision switch and the suggestion form go through the same helper.
    assert client.post("/vision/", {"next": "https://evil.example/", "mode": "on"})["Location"] == "/"


def test_a_material_posted_with_its_file_keeps_the_file(world, api, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    pdf = SimpleUploadedFile(
        "practice.pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", "application/pdf"
    )
    response = api(world.methodist).post(
        "/api/v1/materials/",
        {"title": "Практика с файлом", "municipality": world.a1.pk, "kind": "practice", "file": pdf},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    material = Material.objects.get(pk=response.json()["id"])
    assert material.file and material.file.read().startswith(b"%PDF-1.4")
    assert response.json()["file"]
    bad = api(world.methodist).post(
        "/api/v1/materials/",
        {"title": "Не файл", "municipality": world.a1.pk, "file": SimpleUploadedFile("x.exe", b"MZ\x90\x00")},
        format="multipart",
    )
    assert bad.status_code == 400 and "file" in bad.json()["errors"]


def test_the_api_keeps_the_registration_deadline_rule(world, api):
    start = timezone.now() + datetime.timedelta(days=5)
    body = event_body(
        world,
        title="Поздняя запись",
        start=start.isoformat(),
        end=(start + datetime.timedelta(hours=1)).isoformat(),
        registration_deadline=(start + datetime.timedelta(days=2)).isoformat(),
    )
    response = api(world.methodist).post("/api/v1/events/", body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["registration_deadline"] == [
        "Срок регистрации не может быть позже окончания мероприятия."
    ]
    assert not Event.objects.filter(title="Поздняя запись").exists()


def test_invisible_characters_are_removed_from_names(world, api, login):
    rlo, zwsp = "\u202e", "\u200b"
    response = api(world.methodist).post(
        "/api/v1/events/", event_body(world, title=f"Семинар{zwsp} для {rlo}завучей"), format="json"
    )
    assert response.status_code == 201, response.content
    assert Event.objects.get(pk=response.json()["id"]).title == "Семинар для завучей"
    # A form too (the profile's name), and a password is kept exactly as typed.
    from django import forms

    class F(forms.Form):
        name = forms.CharField()
        password = forms.CharField(widget=forms.PasswordInput)

    form = F({"name": f"Иванова{rlo} Анна{zwsp}", "password": f"pass{zwsp}word"})
    assert form.is_valid()
    assert form.cleaned_data == {"name": "Иванова Анна", "password": f"pass{zwsp}word"}
