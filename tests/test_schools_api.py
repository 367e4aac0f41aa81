"""REST API base: token, municipalities and schools, scoped like the pages."""

import pytest

from accounts.models import ApiToken
from schools.models import School

pytestmark = pytest.mark.django_db


def codes(response) -> list[str]:
    return sorted(r["code"] for r in response.json()["results"])


def test_token_endpoint_returns_token_that_authenticates(world, client):
    response = client.post("/api/v1/auth/token/", {"username": "coord_a1", "password": world.password})
    assert response.status_code == 200
    key = response.json()["token"]
    listed = client.get("/api/v1/schools/", HTTP_AUTHORIZATION=f"Token {key}")
    assert listed.status_code == 200
    assert codes(listed) == ["A1S1", "A1S2", "A1S3"]


def test_token_endpoint_refuses_wrong_password(world, client):
    response = client.post(
        "/api/v1/auth/token/", {"username": "coord_a1", "password": "wrong"}, HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "Неверное имя пользователя или пароль."


def test_invalid_and_expired_tokens(world, client):
    assert client.get("/api/v1/schools/", HTTP_AUTHORIZATION="Token nope").status_code == 401
    token, key = ApiToken.issue(world.coordinator, days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires="2000-01-01T00:00Z")
    response = client.get("/api/v1/schools/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 401


def test_anonymous_gets_401_or_403(client, world):
    assert client.get("/api/v1/schools/").status_code in (401, 403)


@pytest.mark.parametrize(
    ("who", "expected"),
    [("superuser", 5), ("regional", 4), ("coordinator", 3), ("curator", 1), ("school_admin", 1), ("outsider", 1)],
)
def test_school_list_scope(world, api, who, expected):
    response = api(getattr(world, who)).get("/api/v1/schools/")
    assert response.status_code == 200
    assert response.json()["count"] == expected


def test_school_filters(world, api):
    c = api(world.regional)
    assert codes(c.get("/api/v1/schools/", {"municipality": world.a2.pk})) == ["A2S1"]
    assert codes(c.get("/api/v1/schools/", {"code": "A1S2"})) == ["A1S2"]
    response = c.get("/api/v1/schools/", {"municipality": "abc"})
    assert response.status_code == 400
    assert "municipality" in response.json()["errors"]


def test_school_fields(world, api):
    row = api(world.school_admin).get("/api/v1/schools/").json()["results"][0]
    for field in ("id", "code", "name", "short_name", "kind", "municipality", "is_active"):
        assert field in row
    assert row["code"] == "A1S1"


def test_school_detail_out_of_scope_is_404(world, api):
    assert api(world.school_admin).get(f"/api/v1/schools/{world.a1_school2.pk}/").status_code == 404
    assert api(world.school_admin).get(f"/api/v1/schools/{world.a1_school1.pk}/").status_code == 200
    assert api(world.school_admin).get("/api/v1/schools/not-a-number/").status_code == 404


def test_municipalities(world, api):
    response = api(world.regional).get("/api/v1/municipalities/")
    assert response.status_code == 200
    assert sorted((m["name"], m["region"]) for m in response.json()["results"]) == [
        ("Округ А1", "Область А"),
        ("Округ А2", "Область А"),
    ]


@pytest.mark.parametrize("path", ["/api/v1/schools/", "/api/v1/municipalities/", "/api/v1/schools/?page_size=1&page=2"])
def test_a_prepared_list_page_builds_no_scoped_queryset(world, api, settings, monkeypatch, path):
    """Once a list page's queries are prepared (core/compiled.py, ``on`` as in production), a
    request runs them without building the reader's scoped queryset again (its filters were a
    fifth of the request's Python): the first request builds it, the next ones do not, and
    they answer the same, reading new data."""
    from core.compiled import forget_prepared
    from core.models import ScopedQuerySet
    from tests.factories import SchoolFactory

    settings.OPORA_PREPARED_QUERIES = "on"
    forget_prepared()
    built = []
    restrict = ScopedQuerySet.restrict
    monkeypatch.setattr(ScopedQuerySet, "restrict", lambda qs, *a, **k: built.append(qs.model) or restrict(qs, *a, **k))
    client = api(world.regional)
    first = client.get(path)
    assert first.status_code == 200 and built
    built.clear()
    again = client.get(path)
    assert again.status_code == 200 and again.content == first.content
    assert built == []
    SchoolFactory(municipality=world.a1, code="A1S9")
    after = client.get(path).json()
    assert built == []
    if "municipalities" not in path:
        assert after["count"] == first.json()["count"] + 1
    forget_prepared()


def test_municipalities_read_as_values_are_the_serializers(world, api):
    """The municipalities list reads ``values()`` rows renamed (every field of its serializer
    is a plain column: ``core.api.plain_sources``) — the same JSON, byte for byte, as the
    serializer gives, empty and non-Latin values and the region's name included; a serializer
    with a figure or a method field is read with the serializer."""
    from rest_framework import serializers
    from rest_framework.renderers import JSONRenderer

    from core.api import plain_sources
    from schools.api.serializers import MunicipalitySerializer, SchoolSerializer
    from schools.models import Municipality

    Municipality.objects.filter(pk=world.a1.pk).update(
        education_body="Управление «Образование» \u2028", methodical_centre=""
    )
    response = api(world.regional).get("/api/v1/municipalities/", {"ordering": "-name"})
    assert response.status_code == 200
    expected = MunicipalitySerializer(
        Municipality.objects.filter(region=world.a1.region).select_related("region").order_by("-name"), many=True
    ).data
    assert response.content == JSONRenderer().render({"count": 2, "next": None, "previous": None, "results": expected})
    assert [name for name, _path in plain_sources(MunicipalitySerializer)] == list(expected[0])
    assert plain_sources(SchoolSerializer) is None

    class WithMethod(serializers.ModelSerializer):
        schools = serializers.SerializerMethodField()

        class Meta:
            model = Municipality
            fields = ["id", "name", "schools"]

    assert plain_sources(WithMethod) is None


def test_coordinator_creates_and_patches_school(world, api):
    c = api(world.coordinator)
    response = c.post(
        "/api/v1/schools/", {"code": "API1", "name": "Школа API", "short_name": "API", "municipality": world.a1.pk}
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    response = c.patch(f"/api/v1/schools/{pk}/", {"is_active": False}, format="json")
    assert response.status_code == 200
    assert School.objects.get(pk=pk).is_active is False


def test_coordinator_cannot_create_in_other_municipality(world, api):
    response = api(world.coordinator).post(
        "/api/v1/schools/", {"code": "API2", "name": "X", "short_name": "X", "municipality": world.b1.pk}
    )
    assert response.status_code == 400
    assert not School.objects.filter(code="API2").exists()


@pytest.mark.parametrize("who", ["school_admin", "curator", "methodist"])
def test_readers_cannot_write(world, api, who):
    c = api(getattr(world, who))
    response = c.patch(f"/api/v1/schools/{world.a1_school1.pk}/", {"name": "Взлом"}, format="json")
    assert response.status_code == 403
    response = c.post("/api/v1/schools/", {"code": "API3", "name": "X", "short_name": "X", "municipality": world.a1.pk})
    assert response.status_code == 400
    assert not School.objects.filter(code="API3").exists()
    world.a1_school1.refresh_from_db()
    assert world.a1_school1.name != "Взлом"


def test_outsider_patch_is_404(world, api):
    response = api(world.outsider).patch(f"/api/v1/schools/{world.a1_school1.pk}/", {"name": "X"}, format="json")
    assert response.status_code == 404


def test_duplicate_code_via_api(world, api):
    response = api(world.coordinator).post(
        "/api/v1/schools/",
        {"code": "A1S1", "name": "X", "short_name": "X", "municipality": world.a1.pk},
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["code"]


def test_read_only_token_cannot_write(world, client):
    _token, key = ApiToken.issue(world.coordinator, read_only=True)
    auth = {"HTTP_AUTHORIZATION": f"Token {key}"}
    assert client.get("/api/v1/schools/", **auth).status_code == 200
    response = client.patch(
        f"/api/v1/schools/{world.a1_school1.pk}/", '{"name": "X"}', content_type="application/json", **auth
    )
    assert response.status_code == 403


def test_oversized_page_size_is_clamped(world, api):
    response = api(world.superuser).get("/api/v1/schools/", {"page_size": 100000})
    assert response.status_code == 200
    response = api(world.superuser).get("/api/v1/schools/", {"page_size": "abc"})
    assert response.status_code == 200


def test_schema_is_served(world, api):
    response = api(world.coordinator).get("/api/v1/schema/")
    assert response.status_code == 200
    assert b"/api/v1/schools/" in response.content


def test_throttling_answers_429_with_retry_after(world, api, settings):
    from django.core.cache import cache

    from core.throttling import UserThrottle

    cache.clear()
    old = UserThrottle.THROTTLE_RATES
    UserThrottle.THROTTLE_RATES = {**old, "user": "3/min"}
    try:
        c = api(world.coordinator)
        codes = [c.get("/api/v1/schools/").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        response = c.get("/api/v1/schools/")
        assert int(response["Retry-After"]) <= 60
        assert response.json()["code"] == "throttled"
        assert api(world.regional).get("/api/v1/schools/").status_code == 200, "another user has their own counter"
    finally:
        UserThrottle.THROTTLE_RATES = old
        cache.clear()
