"""The data-generation cache (core/cache.py): a write shows on the next page, users of
different scope never share a cached value, Redis down still renders (an unreachable one is
tried once, then skipped for a while, and what was dropped meanwhile is made good on its
return), a throttled client
still gets 429, a revoked token stops working at once, the API answers 304 to an
unchanged ETag, and a database outage answers 503 without a traceback.

Most tests here are transactional: inside the usual test transaction the factories' writes
are uncommitted, and a connection with uncommitted writes bypasses the cache altogether
(so the rest of the suite never meets a cached value)."""

import re

import pytest
from django.db import connection, transaction
from django.urls import reverse

from accounts.models import ApiToken
from core import cache as portal_cache
from schools.models import School
from tests.factories import SchoolFactory

transactional = pytest.mark.django_db(transaction=True)
HOME = reverse("home")


def schools_in_scope(response) -> int:
    """The «schools in scope» figure of the home page's schools panel."""
    html = response.content.decode()
    panel = html[html.index('id="panel-schools"') :]
    return int(re.search(r'class="display-6">(\d+)</div>', panel).group(1))


@transactional
def test_generation_moves_on_every_kind_of_write(world):
    school = world.a1_school1
    before = portal_cache.generation()
    assert before is not None
    School.objects.filter(pk=school.pk).update(students_count=123)  # queryset.update(): no signal
    after_update = portal_cache.generation()
    assert after_update > before
    School.objects.bulk_create([School(municipality=world.a1, code="BULK1", short_name="СШ bulk", name="bulk")])
    after_bulk = portal_cache.generation()
    assert after_bulk > after_update
    with connection.cursor() as cursor:  # a service's raw SQL
        cursor.execute("UPDATE schools_school SET teachers_count = 7 WHERE id = %s", [school.pk])
    assert portal_cache.generation() > after_bulk


@transactional
def test_bookkeeping_writes_and_other_tables_do_not_move_it(world):
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    before = portal_cache.generation()
    world.coordinator.last_login = timezone.now()
    world.coordinator.save(update_fields=["last_login"])
    Session.objects.create(session_key="x" * 32, session_data="", expire_date=timezone.now())
    assert portal_cache.generation() == before


@transactional
def test_a_write_makes_the_next_page_show_the_new_figure(world, login, django_assert_max_num_queries):
    c = login(world.coordinator)
    first = c.get(HOME)
    assert schools_in_scope(first) == 3
    with django_assert_max_num_queries(6):  # a hit: session, user and the page's own few
        assert schools_in_scope(c.get(HOME)) == 3
    SchoolFactory(municipality=world.a1)
    assert schools_in_scope(c.get(HOME)) == 4


@transactional
def test_school_card_and_list_show_a_write_at_once(world, login):
    c = login(world.coordinator)
    card = reverse("schools:school-detail", args=[world.a1_school1.pk])
    assert "2020/2021" not in c.get(card).content.decode()
    assert c.get(reverse("schools:school-list")).status_code == 200
    SchoolFactory(municipality=world.a1, code="NEW01", short_name="Новая школа")
    assert "Новая школа" in c.get(reverse("schools:school-list")).content.decode()
    from schools.models import SchoolStatus, StatusKind
    from tests.factories import OrderFactory

    order = OrderFactory(municipality=world.a1)
    SchoolStatus.objects.create(school=world.a1_school1, kind=StatusKind.LOW_RESULTS, year_from=2020, order=order)
    page = c.get(card).content.decode()
    assert "2020/2021" in page


@transactional
def test_two_users_of_different_scope_never_share_a_cached_value(world, login, client):
    assert schools_in_scope(login(world.coordinator).get(HOME)) == 3
    client.logout()
    assert schools_in_scope(login(world.coordinator_a2).get(HOME)) == 1
    client.logout()
    assert schools_in_scope(login(world.regional).get(HOME)) == 4
    client.logout()
    # the school card of another municipality stays out of reach after it was cached
    card = reverse("schools:school-detail", args=[world.a1_school1.pk])
    assert login(world.coordinator).get(card).status_code == 200
    client.logout()
    assert login(world.coordinator_b1).get(card).status_code == 404
    # API lists: one scope's cached list is never served to another
    tokens = {u: ApiToken.issue(u)[1] for u in (world.coordinator, world.coordinator_b1, world.school_admin)}

    def codes(user):
        response = client.get("/api/v1/schools/", HTTP_AUTHORIZATION=f"Token {tokens[user]}")
        return sorted(r["code"] for r in response.json()["results"])

    assert codes(world.coordinator) == ["A1S1", "A1S2", "A1S3"]
    assert codes(world.coordinator_b1) == ["B1S1"]
    assert codes(world.school_admin) == ["A1S1"]
    assert codes(world.coordinator) == ["A1S1", "A1S2", "A1S3"]


