"""Sign-in throttling (issue 13, item 4): per person and address, per address across people,
the proxy count as a setting, and a locked person told until when — form and API alike."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from core.throttling import AnonThrottle

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
UNTIL = re.compile(r"до (\d\d:\d\d) \((\d\d\.\d\d\.\d{4})\)")


@pytest.fixture(autouse=True)
def _fresh_counters(settings):
    settings.AXES_FAILURE_LIMIT = 3
    cache.clear()
    yield
    cache.clear()


def test_a_locked_person_hears_they_are_locked_and_until_when(world, client):
    for _ in range(3):
        client.post(reverse("login"), {"username": "coord_a1", "password": "wrong"})
    page = client.post(reverse("login"), {"username": "coord_a1", "password": world.password})
    assert page.status_code == 429 and "_auth_user_id" not in client.session
    text = page.content.decode()
    assert "Вход заблокирован после нескольких неверных паролей до" in text and UNTIL.search(text)

    # The token endpoint, with the right password: locked, not «wrong username or password».
    answer = client.post(TOKEN, {"username": "coord_a1", "password": world.password}, content_type="application/json")
    assert answer.status_code == 429
    body = answer.json()
    assert body["code"] == "locked" and body["until"]
    assert UNTIL.search(body["detail"]), body
    assert 0 < int(answer["Retry-After"]) <= 15 * 60


def test_the_token_endpoint_counts_towards_the_lock(world, client):
    answers = [
        client.post(TOKEN, {"username": "coord_a1", "password": "nope"}, content_type="application/json")
        for _ in range(3)
    ]
    # The failure that reaches the limit is answered with the lock, not «wrong password».
    assert [a.status_code for a in answers] == [400, 400, 429]
    assert answers[0].json()["code"] == "authentication_failed" and answers[2].json()["code"] == "locked"
    assert client.post(reverse("login"), {"username": "coord_a1", "password": world.password}).status_code == 429


def test_one_address_guessing_many_people_is_locked(world, client, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 8
    settings.AXES_FAILURE_LIMIT = 5
    people = ["coord_a1", "coord_a2", "coord_b1", "methodist_a1"]
    attempts = 0
    for username in people[:3]:
        for n in range(3):  # below each person's own limit
            client.post(reverse("login"), {"username": username, "password": f"guess-{n}"}, REMOTE_ADDR="10.1.1.1")
            attempts += 1
    assert attempts == 9
    # The next person, even with the right password, from that address: locked.
    page = client.post(
        reverse("login"), {"username": "methodist_a1", "password": world.password}, REMOTE_ADDR="10.1.1.1"
    )
    assert page.status_code == 429 and UNTIL.search(page.content.decode())
    api = client.post(
        TOKEN,
        {"username": "methodist_a1", "password": world.password},
        content_type="application/json",
        REMOTE_ADDR="10.1.1.1",
    )
    assert api.status_code == 429 and api.json()["code"] == "locked"
    # From another address the same person signs in.
    ok = client.post(reverse("login"), {"username": "methodist_a1", "password": world.password}, REMOTE_ADDR="10.2.2.2")
    assert ok.status_code == 302


def test_a_rotating_forwarded_for_buys_nothing_without_a_proxy(world, client, settings, monkeypatch):
    # The default: nothing in front of the portal, the client's X-Forwarded-For is ignored.
    assert settings.NUM_PROXIES == 0 and settings.REST_FRAMEWORK["NUM_PROXIES"] == 0
    monkeypatch.setattr(AnonThrottle, "THROTTLE_RATES", {"anon": "5/min"})
    codes = [
        client.post(
            TOKEN,
            {"username": f"x{n}", "password": "y"},
            content_type="application/json",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
        for n in range(8)
    ]
    assert [c.status_code for c in codes[:5]] == [400] * 5, codes
    assert {(c.status_code, c.json()["code"]) for c in codes[5:]} == {(429, "throttled")}


def test_behind_a_proxy_the_address_it_saw_counts(world, client, settings, monkeypatch):
    from accounts.lockout import client_ip

    settings.NUM_PROXIES = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    monkeypatch.setattr(AnonThrottle, "THROTTLE_RATES", {"anon": "5/min"})
    codes = [
        client.post(
            TOKEN,
            {"username": f"x{n}", "password": "y"},
            content_type="application/json",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.7",
            REMOTE_ADDR="172.18.0.2",
        )
        for n in range(7)
    ]
    assert {(c.status_code, c.json()["code"]) for c in codes[5:]} == {(429, "throttled")}
    fake = type("R", (), {"META": {"HTTP_X_FORWARDED_FOR": "1.1.1.1, 203.0.113.7", "REMOTE_ADDR": "172.18.0.2"}})
    assert client_ip(fake) == "203.0.113.7"
    settings.NUM_PROXIES = 0
    assert client_ip(fake) == "172.18.0.2"
