from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from curators.models import CuratorAssignment


@admin.register(CuratorAssignment)
class CuratorAssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["curator", "school", "year", "role", "is_active"]
    list_filter = ["year", "role"]


from curators.models import LessonObservation, PartnerPair, Recommendation, Visit  # noqa: E402


@admin.register(PartnerPair)
class PartnerPairAdmin(SimpleHistoryAdmin):
    list_display = ["school", "leader", "year", "order"]
    list_filter = ["year"]


class LessonInline(admin.TabularInline):
    model = LessonObservation
    extra = 0


class RecommendationInline(admin.TabularInline):
    model = Recommendation
    extra = 0
    fields = ["text", "owner_text", "due_date", "status"]


@admin.register(Visit)
class VisitAdmin(SimpleHistoryAdmin):
    list_display = ["date", "school", "kind", "curator", "confirmed_at"]
    list_filter = ["kind"]
    date_hierarchy = "date"
    inlines = [LessonInline, RecommendationInline]


@admin.register(Recommendation)
class RecommendationAdmin(SimpleHistoryAdmin):
    list_display = ["text", "visit", "due_date", "status"]
    list_filter = ["status"]
