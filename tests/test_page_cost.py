"""What every HTML page and the home page pay, kept per process where it depends on a key only
(bench/README.md, session 7): the menu's entries per ``policy.menu_key`` and language (check
mode catches a key that misses an input), {% menucache %} keyed by them, the apps' modules
looked up once, a figure two panels show read once per page (``page_figure``), the status
movement and the last analysis run through prepared queries — each the same as what it
replaces and seeing new data at once."""

import pytest
from django.template import Context, Template
from django.test.utils import override_settings
from django.urls import reverse

from accounts.models import Role
from core import navigation
from core.compiled import forget_prepared
from core.years import current_academic_year
from schools.models import SchoolStatus, StatusKind
from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db

ROLES = ("superuser", "regional", "coordinator", "methodist", "curator", "school_admin", "no_role")


@pytest.fixture(autouse=True)
def _fresh_memos():
    forget_prepared()
    navigation._menus.clear()
    yield
    forget_prepared()
    navigation._menus.clear()


def _request(rf, user, path="/"):
    request = rf.get(path)
    request.user = user
    return request


def _plain(menu) -> list[dict]:
    return [{**s, "items": [dict(i) for i in s["items"]]} for s in menu]


@pytest.mark.parametrize("role", ROLES)
def test_menu_shows_what_the_policy_allows_and_the_active_entry(world, rf, role):
    """Every entry of every app's MENU the policy lets the user see, none other; the active
    one is the request's — the kept entries serve another path of the same key."""
    from core.dashboard import app_modules
    from core.policy import may_see_menu_item

    user = getattr(world, role)
    allowed = {
        navigation._url(item.url_name)
        for module in app_modules("navigation")
        for item in getattr(module, "MENU", [])
        if may_see_menu_item(user, item.roles) and navigation._url(item.url_name)
    }
    for path in ("/", reverse("schools:school-list"), "/nowhere/"):
        menu = navigation.menu_for(_request(rf, user, path))
        urls = {i["url"] for s in menu for i in s["items"]}
        assert urls == allowed
        active = {i["url"] for s in menu for i in s["items"] if i["active"]}
        assert active == {u for u in allowed if path.startswith(u)}
        assert all(s["active"] == any(i["active"] for i in s["items"]) for s in menu)
    assert len(navigation._menus) == 1  # one key, three paths


def test_menu_key_missing_an_input_is_caught_in_check_mode(world, rf, monkeypatch):
    """With a key that forgets the role, the kept menu would serve a school administrator the
    coordinator's entries: check mode (the suite's) rebuilds and refuses; «on» does not."""
    from accounts import scoping

    monkeypatch.setattr(scoping, "menu_key", lambda user: ())
    coordinator_menu = _plain(navigation.menu_for(_request(rf, world.coordinator)))
    with pytest.raises(AssertionError, match="menu_key misses an input"):
        navigation.menu_for(_request(rf, world.school_admin))
    navigation._menus.clear()
    navigation.menu_for(_request(rf, world.coordinator))
    with override_settings(OPORA_PREPARED_QUERIES="on"):
        assert _plain(navigation.menu_for(_request(rf, world.school_admin))) == coordinator_menu


def test_menu_labels_follow_the_language(world, rf):
    from django.utils import translation

    with translation.override("en"):
        english = [s["label"] for s in navigation.menu_for(_request(rf, world.coordinator))]
    with translation.override("ru"):
        russian = [s["label"] for s in navigation.menu_for(_request(rf, world.coordinator))]
    assert english != russian
    assert len(navigation._menus) == 2


