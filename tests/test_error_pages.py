"""The 403, 404 and 500 pages are Russian, in the portal's layout, with a way back — also
with DEBUG on (make run), where Django would show its English technical pages (issue 15.2)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from core import views as core_views

pytestmark = pytest.mark.django_db


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


def _middleware_response(rf, user, exception):
    """What the portal answers for ``exception`` raised by a view with DEBUG on."""
    from core.middleware import ErrorPagesMiddleware

    request = rf.get("/schools/", HTTP_REFERER="http://testserver/")
    request.user = user
    request.session = {}
    return ErrorPagesMiddleware(lambda r: None).process_exception(request, exception)


@pytest.mark.parametrize("debug", [False, True])
def test_403_page(world, rf, settings, debug):
    settings.DEBUG = debug
    request = rf.get("/schools/")
    request.user = world.coordinator
    from core.views import permission_denied

    _assert_portal_page(permission_denied(request), 403, "Доступ запрещён")
    if debug:
        _assert_portal_page(_middleware_response(rf, world.coordinator, PermissionDenied()), 403, "Доступ запрещён")
        _assert_portal_page(_middleware_response(rf, world.coordinator, Http404("x")), 404, "Страница не найдена")


def test_500_in_debug_is_the_portals_page_and_is_logged(world, rf, settings, caplog):
    settings.DEBUG = True
    try:
        raise RuntimeError("boom")
    except RuntimeError as exc:
        response = _middleware_response(rf, world.coordinator, exc)
    text = response.content.decode()
    assert response.status_code == 500
    assert "Что-то пошло не так" in text and "На главную" in text and "boom" not in text
    assert any("Internal Server Error" in r.getMessage() for r in caplog.records)


def test_a_developer_may_have_the_technical_pages_back(world, login, settings):
    settings.DEBUG = True
    settings.OPORA_DEBUG_ERROR_PAGES = False
    assert "Using the URLconf" in login(world.coordinator).get("/no-such-page/").content.decode()


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
