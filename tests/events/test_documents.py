"""The summary (итоговая справка) and the certificate as PDF, read back as text."""

import subprocess

import pytest

from events.models import AgendaStep, Registration

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_summary_pdf_contains_title_programme_and_attendance(world, ev, login, tmp_path):
    event = ev.past
    event.goal = "Определение механизмов управления качеством"
    event.decisions = "Разработать дорожную карту"
    event.save()
    AgendaStep.objects.create(event=event, position=1, title="Практическая работа в группах", duration_minutes=40)
    Registration.objects.create(event=event, school=world.a1_school1, full_name="Иванова Анна", attended=True)
    Registration.objects.create(event=event, school=world.a1_school1, full_name="Петрова Мария", attended=False)
    response = login(world.coordinator).get(f"/events/{event.pk}/summary.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(pdf_text(response.content, tmp_path).split())
    assert "Круглый стол «ВСОКО: механизмы»" in text
    assert "Практическая работа в группах" in text
    assert "Разработать дорожную карту" in text
    assert "50,0 %" in text  # one of two present
    assert "СШ № 1" in text


def test_summary_pdf_out_of_scope_404(world, ev, login):
    assert login(world.outsider).get(f"/events/{ev.past.pk}/summary.pdf").status_code == 404


def test_certificate_only_for_attended(world, ev, login, tmp_path):
    present = Registration.objects.create(
        event=ev.past, school=world.a1_school1, full_name="Иванова Анна", attended=True
    )
    absent = Registration.objects.create(event=ev.past, school=world.a1_school1, full_name="Петрова Мария")
    client = login(world.school_admin)
    response = client.get(f"/events/registrations/{present.pk}/certificate.pdf")
    assert response.status_code == 200
    text = " ".join(pdf_text(response.content, tmp_path).split())
    assert "Иванова Анна" in text and "Круглый стол «ВСОКО: механизмы»" in text
    assert client.get(f"/events/registrations/{absent.pk}/certificate.pdf").status_code == 404
    assert login(world.school_admin2).get(f"/events/registrations/{present.pk}/certificate.pdf").status_code == 404


def test_event_material_file_served_only_within_scope(world, ev, login, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from events.models import EventMaterial

    settings.MEDIA_ROOT = str(tmp_path)
    material = EventMaterial(event=ev.upcoming, title="Программа")
    material.file.save("programme.pdf", SimpleUploadedFile("programme.pdf", b"%PDF-1.4\n%test\n"), save=True)
    url = f"/files/{material.file.name}"
    assert login(world.school_admin).get(url).status_code == 200
    assert login(world.outsider).get(url).status_code == 404


def test_school_card_shows_participation(world, ev, login):
    Registration.objects.create(event=ev.past, school=world.a1_school1, full_name="Иванова Анна", attended=True)
    response = login(world.school_admin).get(f"/schools/{world.a1_school1.pk}/")
    text = response.content.decode()
    assert "Участие в методических мероприятиях" in text
    assert "Круглый стол «ВСОКО: механизмы»" in text


def test_certificate_refused_names_what_to_fill_in(world, ev, login):
    """Without the authority's requisites no certificate is issued: the event page says so
    once and then lists each missing requisite with where to fill it in (the one mapping of
    refusals to messages, core.errors.service_error_messages)."""
    present = Registration.objects.create(
        event=ev.past, school=world.a1_school1, full_name="Иванова Анна", attended=True
    )
    municipality = ev.past.municipality
    municipality.place_of_issue = ""
    municipality.save(update_fields=["place_of_issue"])
    response = login(world.school_admin).get(f"/events/registrations/{present.pk}/certificate.pdf", follow=True)
    shown = [str(m) for m in response.context["messages"]]
    assert shown[0] == "Сертификат пока не может быть выдан."
    assert any("место издания" in m and municipality.name in m for m in shown[1:]), shown