def test_menucache_by_the_menus_key_renders_as_by_its_content(world, rf):
    """{% menucache %} of a Menu (kept under the key it was made from) gives the HTML the
    content-keyed memo gives for the same sections; another active entry, another HTML."""
    from core.templatetags import opora

    template = Template(
        "{% load opora %}{% menucache nav_menu %}{% for s in nav_menu %}<{{ s.id }} {{ s.label }} {{ s.url }}"
        "{% if s.active %} on{% endif %}>{% for i in s.items %}[{{ i.label }} {{ i.url }}"
        "{% if i.active %} on{% endif %}]{% endfor %}{% endfor %}{% endmenucache %}"
    )
    for path in ("/", reverse("schools:school-list")):
        opora._menus.clear()
        menu = navigation.menu_for(_request(rf, world.coordinator, path))
        assert menu.key
        by_key = template.render(Context({"nav_menu": menu}))
        opora._menus.clear()
        by_content = template.render(Context({"nav_menu": _plain(menu)}))
        assert by_key == by_content
    home = navigation.menu_for(_request(rf, world.coordinator, "/"))
    schools = navigation.menu_for(_request(rf, world.coordinator, reverse("schools:school-list")))
    assert template.render(Context({"nav_menu": home})) != template.render(Context({"nav_menu": schools}))
    assert " on]" in template.render(Context({"nav_menu": schools}))


def test_app_modules_follow_the_apps_setting(settings):
    from core.dashboard import app_modules

    every = [m.__name__ for m in app_modules("dashboard")]
    assert "schools.dashboard" in every and "events.dashboard" in every
    settings.OPORA_APPS = ["events", "accounts", "schools"]  # accounts has no dashboard module
    assert [m.__name__ for m in app_modules("dashboard")] == ["events.dashboard", "schools.dashboard"]


def test_page_figure_is_read_once_per_page_of_panels():
    from core.dashboard import collect, page_figure

    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert page_figure(("t",), compute) == 1
    assert page_figure(("t",), compute) == 2  # outside a page: every time
    import core.dashboard

    seen = []

    def fake_panels(*args):
        seen.append((page_figure(("t",), compute), page_figure(("t",), compute), page_figure(("u",), compute)))
        return []

    class Module:
        panels = staticmethod(fake_panels)

    original = core.dashboard.app_modules
    core.dashboard.app_modules = lambda module: iter([Module, Module])
    try:
        collect("dashboard", "panels")
        collect("dashboard", "panels")
    finally:
        core.dashboard.app_modules = original
    assert seen == [(3, 3, 4), (3, 3, 4), (5, 5, 6), (5, 5, 6)]  # once per page, anew for the next


def _low_results(school, year, year_to=None):
    return SchoolStatus.objects.create(
        school=school,
        kind=StatusKind.LOW_RESULTS,
        year_from=year,
        year_to=year_to,
        order=OrderFactory(municipality=school.municipality),
    )


def test_home_reads_the_low_results_count_once_and_both_panels_show_it(world, monkeypatch):
    """The schools panel's and the events panel's ШНОР count: one query, one figure, new
    data seen on the next page."""
    import core.compiled
    from core.dashboard import collect

    year = current_academic_year()
    _low_results(world.a1_school1, year)
    counted = []
    original = core.compiled.prepared_count

    def counting(key, build, *args):
        counted.append(key)
        return original(key, build, *args)

    monkeypatch.setattr(core.compiled, "prepared_count", counting)

    def page():
        counted.clear()
        panels = collect("dashboard", "panels", world.coordinator)
        schools = next(p for p in panels if p.template == "schools/_panel_counts.html")
        events = next(p for p in panels if p.template == "events/panels/idle_schools.html")
        reads = [k for k in counted if k[0] == "schools.low_results"]
        return schools.context["counts"]["low_results"], events.context["low_count"], len(reads)

    assert page() == (1, 1, 1)
    _low_results(world.a1_school2, year)
    assert page() == (2, 2, 1)


