"""Login, logout, password change and reset, throttling, language, profile tokens."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def test_login_and_logout(world, client):
    response = client.post(reverse("login"), {"username": "coord_a1", "password": world.password})
    assert response.status_code == 302
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert "Округ А1" in home.content.decode()
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_home_is_russian_by_default(world, login):
    html = login(world.coordinator).get(reverse("home")).content.decode()
    assert "Школы" in html and "Выйти" in html


def test_switch_to_english(world, login):
    c = login(world.coordinator)
    c.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = c.get(reverse("home")).content.decode()
    assert "Log out" in html


def test_login_throttling_locks_after_failures(world, client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post(reverse("login"), {"username": "coord_a1", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "coord_a1", "password": world.password})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_password_change(world, login):
    c = login(world.coordinator)
    response = c.post(
        reverse("password_change"),
        {
            "old_password": world.password,
            "new_password1": "Another-Long-pass-9",
            "new_password2": "Another-Long-pass-9",
        },
    )
    assert response.status_code == 302
    world.coordinator.refresh_from_db()
    assert world.coordinator.check_password("Another-Long-pass-9")


def test_password_change_validators(world, login):
    c = login(world.coordinator)
    response = c.post(
        reverse("password_change"), {"old_password": world.password, "new_password1": "123", "new_password2": "123"}
    )
    assert response.status_code == 200
    world.coordinator.refresh_from_db()
    assert world.coordinator.check_password(world.password)


def test_password_reset_sends_mail(world, client):
    response = client.post(reverse("password_reset"), {"email": world.coordinator.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/reset/" in mail.outbox[0].body


def test_profile_creates_and_revokes_token(world, login):
    c = login(world.coordinator)
    c.post(reverse("token-create"), {"name": "BI", "read_only": "on", "days": 30})
    token = ApiToken.objects.get(user=world.coordinator)
    assert token.read_only and token.name == "BI"
    assert token.key_hash not in c.get(reverse("profile")).content.decode()
    assert login(world.curator).post(reverse("token-revoke", args=[token.pk])).status_code == 404
    c = login(world.coordinator)
    c.post(reverse("token-revoke", args=[token.pk]))
    assert not ApiToken.objects.exists()


def test_admin_for_superusers_only(world, login):
    assert login(world.superuser).get("/admin/").status_code == 200
    assert login(world.coordinator).get("/admin/").status_code == 302


def test_user_role_needs_scope(world):
    from django.core.exceptions import ValidationError

    from accounts.models import Role, User

    user = User(username="x", role=Role.MUNICIPAL_COORDINATOR)
    with pytest.raises(ValidationError):
        user.full_clean()


def test_school_admin_chain_is_completed(world):
    assert world.school_admin.municipality == world.a1
    assert world.school_admin.region == world.region_a


def test_healthz(client, db):
    assert client.get("/healthz").json() == {"status": "ok", "database": True}


def test_api_guide_for_integrators(world, login):
    html = login(world.coordinator).get(reverse("api-guide")).content.decode()
    assert "API для интеграции" in html
    assert "/api/v1/reports/" in html and "/api/v1/assessment/group-results/" in html


def test_swagger_and_redoc_are_served_locally(world, login):
    c = login(world.coordinator)
    for name in ("api-docs", "api-redoc"):
        html = c.get(reverse(name)).content.decode()
        assert "cdn" not in html.lower() and "/static/drf_spectacular_sidecar/" in html
