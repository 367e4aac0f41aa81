"""A school administrator registers two teachers for an event, in a real browser."""

import pytest

from events.models import Registration
from tests.events.conftest import make_event


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_school_admin_registers_two_teachers(world, browser_login, live_server, artifact_dir):
    event = make_event(
        world.a1, host_school=world.a1_school2, capacity=20, title="Семинар-практикум «Формирующее оценивание»"
    )
    page = browser_login(world.school_admin)
    page.goto(f"{live_server.url}/events/")
    page.get_by_role("link", name="Семинар-практикум «Формирующее оценивание»").click()
    page.wait_for_url(f"{live_server.url}/events/{event.pk}/")
    assert page.locator("#id_school").input_value() == str(world.a1_school1.pk)
    page.fill(
        "#id_people", "Иванова Анна Сергеевна, учитель математики\nПетрова Мария Ивановна, учитель русского языка"
    )
    page.get_by_role("button", name="Зарегистрировать").click()
    page.wait_for_selector("text=Зарегистрировано: 2")
    page.screenshot(path=str(artifact_dir / "events_school_admin_registers_two.png"), full_page=True)
    rows = page.locator("#registrations tbody tr")
    assert rows.count() == 2
    assert sorted(Registration.objects.filter(event=event).values_list("full_name", flat=True)) == [
        "Иванова Анна Сергеевна",
        "Петрова Мария Ивановна",
    ]
    assert set(Registration.objects.filter(event=event).values_list("school_id", flat=True)) == {world.a1_school1.pk}
