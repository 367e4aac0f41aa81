"""The 403, 404 and 500 pages are Russian, in the portal's layout, with a way back — also
with DEBUG on (make run), where Django would show its English technical pages (issue 15.2)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import override_settings
from django.urls import path

from config import urls as portal_urls
from core import views as core_views

pytestmark = pytest.mark.django_db


def boom(request):
    raise RuntimeError("boom")


def forbidden(request):
    raise PermissionDenied


def missing(request):
    raise Http404("Нет такой школы")


urlpatterns = [
    path("boom/", boom),
    path("forbidden/", forbidden),
    path("missing/", missing),
    *portal_urls.urlpatterns,
]
handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"


def _assert_portal_page(response, status, heading):
    text = response.content.decode()
    assert response.status_code == status
    assert heading in text
    assert "На главную" in text
    assert "Page not found" not in text and "Traceback" not in text and "Using the URLconf" not in text
    assert 'class="navbar' in text  # the portal's layout


@pytest.mark.parametrize("debug", [False, True])
def test_404_of_an_unknown_address(world, login, settings, debug):
    settings.DEBUG = debug
    client = login(world.coordinator)
    response = client.get("/no-such-page/", HTTP_REFERER="http://testserver/schools/")
    _assert_portal_page(response, 404, "Страница не найдена")
    text = response.content.decode()
    assert 'href="http://testserver/schools/"' in text and "Вернуться на предыдущую страницу" in text
    assert 'href="/schools/"' in text  # the menu is there too


@pytest.mark.parametrize("debug", [False, True])
def test_404_of_an_object_outside_the_scope(world, login, settings, debug):
    settings.DEBUG = debug
    response = login(world.outsider).get(f"/schools/{world.a1_school1.pk}/")
    _assert_portal_page(response, 404, "Страница не найдена")


def test_the_way_back_never_leads_to_another_host(world, login):
    response = login(world.coordinator).get("/no-such-page/", HTTP_REFERER="https://evil.example/phish")
    assert "evil.example" not in response.content.decode()


@override_settings(ROOT_URLCONF="tests.test_error_pages")
@pytest.mark.parametrize("debug", [False, True])
def test_403_and_a_raised_404(world, login, settings, debug):
    settings.DEBUG = debug
    client = login(world.coordinator)
    _assert_portal_page(client.get("/forbidden/"), 403, "Доступ запрещён")
    _assert_portal_page(client.get("/missing/"), 404, "Страница не найдена")


@override_settings(ROOT_URLCONF="tests.test_error_pages", DEBUG=True)
def test_500_in_debug_is_the_portals_page_and_is_logged(world, login, caplog):
    client = login(world.coordinator)
    response = client.get("/boom/")
    text = response.content.decode()
    assert response.status_code == 500
    assert "Что-то пошло не так" in text and "На главную" in text and "boom" not in text
    assert any("boom" in str(r.exc_info) for r in caplog.records if r.exc_info)


@override_settings(ROOT_URLCONF="tests.test_error_pages", DEBUG=True, OPORA_DEBUG_ERROR_PAGES=False)
def test_a_developer_may_have_the_technical_pages_back(world, login):
    client = login(world.coordinator)
    assert "Using the URLconf" in client.get("/no-such-page/").content.decode()


def test_500_page_without_the_database_is_russian_in_the_layout(rf):
    request = rf.get("/schools/")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        response = core_views.server_error(request)
    text = response.content.decode()
    assert response.status_code == 500
    assert "Что-то пошло не так" in text and 'class="navbar' in text and 'href="/"' in text


def test_api_404_stays_json(world, login):
    response = login(world.coordinator).get("/api/v1/no-such-endpoint/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
