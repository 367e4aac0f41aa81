from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from events.models import AgendaStep, Event, FeedbackQuestion, Material, Registration, Theme


class AgendaInline(admin.TabularInline):
    model = AgendaStep
    extra = 0


class QuestionInline(admin.TabularInline):
    model = FeedbackQuestion
    extra = 0


@admin.register(Event)
class EventAdmin(SimpleHistoryAdmin):
    list_display = ["title", "format", "start", "municipality", "host_school", "status"]
    list_filter = ["format", "status", "municipality"]
    search_fields = ["title"]
    raw_id_fields = ["host_school", "created_by"]
    filter_horizontal = ["organiser_schools", "organisers", "themes"]
    inlines = [AgendaInline, QuestionInline]


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["full_name", "school", "event", "status", "attended"]
    list_filter = ["status", "attended"]
    search_fields = ["full_name"]
    raw_id_fields = ["event", "school", "user", "registered_by"]


@admin.register(Material)
class MaterialAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "municipality", "school", "year"]
    list_filter = ["kind", "themes"]
    search_fields = ["title", "description"]
    raw_id_fields = ["school", "created_by"]
    filter_horizontal = ["themes", "events"]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "position"]