@pytest.mark.parametrize("mode", ["on", "check", "off"])
def test_status_movement_of_a_municipality_is_the_querysets(world, mode):
    from schools.selectors import low_results_movement, status_movement

    year = current_academic_year()
    with override_settings(OPORA_PREPARED_QUERIES=mode):
        _low_results(world.a1_school1, year - 1, year_to=year - 1)
        _low_results(world.a1_school2, year)
        _low_results(world.a2_school1, year)
        first = low_results_movement(world.a1, year)
        assert (first["total"], first["before_total"], first["entered"], first["left"]) == (1, 1, 1, 1)
        assert first["entered_ids"] == {world.a1_school2.pk}
        assert low_results_movement(world.a2, year)["entered_ids"] == {world.a2_school1.pk}  # its id swapped in
        SchoolStatus.objects.create(
            school=world.a1_school1, kind=StatusKind.ADVERSE, year_from=year, order=OrderFactory(municipality=world.a1)
        )
        _low_results(world.a1_curator_school, year)
        assert low_results_movement(world.a1, year)["entered"] == 2  # new data at once
        adverse = status_movement(world.a1, StatusKind.ADVERSE, [year])  # another kind: another statement
        assert [(r["total"], r["entered"]) for r in adverse] == [(1, 1)]


def test_last_run_is_the_latest_finished_one(db):
    from assessment.models import AnalysisRun
    from assessment.selectors import last_run

    assert last_run() is None
    done = AnalysisRun.objects.create(status=AnalysisRun.Status.DONE, years=[2024])
    AnalysisRun.objects.create(status=AnalysisRun.Status.RUNNING)
    assert last_run() == done and last_run().years == [2024]
    newer = AnalysisRun.objects.create(status=AnalysisRun.Status.DONE)
    assert last_run() == newer


def test_home_of_each_role_answers(world, login):
    for role in ROLES:
        user = getattr(world, role)
        response = login(user).get("/")
        assert response.status_code == 200, role
        if user.role == Role.MUNICIPAL_COORDINATOR:
            assert "schools/_panel_counts.html" in [t.name for t in response.templates]


def test_home_scope_label_names_the_place_the_role_rests_on(world, login):
    """The school, else the municipality, else the region (the first set), read through the
    prepared query per field; a new name is seen at once."""
    from core.views import _scope_label

    expected = {
        "coordinator": "Муниципальный координатор · Округ А1",
        "regional": "Региональный координатор · Область А",
        "curator": "Куратор · СШ № 34",
        "school_admin": "Администратор школы · СШ № 1",
        "superuser": "",
        "no_role": "",
    }
    for role, text in expected.items():
        assert _scope_label(getattr(world, role)).replace("Роль: ", "") == text, role
    world.methodist.school = world.a1_school2  # a school set too: the school is named
    assert _scope_label(world.methodist).endswith("· СШ № 2")
    world.a1.name = "Округ А1-новый"
    world.a1.save()
    fresh = type(world.coordinator).objects.get(pk=world.coordinator.pk)
    assert _scope_label(fresh).endswith("· Округ А1-новый")
    assert fresh.municipality.name == "Округ А1-новый"  # kept on the user: no second query
    body = login(world.school_admin).get("/").content.decode()
    assert "Администратор школы · СШ № 1" in body


def test_has_school_scope_follows_the_academic_year_for_a_curator(world, monkeypatch):
    """A curator's schools are the year's assignments: the prepared question is kept per
    scope, which names the year for a curator (a key without it fails the check mode, and
    would answer last year's in «on»)."""
    import core.years
    import curators.models
    from accounts.scoping import EDIT, VIEW, has_school_scope, may_oversee_municipalities

    assert has_school_scope(world.curator, VIEW)
    assert not has_school_scope(world.curator, EDIT)
    assert may_oversee_municipalities(world.coordinator) and not may_oversee_municipalities(world.curator)
    next_year = current_academic_year() + 1
    monkeypatch.setattr(core.years, "current_academic_year", lambda *a, **k: next_year)
    monkeypatch.setattr(curators.models, "current_academic_year", lambda *a, **k: next_year)
    assert not has_school_scope(world.curator, VIEW)