@transactional
def test_scope_keys(world):
    from tests.factories import UserFactory

    colleague = UserFactory(username="coord_a1_bis", role="municipal", municipality=world.a1)
    assert portal_cache.scope_key(colleague) == portal_cache.scope_key(world.coordinator)
    users = [world.coordinator, world.coordinator_a2, world.regional, world.methodist, world.curator]
    users += [world.school_admin, world.school_admin2, world.superuser, world.no_role]
    keys = {portal_cache.scope_key(u) for u in users}
    assert len(keys) == 9


@transactional
def test_uncommitted_writes_bypass_the_cache_and_a_rollback_leaves_nothing(world, login):
    c = login(world.coordinator)
    assert schools_in_scope(c.get(HOME)) == 3  # cached
    with transaction.atomic():
        SchoolFactory(municipality=world.a1)
        assert portal_cache.generation() is None
        assert schools_in_scope(c.get(HOME)) == 4  # the writer sees its own write
        transaction.set_rollback(True)
    assert schools_in_scope(c.get(HOME)) == 3  # nothing of the rolled-back write was kept


@transactional
def test_language_is_part_of_the_key(world, login, client):
    c = login(world.coordinator)
    assert "schools in scope" not in c.get(HOME).content.decode()
    client.cookies["django_language"] = "en"
    assert "schools in scope" in c.get(HOME).content.decode()


@transactional
def test_api_etag_answers_304_until_the_data_changes(world, client):
    key = ApiToken.issue(world.coordinator)[1]
    auth = {"HTTP_AUTHORIZATION": f"Token {key}"}
    first = client.get("/api/v1/schools/", **auth)
    etag = first["ETag"]
    assert first.status_code == 200 and etag
    assert client.get("/api/v1/schools/", HTTP_IF_NONE_MATCH=etag, **auth).status_code == 304
    assert client.get("/api/v1/schools/?ordering=-code", HTTP_IF_NONE_MATCH=etag, **auth).status_code == 200
    SchoolFactory(municipality=world.a1)
    again = client.get("/api/v1/schools/", HTTP_IF_NONE_MATCH=etag, **auth)
    assert again.status_code == 200
    assert again.json()["count"] == 4
    assert again["ETag"] != etag


@transactional
def test_api_errors_and_filters_are_not_mixed_up(world, client):
    key = ApiToken.issue(world.coordinator)[1]
    auth = {"HTTP_AUTHORIZATION": f"Token {key}"}
    assert client.get("/api/v1/schools/?code=A1S2", **auth).json()["count"] == 1
    assert client.get("/api/v1/schools/", **auth).json()["count"] == 3
    bad = client.get("/api/v1/schools/?municipality=999999", **auth)
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"
    assert client.get("/api/v1/schools/?municipality=999999", **auth).status_code == 400
    en = client.get("/api/v1/schools/?municipality=999999", HTTP_ACCEPT_LANGUAGE="en", **auth)
    assert en.json()["detail"] == "Invalid input."


@transactional
def test_a_revoked_token_stops_working_at_once(world, client):
    token, key = ApiToken.issue(world.coordinator)
    auth = {"HTTP_AUTHORIZATION": f"Token {key}"}
    assert client.get("/api/v1/schools/", **auth).status_code == 200
    assert client.get("/api/v1/schools/", **auth).status_code == 200  # memoised lookup
    token.delete()
    assert client.get("/api/v1/schools/", **auth).status_code == 401
    _other, key2 = ApiToken.issue(world.coordinator_a2)
    auth2 = {"HTTP_AUTHORIZATION": f"Token {key2}"}
    assert client.get("/api/v1/schools/", **auth2).status_code == 200
    world.coordinator_a2.is_active = False
    world.coordinator_a2.save()
    assert client.get("/api/v1/schools/", **auth2).status_code == 401


