"""TASKS.md §4–§5 by hand: recommended events and materials with their numbers, one-click
registration, the visit planner's priority, «did the help help?», the report sections."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import Event, Material, Registration
from skills import selectors
from skills.models import Skill, SkillResult

pytestmark = pytest.mark.django_db


def _event(world, title, days, skills=(), **kw):
    start = timezone.now() + datetime.timedelta(days=days)
    event = Event.objects.create(
        municipality=kw.pop("municipality", world.a1),
        title=title,
        format="seminar",
        start=start,
        end=start + datetime.timedelta(hours=2),
        **kw,
    )
    for s in skills:
        s.events.add(event)
    return event


@pytest.fixture
def tagged(tasks_world):
    count = Skill.objects.get(key="умение считать")
    tasks = Skill.objects.get(key="умение решать задачи")
    w = tasks_world
    w.both = _event(w, "Оба умения", 10, [count, tasks])
    w.one = _event(w, "Счёт", 5, [tasks])
    w.past = _event(w, "Прошло", -5, [count])
    w.other_muni = _event(w, "Другой округ", 5, [count], municipality=w.a2)
    w.untagged = _event(w, "Без умений", 5)
    old = Material.objects.create(municipality=w.a1, title="Старый материал")
    new = Material.objects.create(municipality=w.a1, title="Новый материал")
    count.materials.add(old, new)
    w.count, w.tasks = count, tasks
    return w


def test_recommended_events_ranked_by_gap_times_participants(tagged):
    school = tagged.a1_school1
    help = selectors.school_help(school)
    d = {x.skill_id: x for x in help["deficits"]}
    assert set(d) == {tagged.count.pk, tagged.tasks.pk}
    events = [(r.item.title, r.score) for r in help["events"]]
    both = d[tagged.count.pk].gap * 5 + d[tagged.tasks.pk].gap * 5
    assert events == [("Оба умения", pytest.approx(both)), ("Счёт", pytest.approx(d[tagged.tasks.pk].gap * 5))]
    assert [r.item.title for r in help["materials"]] == ["Новый материал", "Старый материал"]
    assert selectors.school_help(tagged.a1_school2)["events"] == []  # no deficit, nothing recommended


def test_a_school_already_registered_is_not_recommended_the_event(tagged):
    Registration.objects.create(event=tagged.both, school=tagged.a1_school1, full_name="Иванова Анна Сергеевна")
    assert [r.item.title for r in selectors.school_help(tagged.a1_school1)["events"]] == ["Счёт"]


def test_one_click_registers_the_teachers(tagged, login):
    client = login(tagged.school_admin)
    page = client.get(reverse("skills:school", args=[tagged.a1_school1.pk])).content.decode()
    assert "Записать учителей школы" in page
    url = reverse("skills:register", args=[tagged.a1_school1.pk, tagged.both.pk])
    r = client.post(url, follow=True)
    assert r.status_code == 200
    regs = list(Registration.objects.filter(event=tagged.both, school=tagged.a1_school1))
    assert [reg.full_name for reg in regs] == ["Учитель предмета «Математика»"]
    assert regs[0].registered_by == tagged.school_admin
    # not recommended any more: a second click is refused, nothing added
    client.post(url)
    assert Registration.objects.filter(event=tagged.both).count() == 1
    # another school's teachers: not the school administrator's to register
    r = client.post(reverse("skills:register", args=[tagged.a1_school2.pk, tagged.one.pk]))
    assert Registration.objects.filter(school=tagged.a1_school2).count() == 0


def test_the_planner_puts_a_deficit_into_the_priority(tagged):
    from curators.selectors import planner_summary, visit_planner
    from schools.models import School

    schools = School.objects.filter(code__in=["A1S1", "A1S2"])
    rows = {r["school"].code: r for r in visit_planner(schools)}
    assert rows["A1S1"]["skill_deficits"] == 2
    assert rows["A1S1"]["score"] - rows["A1S2"]["score"] == 4  # two deficits × 2, all else equal
    assert [r.item.title for r in rows["A1S1"]["skill_help"]["events"]] == ["Оба умения", "Счёт"]
    top, _n = planner_summary(schools, limit=2)
    assert [r["school"].code for r in top] == ["A1S1", "A1S2"]
    assert [r["score"] for r in top] == [rows["A1S1"]["score"], rows["A1S2"]["score"]]
    assert [r["skill_deficits"] for r in top] == [2, 0]


def test_help_effect_by_hand(tagged, import_plan, import_results):
    """Deficits of 2023 in «умение считать»: A1S1 only.  An event with the skill held in 2024/2025
    attended by A1S1; its completion in 2024 (pooled over grades) against 2023."""
    from assessment.services import analysis_run
    from tests.skills.conftest import PLAN_ROWS, result_rows

    rows = [["2024/2025", *r[1:]] for r in PLAN_ROWS]
    assert import_plan(rows).status == "done"
    # 2024: A1S1 full marks on task 1, nothing on 3.1 → считать 5 / 15; A1S2 full marks.
    import_results(
        result_rows("A1S1", "2024/2025", [(1, 2, 0, 3)] * 5) + result_rows("A1S2", "2024/2025", [(1, 2, 2, 5)] * 5)
    )
    analysis_run(trigger="test")
    held = Event.objects.create(
        municipality=tagged.a1,
        title="Практикум",
        format="seminar",
        start=timezone.make_aware(datetime.datetime(2024, 11, 1, 10)),
        end=timezone.make_aware(datetime.datetime(2024, 11, 1, 12)),
    )
    tagged.count.events.add(held)
    Registration.objects.create(event=held, school=tagged.a1_school1, full_name="Петрова Ольга", attended=True)
    m = tagged.a1
    p, s = SkillResult.objects.values_list("procedure_id", "subject_id").first()
    effect = selectors.help_effect(m, p, s, tagged.count.pk, 2023)
    assert [e.school.code for e in effect.helped] == ["A1S1"] and effect.others == []
    assert effect.helped[0].before == pytest.approx(100 * 5 / 15)
    assert effect.helped[0].after == pytest.approx(100 * 5 / 15)
    assert effect.helped_mean == pytest.approx(0.0) and effect.difference is None
    assert selectors.help_effect(m, p, s, tagged.tasks.pk, 2023).helped == []  # the event is not tagged with it


def test_help_effect_page_says_it_compares(tagged, login):
    r = login(tagged.coordinator).get(reverse("skills:help-effect"))
    assert r.status_code == 200
    assert "не доказательство причины" in r.content.decode()
    assert login(tagged.school_admin).get(reverse("skills:help-effect")).status_code == 404


def test_report_sections(tagged):
    from django.template.loader import render_to_string

    from reports.sections import MUNICIPAL_REPORT, SCHOOL_REPORT, render_sections
    from skills.documents import municipal_help_effect, municipal_weak_skills, school_skills

    section = school_skills(tagged.a1_school1, 2023)
    assert [d.skill_id for d in section.context["help"]["deficits"]] == [
        d.skill_id for d in selectors.school_help(tagged.a1_school1, 2023)["deficits"]
    ]
    html = render_to_string(section.template, {"ctx": section.context})
    assert "Оба умения" in html and "<a " not in html
    assert municipal_weak_skills(tagged.a1, 2023).context["weak"] == []  # figures, no weak skill
    assert municipal_help_effect(tagged.a1, 2023) is None  # no following year
    assert school_skills(tagged.a1_school1, 2022) is None
    school = "".join(render_sections(SCHOOL_REPORT, tagged.a1_school1, 2023))
    assert "Дефициты умений и рекомендованная помощь" in school and "Оба умения" in school
    municipal = "".join(render_sections(MUNICIPAL_REPORT, tagged.a1, 2023))
    assert "Слабые умения, 2023/2024" in municipal and "Помогла ли помощь?" in municipal


def test_event_form_tags_skills_of_one_subject(tagged):
    from events.forms import MaterialForm

    other = Skill.objects.create(
        subject=__import__("assessment.models").models.Subject.objects.get(name="Русский язык"), text="Умение Х"
    )
    data = {"kind": "practice", "title": "Подборка", "description": "Текст", "municipality": tagged.a1.pk}
    form = MaterialForm(data={**data, "skills": [tagged.count.pk, other.pk]}, user=tagged.coordinator)
    assert not form.is_valid() and "skills" in form.errors
    form = MaterialForm(data={**data, "skills": [tagged.count.pk]}, user=tagged.coordinator)
    assert form.is_valid(), form.errors
    material = form.save()
    assert list(material.skills.all()) == [tagged.count]