def test_fixedcache_is_kept_per_name_language_and_values():
    from django.utils import translation

    from core.templatetags import opora

    opora._fixed.clear()
    template = Template(
        '{% load i18n opora %}{% fixedcache "t" year %}{% translate "Academic year" %} {{ year }}{% endfixedcache %}'
    )
    with translation.override("ru"):
        assert template.render(Context({"year": "2026/2027"})) == "Учебный год 2026/2027"
        assert template.render(Context({"year": "2027/2028"})) == "Учебный год 2027/2028"
    with translation.override("en"):
        assert template.render(Context({"year": "2026/2027"})) == "Academic year 2026/2027"
    assert len(opora._fixed) == 3


def test_fixedcache_using_more_than_its_values_fails_in_check_mode():
    """A part that reads a value it does not name would show the first reader's to everyone:
    check mode (the suite's) renders it again and refuses; «on» would serve the kept one."""
    from core.templatetags import opora

    opora._fixed.clear()
    template = Template('{% load opora %}{% fixedcache "t" %}{{ name }}{% endfixedcache %}')
    assert template.render(Context({"name": "А"})) == "А"
    with pytest.raises(AssertionError, match="rendered otherwise"):
        template.render(Context({"name": "Б"}))
    with override_settings(OPORA_PREPARED_QUERIES="on"):
        assert template.render(Context({"name": "Б"})) == "А"


def test_page_frame_of_each_role_and_language(world, login):
    """base.html's fixed parts: the administration link for a superuser only, the language
    selected, the year in the footer — for each role in turn (check mode compares each)."""
    for role in ROLES:
        user = getattr(world, role)
        client = login(user)
        body = client.get("/").content.decode()
        assert ('href="/admin/"' in body) == user.is_superuser, role
        assert '<option value="ru" lang="ru" title="Русский" selected>RU</option>' in body
        assert f"Учебный год {current_academic_year()}/{current_academic_year() + 1}" in body
        client.cookies["django_language"] = "en"
        body = client.get("/").content.decode()
        assert '<option value="en" lang="en" title="English" selected>EN</option>' in body
        assert "Academic year" in body
        client.cookies.pop("django_language")


def test_curators_home_follows_the_academic_year(world, monkeypatch):
    """The home panels' prepared questions rest on the curator's schools, which are the
    year's assignments: the scope key names the year (check mode fails a key without it)."""
    import core.years
    import curators.models
    from core.dashboard import collect

    assert "assessment/_panel_home.html" in [p.template for p in collect("dashboard", "panels", world.curator)]
    next_year = current_academic_year() + 1
    monkeypatch.setattr(core.years, "current_academic_year", lambda *a, **k: next_year)
    monkeypatch.setattr(curators.models, "current_academic_year", lambda *a, **k: next_year)
    assert "assessment/_panel_home.html" not in [p.template for p in collect("dashboard", "panels", world.curator)]


def test_school_counts_build_the_scope_only_when_they_prepare(world):
    """The home's schools panel passes the reader's schools as a function: with a key the
    queryset is built when the counts are prepared (check mode, the tests' setting, builds
    it on each call to compare the SQL), not on every request; the counts are the
    queryset's own (no key: built and read every time)."""
    from accounts.scoping import schools_for
    from schools.selectors import school_counts

    order = OrderFactory(municipality=world.a1)
    SchoolStatus.objects.create(
        school=world.a1_school1, kind=StatusKind.LOW_RESULTS, year_from=current_academic_year(), order=order
    )
    built = []

    def schools():
        built.append(1)
        return schools_for(world.coordinator)

    expected = school_counts(schools_for(world.coordinator))
    assert expected["total"] > 0 and expected["low_results"] == 1
    assert school_counts(schools) == expected and len(built) == 1
    with override_settings(OPORA_PREPARED_QUERIES="on"):
        for _ in range(3):
            assert school_counts(schools, key=("test-lazy-counts",)) == expected
    assert len(built) == 3  # once more for the counts and once for the ШНОР count, when prepared
    with override_settings(OPORA_PREPARED_QUERIES="check"):
        assert school_counts(schools, key=("test-lazy-counts",)) == expected
    assert len(built) == 5
