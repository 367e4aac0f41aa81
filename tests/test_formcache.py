"""{% formcache %} (core/templatetags/opora.py): a filter panel's fields rendered once per
process for each state of the form — the HTML is crispy's own, whatever the values, the
reader's choices, the errors and the language."""

import pytest
from django.template import engines
from django.test import RequestFactory
from django.utils import translation

from core.templatetags import opora
from schools.filters import SchoolFilterSet
from schools.models import School

FIELDS = '{% for field in form.visible_fields %}<div class="col">{{ field|as_crispy_field }}</div>{% endfor %}'
PLAIN = engines["django"].from_string("{% load crispy_forms_tags %}" + FIELDS)
CACHED = engines["django"].from_string(
    "{% load crispy_forms_tags opora %}{% formcache form %}" + FIELDS + "{% endformcache %}"
)


def form(user, params):
    request = RequestFactory().get("/schools/", params)
    request.user = user
    filterset = SchoolFilterSet(request.GET, queryset=School.objects.all(), request=request)
    filterset.is_valid()
    return filterset.form


@pytest.mark.django_db
def test_the_cached_fields_are_crispys_fields(world):
    opora._forms.clear()
    cases = [
        (world.coordinator, {}),
        (world.regional, {}),  # other municipalities to choose from
        (world.regional, {"municipality": world.a2.pk, "q": "<b>", "risk_level": "high"}),
        (world.coordinator, {"municipality": world.b1.pk}),  # not the coordinator's: an error
        (world.coordinator, {"index_max": "x", "visit": "never"}),
        (world.superuser, {"is_rural": "true", "status": "low_results"}),
    ]
    for language in ("ru", "en"):
        with translation.override(language):
            for _round in range(2):  # the second round is read from the memo
                for user, params in cases:
                    plain, cached = (
                        PLAIN.render({"form": form(user, params)}),
                        CACHED.render({"form": form(user, params)}),
                    )
                    assert cached == plain, (user, params, language)
    assert len(opora._forms) == 2 * len(cases)  # one entry per state, none per request
    # the readers' own choices: the regional coordinator's municipalities, not the coordinator's
    assert "Округ А2" in CACHED.render({"form": form(world.regional, {})})
    assert "Округ А2" not in CACHED.render({"form": form(world.coordinator, {})})


@pytest.mark.django_db
def test_a_new_municipality_is_a_new_state(world):
    from tests.factories import MunicipalityFactory

    opora._forms.clear()
    before = CACHED.render({"form": form(world.regional, {})})
    MunicipalityFactory(region=world.region_a, name="Округ А3")
    after = CACHED.render({"form": form(world.regional, {})})
    assert "Округ А3" in after and "Округ А3" not in before


WHOLE = "{{ form|crispy }}"  # the narrow lists' panel (core/object_list.html)
WHOLE_PLAIN = engines["django"].from_string("{% load crispy_forms_tags %}" + WHOLE)
WHOLE_CACHED = engines["django"].from_string(
    "{% load crispy_forms_tags opora %}{% formcache form %}" + WHOLE + "{% endformcache %}"
)


@pytest.mark.django_db
def test_a_whole_filter_form_cached_is_crispys_form(world):
    """The narrow lists' filter panel (``{{ filter.form|crispy }}`` in core/object_list.html,
    the results lists among them) cached per state is crispy's whole form — hidden fields,
    field errors and the form's own (non-field) errors included."""
    from django import forms

    from assessment.filters import FlagFilterSet, SchoolIndexFilterSet, TeacherDynamicsFilterSet
    from assessment.models import Flag, SchoolIndex

    class Note(forms.Form):
        year = forms.IntegerField(required=False)
        note = forms.CharField(required=False, widget=forms.HiddenInput)

    def refused(form):  # the same values, and an error of the whole form (not of a field)
        form.is_valid()
        form.add_error(None, "Отказано целиком")
        return form

    def states():
        yield FlagFilterSet({"year": "2023", "kind": "low_results"}, queryset=Flag.objects.all()).form
        yield FlagFilterSet({"year": "x", "school": "<b>"}, queryset=Flag.objects.all()).form
        yield TeacherDynamicsFilterSet({}, queryset=Flag.objects.all()).form
        yield SchoolIndexFilterSet({"candidate": "true"}, queryset=SchoolIndex.objects.all()).form
        yield Note({"year": "1", "note": "n"})
        yield refused(Note({"year": "1", "note": "n"}))

    opora._forms.clear()
    for language in ("ru", "en"):
        with translation.override(language):
            for _round in range(2):  # the second round is read from the memo
                rendered = []
                for plain_form, cached_form in zip(states(), states(), strict=True):
                    plain_form.is_valid(), cached_form.is_valid()
                    plain, cached = WHOLE_PLAIN.render({"form": plain_form}), WHOLE_CACHED.render({"form": cached_form})
                    assert cached == plain
                    rendered.append(cached)
                assert "Отказано целиком" in rendered[-1] and "Отказано целиком" not in rendered[-2]
    assert len(opora._forms) == 2 * 6
