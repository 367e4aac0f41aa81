"""The version for the visually impaired (ГОСТ Р 52872-2019): the token, the switch, where it
is remembered (the person and the browser), what the page carries, and that documents are
untouched."""

import pytest

from core.vision import COOKIE_NAME, VisionMode

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("off", VisionMode()),
        ("150-bw-img-normal", VisionMode(on=True, size=150, scheme="bw", images=True, spacing="normal")),
        ("200-wb-noimg-wide", VisionMode(on=True, size=200, scheme="wb", images=False, spacing="wide")),
        ("100-color-img-medium", VisionMode(on=True, size=100, scheme="color", images=True, spacing="medium")),
    ],
)
def test_a_token_reads_back_as_the_mode_it_was_made_from(token, expected):
    assert VisionMode.parse(token) == expected
    assert expected.token == token


@pytest.mark.parametrize("token", ["", None, "on", "175-bw-img-normal", "150-red-img-normal", "150-bw-img", "x-y-z-w"])
def test_a_malformed_token_means_not_chosen(token):
    assert VisionMode.parse(token) is None


def test_the_classes_of_the_page_follow_the_choices():
    assert VisionMode().html_class == ""
    assert VisionMode.parse("200-wb-noimg-wide").html_class.split() == [
        "vision",
        "vision-size-200",
        "vision-wb",
        "vision-spacing-wide",
        "vision-noimg",
    ]


def test_the_header_switch_turns_the_mode_on_and_the_browser_remembers_it(client):
    page = client.get("/accounts/login/").content.decode()
    assert 'action="/vision/"' in page and 'class="vision' not in page.split("<head>")[0]

    response = client.post("/vision/", {"mode": "on", "next": "/accounts/login/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert response.cookies[COOKIE_NAME].value == "150-bw-img-normal"
    assert response.cookies[COOKIE_NAME]["max-age"] == 365 * 24 * 3600

    page = client.get("/accounts/login/").content.decode()
    assert '<html lang="ru" class="vision vision-size-150 vision-bw vision-spacing-normal">' in page
    assert (
        "css/vision.css" in page
        and 'aria-pressed="true">A<span class="visually-hidden"> — шрифт крупнее в 1,5 раза' in page
    )

    for choice in ({"size": "200"}, {"scheme": "wb"}, {"images": "off"}, {"spacing": "wide"}):
        client.post("/vision/", {**choice, "next": "/accounts/login/"})
    assert client.cookies[COOKIE_NAME].value == "200-wb-noimg-wide"

    client.post("/vision/", {"mode": "off", "next": "/accounts/login/"})
    assert client.cookies[COOKIE_NAME].value == "off"
    assert "css/vision.css" not in client.get("/accounts/login/").content.decode()


def test_the_person_remembers_it_on_another_browser_and_wins_over_that_browser(world, client):
    from django.test import Client

    client.force_login(world.curator)
    client.post("/vision/", {"mode": "on", "next": "/"})
    client.post("/vision/", {"size": "200", "next": "/"})
    world.curator.refresh_from_db()
    assert world.curator.vision_mode == "200-bw-img-normal"

    other = Client()  # another computer, whose browser last showed the usual version
    other.cookies[COOKIE_NAME] = "off"
    other.force_login(world.curator)
    assert 'class="vision vision-size-200 vision-bw' in other.get("/").content.decode()

    # A person who never chose gets what the browser remembers.
    other.force_login(world.coordinator)
    other.cookies[COOKIE_NAME] = "150-wb-img-normal"
    assert 'class="vision vision-size-150 vision-wb' in other.get("/").content.decode()
    world.coordinator.refresh_from_db()
    assert world.coordinator.vision_mode == ""


def test_the_large_font_folds_the_navigation_and_the_bar_offers_every_choice(world, client):
    client.force_login(world.coordinator)
    client.post("/vision/", {"mode": "on", "size": "200", "next": "/"})
    page = client.get("/").content.decode()
    assert "navbar-expand-xl" not in page  # the menu is behind its button at any width
    choices = {"size": "100 150 200", "scheme": "bw wb color", "images": "on off", "spacing": "normal medium wide"}
    for name, values in {**choices, "mode": "off"}.items():
        for value in values.split():
            assert f'name="{name}" value="{value}"' in page
    client.post("/vision/", {"mode": "off", "next": "/"})
    assert "navbar-expand-xl" in client.get("/").content.decode()


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_the_switch_goes_back_only_to_this_site(client, target):
    response = client.post("/vision/", {"mode": "on", "next": target})
    assert response["Location"] == "/"


def test_the_switch_takes_only_post(client):
    assert client.get("/vision/?mode=on").status_code == 405


def test_documents_are_untouched_by_the_mode(world, client):
    """A progress report's PDF is the same document whatever the reader's page looks like."""
    import subprocess

    from roadmaps import services
    from tests.roadmaps.conftest import make_roadmap

    roadmap = make_roadmap(world.a1_school1, title="Формирующее оценивание")
    report = services.progress_report_create(user=world.school_admin, roadmap=roadmap, period_start=roadmap.start_date)
    client.force_login(world.coordinator)
    url = f"/roadmaps/reports/{report.pk}/pdf/"
    plain = client.get(url)
    if plain.status_code != 200:
        pytest.fail(f"{url}: {plain.status_code}")
    client.post("/vision/", {"mode": "on", "size": "200", "scheme": "wb", "images": "off", "next": "/"})
    seen = client.get(url)

    def text(response):
        pdf = b"".join(response.streaming_content) if response.streaming else response.content
        return subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout

    assert plain["Content-Type"] == seen["Content-Type"] == "application/pdf"
    assert text(plain) == text(seen)
