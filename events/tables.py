import textwrap

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from events.models import Event, Material
from schools.tables import SchoolColumn


class EventTable(tables.Table):
    start = tables.DateTimeColumn(format="d.m.Y H:i", verbose_name=pgettext_lazy("events", "Start"))
    title = tables.Column(linkify=True, verbose_name=pgettext_lazy("events", "Title"))
    format = tables.Column(verbose_name=_("Format"))
    host_school = SchoolColumn(verbose_name=_("Host school"))
    audience = tables.Column(verbose_name=_("Audience"), orderable=False)

    AUDIENCE_CHARS = 60  # the list shows the start; the whole text is on the event's page and in the xlsx
    registered = tables.Column(
        verbose_name=pgettext_lazy("events list", "Registered"), attrs={"td": {"class": "text-end"}}
    )
    capacity = tables.Column(verbose_name=_("Capacity"), attrs={"td": {"class": "text-end"}})
    status = tables.Column(verbose_name=pgettext_lazy("events", "Status"))

    class Meta:
        model = Event
        fields = ["start", "title", "format", "host_school", "audience", "registered", "capacity", "status"]
        order_by = ("-start",)

    def render_title(self, record, value):
        if record.region_id:
            return format_html('{} <span class="badge text-bg-info">{}</span>', value, _("regional"))
        return value

    def value_title(self, record, value):
        return value

    def render_audience(self, record):
        text = record.audience or record.get_audience_kind_display() or "—"
        short = textwrap.shorten(text, self.AUDIENCE_CHARS, placeholder="…")  # at a word
        return format_html('<span title="{}">{}</span>', text, short) if short != text else text

    def value_audience(self, record):
        return record.audience or record.get_audience_kind_display()


class MaterialTable(tables.Table):
    title = tables.Column(linkify=True, verbose_name=pgettext_lazy("events", "Title"))
    kind = tables.Column(verbose_name=pgettext_lazy("events", "Kind"))
    school = SchoolColumn(verbose_name=_("Authors' school"))
    municipality = tables.Column(
        verbose_name=pgettext_lazy("events", "Municipality"),
        accessor="organiser",
        order_by=("municipality__name", "region__name"),
    )
    themes = tables.ManyToManyColumn(verbose_name=_("Themes"), orderable=False)
    year = tables.Column(verbose_name=pgettext_lazy("events", "Year"))

    class Meta:
        model = Material
        fields = ["title", "kind", "school", "municipality", "themes", "year"]
