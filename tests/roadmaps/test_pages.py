"""Pages: scoping (the one who may, a colleague with less scope, an outsider), the report
form (evidence checks, stale edits), the tree editor through htmx, query counts."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from roadmaps.models import Evidence, ReportStatus

from .conftest import fill, make_roadmap, to_state


def form_data(report, value="42", status="in_progress", version=None, **extra):
    data = {"version": version if version is not None else report.version}
    for entry in report.entries.select_related("activity"):
        p = f"e{entry.pk}_"
        data[p + "status"] = status
        data[p + "comment"] = "Семинар проведён"
        data[p + "evidence_link"] = ""
        data[p + "cancel_reason"] = ""
        for i in entry.activity.indicators.all():
            data[f"{p}i{i.pk}"] = value
    data.update(extra)
    return data


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("school_admin", 200),
        ("curator", 200),
        ("coordinator", 200),
        ("regional", 200),
        ("methodist", 200),
        ("school_admin2", 404),
        ("coordinator_a2", 404),
        ("outsider", 404),
    ],
)
def test_roadmap_and_report_pages_are_scoped(plan, world, login, who, status):
    client = login(getattr(world, who))
    assert client.get(reverse("roadmaps:roadmap-detail", args=[plan.roadmap.pk])).status_code == status
    assert client.get(reverse("roadmaps:report-detail", args=[plan.report.pk])).status_code == status
    assert client.get(reverse("roadmaps:roadmap-indicators", args=[plan.roadmap.pk])).status_code == status
    listed = client.get(reverse("roadmaps:roadmap-list"))
    assert listed.status_code == 200
    assert (f'href="{plan.roadmap.get_absolute_url()}"' in listed.content.decode()) == (status == 200)


@pytest.mark.parametrize(
    ("who", "status"), [("school_admin", 200), ("coordinator", 200), ("curator", 404), ("school_admin2", 404)]
)
def test_only_the_school_opens_the_report_form(plan, world, login, who, status):
    assert login(getattr(world, who)).get(reverse("roadmaps:report-edit", args=[plan.report.pk])).status_code == status


def test_school_admin_saves_with_evidence_and_submits(plan, world, login):
    client = login(world.school_admin)
    url = reverse("roadmaps:report-edit", args=[plan.report.pk])
    entry = plan.report.entries.order_by("pk").first()
    data = form_data(plan.report)
    data[f"e{entry.pk}_file"] = SimpleUploadedFile("protocol.pdf", b"%PDF-1.4 protocol", "application/pdf")
    data["submit"] = "1"
    response = client.post(url, data)
    assert response.status_code == 302
    plan.report.refresh_from_db()
    assert plan.report.status == ReportStatus.SUBMITTED
    evidence = Evidence.objects.get(entry=entry)
    assert evidence.filename.startswith("protocol")
    # The evidence file is served to those who may see the report, not to others.
    file_url = reverse("protected-file", args=[evidence.file.name])
    assert login(world.curator).get(file_url).status_code == 200
    assert login(world.outsider).get(file_url).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.exe", b"MZ\x90\x00", "Неподдерживаемый тип файла"),
        ("fake.pdf", b"just text, not a pdf", "Содержимое файла не соответствует его типу"),
        ("huge.pdf", b"%PDF-1.4" + b"0" * (10 * 1024 * 1024 + 10), "Файл слишком большой"),
    ],
)
def test_bad_evidence_is_refused_and_input_kept(plan, world, login, name, content, message):
    client = login(world.school_admin)
    entry = plan.report.entries.order_by("pk").first()
    data = form_data(plan.report, value="41")
    data[f"e{entry.pk}_file"] = SimpleUploadedFile(name, content)
    response = client.post(reverse("roadmaps:report-edit", args=[plan.report.pk]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'value="41"' in html  # the user's input is still in the form
    assert not Evidence.objects.exists()


def test_stale_form_keeps_input_and_shows_fresh_values(plan, world, login):
    client = login(world.school_admin)
    url = reverse("roadmaps:report-edit", args=[plan.report.pk])
    opened_version = plan.report.version
    # Someone else saves first.
    fill(plan.report, world.coordinator, value=Decimal("55"))
    response = client.post(url, form_data(plan.report, value="33", version=opened_version))
    assert response.status_code == 409
    html = response.content.decode()
    assert "Пока вы редактировали отчёт, его сохранил другой пользователь" in html
    assert 'value="33"' in html  # my input
    assert "= 55" in html  # their saved value
    plan.report.refresh_from_db()
    assert plan.report.entries.first().activity.indicators.first().actuals.get().value == Decimal("55")
    # Saving again from the re-rendered form (fresh version) works.
    response = client.post(url, form_data(plan.report, value="33"))
    assert response.status_code == 302


def test_missing_actuals_on_submit_are_listed_and_saved_values_kept(plan, world, login):
    client = login(world.school_admin)
    data = form_data(plan.report, value="")
    data["submit"] = "1"
    response = client.post(reverse("roadmaps:report-edit", args=[plan.report.pk]), data, follow=True)
    html = response.content.decode()
    assert "Отчёт сохранён, но отправить его пока нельзя" in html
    assert html.count("не указано фактическое значение показателя") >= 2
    plan.report.refresh_from_db()
    assert plan.report.status == ReportStatus.DRAFT


def test_curator_returns_with_comment_through_the_page(plan, world, login):
    report = to_state(plan.report, world, "submitted")
    entry = report.entries.order_by("pk").first()
    client = login(world.curator)
    page = client.get(reverse("roadmaps:report-detail", args=[report.pk])).content.decode()
    assert "Вернуть школе" in page
    response = client.post(
        reverse("roadmaps:report-transition", args=[report.pk, "return"]),
        {"reason": "Нет протокола", f"c{entry.pk}": "Приложите протокол семинара"},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    entry.refresh_from_db()
    assert report.status == ReportStatus.RETURNED and entry.curator_comment == "Приложите протокол семинара"
    # The school admin cannot approve through the page.
    login(world.school_admin).post(reverse("roadmaps:report-transition", args=[report.pk, "approve"]))
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED


def test_approved_report_page_is_rendered_from_the_snapshot(plan, world, login):
    report = to_state(plan.report, world, "approved")
    activity = plan.roadmap.goals.get().tasks.get().activities.order_by("pk").first()
    activity.title = "Новое название после утверждения"
    activity.save()
    html = login(world.coordinator).get(reverse("roadmaps:report-detail", args=[report.pk])).content.decode()
    assert "Мероприятие 1 (Дорожная карта)" in html
    assert "Новое название после утверждения" not in html
    edit = login(world.school_admin).get(reverse("roadmaps:report-edit", args=[report.pk]))
    assert edit.status_code == 302


def test_tree_is_edited_through_htmx(plan, world, login):
    client = login(world.school_admin)
    goal = plan.roadmap.goals.get()
    url = reverse("roadmaps:node-create", args=["task", goal.pk])
    form = client.get(url, HTTP_HX_REQUEST="true")
    assert form.status_code == 200 and 'hx-post="' in form.content.decode()
    bad = client.post(url, {"task-title": "", "task-position": 1}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 422
    ok = client.post(url, {"task-title": "Новая задача", "task-position": 2}, HTTP_HX_REQUEST="true")
    assert ok.status_code == 200 and ok["HX-Retarget"] == "#roadmap-tree"
    assert "Новая задача" in ok.content.decode()
    task = goal.tasks.get(title="Новая задача")
    activity_url = reverse("roadmaps:node-create", args=["activity", task.pk])
    outside = client.post(
        activity_url,
        {"activity-title": "Вне периода", "activity-due_date": "2040-01-01", "activity-position": 1},
        HTTP_HX_REQUEST="true",
    )
    assert outside.status_code == 422
    assert "Срок должен входить в период дорожной карты" in outside.content.decode()
    delete = client.post(reverse("roadmaps:node-delete", args=["task", task.pk]), HTTP_HX_REQUEST="true")
    assert delete.status_code == 200 and not goal.tasks.filter(pk=task.pk).exists()
    # Others cannot touch the tree.
    for user in (world.curator, world.school_admin2):
        assert login(user).post(url, {"task-title": "Чужая", "task-position": 3}).status_code == 404
    assert not goal.tasks.filter(title="Чужая").exists()


def test_roadmap_submit_page_shows_quality_problems(world, login):
    from roadmaps.models import Activity, RoadmapStatus

    roadmap = make_roadmap(world.a1_school1, status=RoadmapStatus.DRAFT)
    Activity.objects.filter(task__goal__roadmap=roadmap).update(responsible_name="")
    client = login(world.school_admin)
    response = client.post(reverse("roadmaps:roadmap-transition", args=[roadmap.pk, "submit"]), follow=True)
    html = response.content.decode()
    assert "Дорожную карту нельзя отправить" in html
    assert "не указан ответственный" in html
    roadmap.refresh_from_db()
    assert roadmap.status == RoadmapStatus.DRAFT


def test_import_page_reports_errors(plan, world, login):
    from .test_plan import _xlsx

    client = login(world.school_admin)
    upload = SimpleUploadedFile("plan.xlsx", _xlsx([["", "", "", "", "", "", "", "", "", "", "", "x", None]]).read())
    response = client.post(reverse("roadmaps:roadmap-import", args=[plan.roadmap.pk]), {"file": upload})
    html = response.content.decode()
    assert "Ничего не загружено" in html and "Строка 2" in html
    assert login(world.curator).get(reverse("roadmaps:roadmap-import", args=[plan.roadmap.pk])).status_code == 404


def test_export_is_scoped(plan, world, login):
    url = reverse("roadmaps:roadmap-export", args=[plan.roadmap.pk])
    assert login(world.curator).get(url)["Content-Type"].startswith("application/vnd.openxmlformats")
    assert login(world.outsider).get(url).status_code == 404


def test_home_panels_and_school_card(plan, world, login):
    to_state(plan.report, world, "submitted")
    assert "Отчёты, ждущие моей проверки" in login(world.curator).get("/").content.decode()
    home = login(world.school_admin).get("/").content.decode()
    assert "Выполнение дорожной карты" in home
    assert "Отчёты по дорожным картам" in login(world.coordinator).get("/").content.decode()
    card = login(world.coordinator).get(world.a1_school1.get_absolute_url()).content.decode()
    assert plan.roadmap.title in card


def test_approval_queue_and_monitoring(plan, world, login):
    to_state(plan.report, world, "accepted")
    link = f'href="{plan.report.get_absolute_url()}"'
    assert link in login(world.coordinator).get(reverse("roadmaps:approval-queue")).content.decode()
    assert link not in login(world.coordinator_a2).get(reverse("roadmaps:approval-queue")).content.decode()
    monitoring = login(world.coordinator).get(reverse("roadmaps:monitoring"))
    assert monitoring.status_code == 200
    assert plan.roadmap.title in monitoring.content.decode()


def test_documents_pages(world, login):
    from roadmaps.models import SchoolDocument

    client = login(world.school_admin)
    upload = SimpleUploadedFile("concept.pdf", b"%PDF-1.4 concept", "application/pdf")
    from core.years import current_academic_year

    response = client.post(
        reverse("roadmaps:document-create"),
        {
            "school": world.a1_school1.pk,
            "kind": "concept",
            "year": current_academic_year(),
            "title": "Концепция",
            "file": upload,
        },
    )
    assert response.status_code == 302
    doc = SchoolDocument.objects.get()
    bad = client.post(
        reverse("roadmaps:document-create"),
        {"school": world.a1_school2.pk, "kind": "anti_risk", "year": current_academic_year(), "title": "Чужая"},
    )
    assert bad.status_code == 200 and SchoolDocument.objects.count() == 1
    assert "Антирисковая программа отвечает на фактор риска" in bad.content.decode()
    assert login(world.outsider).get(doc.get_absolute_url()).status_code == 404
    assert login(world.curator).get(doc.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    "url_name",
    [
        "roadmaps:roadmap-list",
        "roadmaps:report-list",
        "roadmaps:document-list",
        "roadmaps:monitoring",
        "roadmaps:approval-queue",
    ],
)
def test_list_pages_query_count_is_constant(world, login, django_assert_max_num_queries, url_name):
    from roadmaps import services
    from roadmaps.models import SchoolDocument

    client = login(world.coordinator)

    def add(n):
        for i in range(n):
            school = world.a1_school1 if i % 2 else world.a1_school2
            roadmap = make_roadmap(school, title=f"Карта {url_name} {i}-{n}")
            report = services.progress_report_create(
                user=world.coordinator, roadmap=roadmap, period_start=roadmap.start_date
            )
            fill(report, world.coordinator)
            SchoolDocument.objects.create(school=school, kind="concept", year=roadmap.year, title=f"Док {i}-{n}")

    add(2)
    client.get(reverse(url_name))
    with django_assert_max_num_queries(30) as small:
        assert client.get(reverse(url_name)).status_code == 200
    add(8)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(reverse(url_name)).status_code == 200


def test_roadmap_create_page(world, login):
    from core.years import current_academic_year
    from roadmaps.models import Roadmap

    year = current_academic_year()
    url = reverse("roadmaps:roadmap-create")
    assert login(world.curator).get(url).status_code == 404
    both = login(world.coordinator).post(
        url,
        {
            "school": world.a1_school1.pk,
            "owner_municipality": world.a1.pk,
            "title": "Х",
            "year": year,
            "period_kind": "half",
            "report_due_days": 10,
        },
    )
    assert "Укажите владельца дорожной карты" in both.content.decode()
    client = login(world.school_admin)
    foreign = client.post(
        url,
        {"school": world.a1_school2.pk, "title": "Чужая", "year": year, "period_kind": "half", "report_due_days": 10},
    )
    assert foreign.status_code == 200 and not Roadmap.objects.filter(title="Чужая").exists()
    ok = client.post(
        url,
        {"school": world.a1_school1.pk, "title": "Наша", "year": year, "period_kind": "quarter", "report_due_days": 10},
    )
    assert ok.status_code == 302
    roadmap = Roadmap.objects.get(title="Наша")
    assert (roadmap.start_date.month, roadmap.end_date.month) == (9, 8)
    municipal = login(world.coordinator).post(
        url,
        {
            "owner_municipality": world.a1.pk,
            "title": "Муниципальная",
            "year": year,
            "period_kind": "half",
            "report_due_days": 10,
        },
    )
    assert municipal.status_code == 302
    assert Roadmap.objects.get(title="Муниципальная").owner_municipality == world.a1


def test_reported_activity_cannot_be_deleted(plan, world, login):
    report = to_state(plan.report, world, "approved")
    activity = report.entries.order_by("pk").first().activity
    client = login(world.school_admin)
    response = client.post(reverse("roadmaps:node-delete", args=["activity", activity.pk]), HTTP_HX_REQUEST="true")
    assert "входит в отправленный или утверждённый отчёт" in response.content.decode()
    for kind, node in (("goal", activity.task.goal), ("task", activity.task), ("indicator", activity.indicators.get())):
        client.post(reverse("roadmaps:node-delete", args=[kind, node.pk]), HTTP_HX_REQUEST="true")
        assert type(node).objects.filter(pk=node.pk).exists(), kind
    # A new, unreported activity can be deleted.
    fresh = activity.task.activities.create(title="Новое", position=9)
    client.post(reverse("roadmaps:node-delete", args=["activity", fresh.pk]), HTTP_HX_REQUEST="true")
    assert not activity.task.activities.filter(pk=fresh.pk).exists()


def test_regional_monitoring_by_municipality(plan, world, login):
    other = make_roadmap(world.a2_school1, title="Карта А2")
    html = login(world.regional).get(reverse("roadmaps:monitoring")).content.decode()
    assert "По муниципалитетам" in html and "Округ А1" in html and "Округ А2" in html
    assert other.get_absolute_url() in html
    outsider_html = login(world.coordinator_b1).get(reverse("roadmaps:monitoring")).content.decode()
    assert other.get_absolute_url() not in outsider_html and "По муниципалитетам" not in outsider_html


def test_report_states_read_the_reports_of_the_roadmaps_given(plan, world, django_assert_num_queries):
    """``report_states`` reads the reports through one statement prepared once with the
    roadmaps' ids as its argument (``roadmaps.selectors._reports_of``): each call finds the
    reports of its own roadmaps — not those of the call that prepared it — and no roadmaps
    send no query."""
    import datetime

    from roadmaps.selectors import report_states

    other = make_roadmap(world.a1_school2, title="Другая карта")
    today = plan.roadmap.start_date + datetime.timedelta(days=10)
    first = report_states([other], today)  # prepared with other's id: it has no report
    assert [(s["roadmap"].pk, s["report"], s["missing"]) for s in first] == [(other.pk, None, True)]
    mine = report_states([plan.roadmap], today)
    assert [(s["roadmap"].pk, s["report"].pk, s["missing"]) for s in mine] == [(plan.roadmap.pk, plan.report.pk, False)]
    assert mine[0]["report"].roadmap == plan.roadmap
    both = report_states([other, plan.roadmap], today)
    assert [(s["roadmap"].pk, s["report"] and s["report"].pk) for s in both] == [
        (other.pk, None),
        (plan.roadmap.pk, plan.report.pk),
    ]
    with django_assert_num_queries(0):
        assert report_states([], today) == []
