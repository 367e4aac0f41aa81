"""API tokens (issue 13, item 7): revocation, expiry and a password change take effect on the
next request — no cache outlives them."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import ApiToken

pytestmark = pytest.mark.django_db

URL = "/api/v1/schools/"


def get(client, key):
    return client.get(URL, HTTP_AUTHORIZATION=f"Token {key}")


def test_a_deleted_token_stops_at_the_next_request(world, client):
    token, key = ApiToken.issue(world.coordinator)
    assert get(client, key).status_code == 200
    ApiToken.objects.filter(pk=token.pk).delete()
    assert get(client, key).status_code == 401


def test_a_token_expired_in_the_database_stops_at_the_next_request(world, client):
    token, key = ApiToken.issue(world.coordinator)
    assert get(client, key).status_code == 200
    # Behind the portal's back (no write hook): a raw UPDATE, as an administrator's SQL.
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            f"UPDATE {ApiToken._meta.db_table} SET expires = %s WHERE id = %s",
            [timezone.now() - datetime.timedelta(minutes=1), token.pk],
        )
    answer = get(client, key)
    assert answer.status_code == 401 and answer.json()["detail"] == "Срок действия токена истёк."


def test_a_password_change_ends_the_users_tokens(world, client, login):
    _token, key = ApiToken.issue(world.coordinator)
    _other, other_key = ApiToken.issue(world.coordinator_a2)
    assert get(client, key).status_code == 200
    response = login(world.coordinator).post(
        "/accounts/password_change/",
        {
            "old_password": world.password,
            "new_password1": "Another-Long-pass-9",
            "new_password2": "Another-Long-pass-9",
        },
    )
    assert response.status_code == 302
    client.logout()
    assert get(client, key).status_code == 401
    assert not ApiToken.objects.filter(user=world.coordinator).exists()
    assert get(client, other_key).status_code == 200, "another user's token is untouched"


def test_saving_a_user_without_a_new_password_keeps_the_tokens(world):
    ApiToken.issue(world.coordinator)
    world.coordinator.first_name = "Ирина"
    world.coordinator.save()
    assert ApiToken.objects.filter(user=world.coordinator).count() == 1
