"""Demo context data: plausible, marked as demo data, enough for the chart and the suggestions
in the large demo municipalities; Казачинский район (four schools) shows why nothing is
computed; loading again adds nothing."""

import pytest
import yaml
from django.core.management import call_command
from django.utils import translation

from schools.models import Municipality
from socialcontext import selectors
from socialcontext.models import ContextFit, ContextSource, PartnerSuggestion, SchoolContext


@pytest.mark.django_db
def test_demo_context_data():
    call_command("load_demo", verbosity=0)
    rows = SchoolContext.objects.all()
    assert rows.count() > 100 and not rows.exclude(source=ContextSource.DEMO).exists()
    for name in ("higher_education", "single_parent", "on_register", "non_native", "special_needs"):
        values = [v for v in rows.values_list(name, flat=True) if v is not None]
        assert values and min(values) >= 0 and max(values) <= 100 and len(set(values)) > 20
    kamensk = Municipality.objects.get(name="Каменск-Уральский городской округ")
    mc = selectors.municipal_context(kamensk)
    assert mc.fit is not None and mc.chart and mc.demo and mc.fit.slope > 0  # context and results go together
    assert PartnerSuggestion.objects.filter(municipality=kamensk, year=mc.year).exists()
    kazachinsky = Municipality.objects.get(name="Казачинский район")
    assert not ContextFit.objects.filter(municipality=kazachinsky).exists()
    with translation.override("ru"):
        assert "только у 4 школ" in selectors.municipal_context(kazachinsky).reason

    from schools.demo import load_organisation
    from schools.management.commands.load_demo import FACTS
    from socialcontext import demo

    before = sorted(rows.values_list("school_id", "year", "higher_education"))
    demo.load(load_organisation(yaml.safe_load(FACTS.read_text(encoding="utf-8"))))
    assert sorted(SchoolContext.objects.values_list("school_id", "year", "higher_education")) == before
