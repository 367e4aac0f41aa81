"""The import batch's POST actions run through core.generic.ObjectActionView: scope (404),
the confirmation box, a service refusal shown as its own message, the safe redirect."""

import pytest
from django.contrib.messages import get_messages

from assessment.models import ImportStatus
from tests.assessment.conftest import hand_rows, to_csv

pytestmark = pytest.mark.django_db


def _texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_rollback_asks_confirmation_then_shows_the_refusal(world, login, import_bytes):
    bad = [*hand_rows()[:2], ["A1S1", "2023/2024", "ВПР", "Математика", "пять"]]
    batch = import_bytes(to_csv(bad), "bad.csv")
    batch.municipality = world.a1
    batch.save(update_fields=["municipality"])
    assert batch.status == ImportStatus.FAILED
    url = f"/assessment/imports/{batch.pk}/rollback/"
    client = login(world.coordinator)

    unconfirmed = client.post(url, {"next": "https://evil.example/"})
    assert unconfirmed.status_code == 302
    assert unconfirmed["Location"] == batch.get_absolute_url() + "#rollback"
    assert _texts(unconfirmed) == ["Ничего не изменено: отметьте подтверждение."]

    client.get(batch.get_absolute_url())  # the page shows (and so spends) the message
    refused = client.post(url, {"confirm": "1", "next": "https://evil.example/"})
    assert refused["Location"] == batch.get_absolute_url()
    assert _texts(refused) == ["Отменить можно только завершённую загрузку."]
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED

    assert login(world.coordinator_b1).post(url, {"confirm": "1"}).status_code == 404
    assert client.get(url).status_code == 405