@transactional
def test_throttled_client_gets_429_though_the_list_is_cached(world, client):
    from core.throttling import UserThrottle

    key = ApiToken.issue(world.coordinator)[1]
    old = UserThrottle.THROTTLE_RATES
    UserThrottle.THROTTLE_RATES = {**old, "user": "3/min"}
    try:
        codes = [client.get("/api/v1/schools/", HTTP_AUTHORIZATION=f"Token {key}").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
    finally:
        UserThrottle.THROTTLE_RATES = old


DEAD_REDIS = "redis://127.0.0.1:1/0"


@transactional
def test_redis_down_still_renders_with_the_right_figures(world, login, settings, client):
    settings.CACHES = {"default": {"BACKEND": "core.cache.TolerantRedisCache", "LOCATION": DEAD_REDIS}}
    assert portal_cache.generation() is None
    c = login(world.coordinator)
    assert schools_in_scope(c.get(HOME)) == 3
    SchoolFactory(municipality=world.a1)  # the bump fails quietly
    assert schools_in_scope(c.get(HOME)) == 4
    assert c.get(reverse("schools:school-detail", args=[world.a1_school1.pk])).status_code == 200
    assert c.get(reverse("schools:school-list")).status_code == 200
    key = ApiToken.issue(world.coordinator)[1]
    response = client.get("/api/v1/schools/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    assert response.json()["count"] == 4


@pytest.mark.django_db
def test_database_outage_answers_503_without_a_traceback(world, login, client, monkeypatch):
    from django.db import OperationalError

    def down(*args, **kwargs):
        raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")

    monkeypatch.setattr("core.views.panels_for", down)
    c = login(world.coordinator)
    c.raise_request_exception = False
    page = c.get(HOME)
    assert page.status_code == 503
    assert page["Retry-After"]
    assert "Traceback" not in page.content.decode() and "5432" not in page.content.decode()
    assert "База данных" in page.content.decode()

    monkeypatch.setattr("core.api.CachedListMixin.list", down)
    api = c.get("/api/v1/schools/")
    assert api.status_code == 503
    assert api.json()["code"] == "unavailable"

    monkeypatch.setattr("core.views.panels_for", lambda *a, **k: 1 / 0)
    other = c.get(HOME)
    assert other.status_code == 500
    assert "Traceback" not in other.content.decode()


def test_table_signature_cache_gives_django_tables2_the_same_answers():
    import functools

    from django_tables2 import columns

    from core.tables import _uncached_signature, cached_signature

    class Thing:
        def render(self, value, record):
            return value

        def value(self, **kwargs):
            return kwargs

        @classmethod
        def cm(cls, bound_row):
            return bound_row

    def plain(value, table=None):
        return value

    thing = Thing()
    for fn in (thing.render, thing.value, Thing.cm, plain, functools.partial(plain, 1), columns.Column().render):
        assert cached_signature(fn) == _uncached_signature(fn)
        assert cached_signature(fn) == _uncached_signature(fn)  # from the cache


# --- The circuit breaker: an unreachable Redis is tried once, then skipped for a while -------


class Blackhole:
    """A TCP server that accepts connections and never answers: a Redis host that is
    unreachable rather than refusing (every call would wait for its timeout)."""

    def __init__(self):
        import socket
        import threading

        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.05)
        self.port = self.sock.getsockname()[1]
        self.connections = []
        self.running = True
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while self.running:
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                continue
            self.connections.append(conn)

    def close(self):
        self.running = False
        self.thread.join()
        for conn in self.connections:
            conn.close()
        self.sock.close()


@pytest.fixture
def breakers():
    portal_cache.reset_breakers()
    yield
    portal_cache.reset_breakers()


@pytest.fixture
def unreachable_redis(settings, breakers):
    hole = Blackhole()
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.TolerantRedisCache",
            "LOCATION": f"redis://127.0.0.1:{hole.port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    settings.OPORA_CACHE_RETRY_SECONDS = 30
    yield hole
    hole.close()


def later(monkeypatch, seconds):
    """Move the breaker's clock on."""
    import time

    monkeypatch.setattr(portal_cache, "_clock", lambda: time.monotonic() + seconds)


@transactional
def test_an_unreachable_redis_is_tried_once_then_skipped(world, login, client, unreachable_redis, caplog, monkeypatch):
    import logging
    import time

    caplog.set_level(logging.WARNING, logger="core.cache")
    c = login(world.coordinator)  # the session's cache write waits once (0.2 s) and fails
    assert len(unreachable_redis.connections) == 1
    assert portal_cache.breaker_for().is_open
    key = ApiToken.issue(world.coordinator)[1]
    start = time.monotonic()
    assert portal_cache.cache.get("anything", "skipped") == "skipped"
    assert time.monotonic() - start < 0.05  # skipped, not waited for
    assert schools_in_scope(c.get(HOME)) == 3
    assert c.get(reverse("schools:school-list")).context["table"].paginator.count == 3
    SchoolFactory(municipality=world.a1)  # the bump is skipped and owed
    assert schools_in_scope(c.get(HOME)) == 4
    response = client.get("/api/v1/schools/", HTTP_AUTHORIZATION=f"Token {key}")  # throttle skipped too
    assert response.status_code == 200 and response.json()["count"] == 4
    assert len(unreachable_redis.connections) == 1  # not one cache call tried (and waited) again
    assert portal_cache.breaker_for().bump_owed
    unreachable = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(unreachable) == 1 and "not used for 30 s" in unreachable[0].getMessage()

    later(monkeypatch, 31)  # one call tries again, fails, and the cache is skipped again
    assert schools_in_scope(c.get(HOME)) == 4
    assert len(unreachable_redis.connections) == 2
    assert schools_in_scope(c.get(HOME)) == 4
    assert len(unreachable_redis.connections) == 2
    assert len([r for r in caplog.records if "unreachable" in r.getMessage()]) == 1  # logged once


@transactional
def test_back_from_an_outage_the_dropped_writes_are_made_good(world, login, client, breakers, monkeypatch, settings):
    """Redis was reachable all along for the other processes, not for this one: once it
    answers again, the generation moves on for the writes made meanwhile (or the others
    would go on serving what they cached) and a session signed out meanwhile is deleted
    from the cache (or it would sign its owner in again)."""
    redis = portal_cache.redis_client()
    generation_key = portal_cache.cache.make_and_validate_key(portal_cache.GENERATION_KEY)
    c = login(world.coordinator)
    assert schools_in_scope(c.get(HOME)) == 3  # cached
    session_key = portal_cache.cache.make_and_validate_key(f"django.contrib.sessions.cached_db{c.session.session_key}")
    assert redis.exists(session_key)
    before = int(redis.get(generation_key))

    portal_cache.breaker_for().failed("test", OSError("no route to host"))  # the outage begins
    SchoolFactory(municipality=world.a1)
    assert int(redis.get(generation_key)) == before  # the others would still serve «3»
    assert schools_in_scope(c.get(HOME)) == 4  # this process reads the database
    cookie = c.cookies[settings.SESSION_COOKIE_NAME].value
    c.logout()
    assert redis.exists(session_key)  # the delete was dropped

    later(monkeypatch, 31)  # Redis answers again
    c.cookies[settings.SESSION_COOKIE_NAME] = cookie  # the signed-out session's cookie, kept somewhere
    assert c.get(HOME).status_code == 302  # signed out, and the cache agrees
    assert not redis.exists(session_key)
    assert int(redis.get(generation_key)) > before
    assert not portal_cache.breaker_for().is_open and not portal_cache.breaker_for().bump_owed
    assert schools_in_scope(login(world.coordinator).get(HOME)) == 4


def test_breaker_lets_one_caller_try_after_the_pause(settings, monkeypatch):
    import time

    settings.OPORA_CACHE_RETRY_SECONDS = 30
    breaker = portal_cache.CircuitBreaker()
    assert breaker.allow()
    breaker.failed("get", OSError("timed out"))
    assert not breaker.allow()
    later(monkeypatch, 31)
    assert breaker.allow()  # the one that tries …
    assert not breaker.allow()  # … while the others keep skipping
    breaker.succeeded()
    assert breaker.allow() and not breaker.is_open
    monkeypatch.setattr(portal_cache, "_clock", time.monotonic)
    settings.OPORA_CACHE_RETRY_SECONDS = 0  # no breaker: every call goes to Redis
    breaker.failed("get", OSError("timed out"))
    assert breaker.allow() and not breaker.is_open


def test_an_error_redis_answers_with_does_not_open_the_breaker(breakers):
    from redis.exceptions import ResponseError

    def wrong_type():
        raise ResponseError("WRONGTYPE Operation against a key holding the wrong kind of value")

    assert portal_cache.through_breaker("get", wrong_type, "fallback") == "fallback"
    breaker = portal_cache.breaker_for()
    assert breaker is not None and not breaker.is_open


def test_clearing_the_cache_leaves_other_keys_of_the_redis_database(settings):
    """cache.clear() deletes the portal's own keys (its prefix), never FLUSHDB: the same Redis
    database carries Celery's queues and other workers' caches."""
    import redis
    from django.core.cache import caches

    url = settings.CACHES["default"]["LOCATION"]
    if "Redis" not in settings.CACHES["default"]["BACKEND"]:
        pytest.fail("the suite runs with REDIS_URL (make test)")
    cache = caches["default"]
    raw = redis.Redis.from_url(url)
    raw.set("celery-queue-probe", "kept")
    cache.set("probe", 1)
    assert cache.get("probe") == 1
    try:
        cache.clear()
        assert cache.get("probe") is None
        assert raw.get("celery-queue-probe") == b"kept"
    finally:
        raw.delete("celery-queue-probe")
