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
