from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from schools.models import AuthorityHead, Municipality, Order, Region, RiskAssessment, RiskFactor, School, SchoolStatus


class RegionHeadInline(admin.TabularInline):
    model = AuthorityHead
    fk_name = "region"
    exclude = ["municipality"]
    extra = 0


class MunicipalityHeadInline(admin.TabularInline):
    model = AuthorityHead
    fk_name = "municipality"
    exclude = ["region"]
    extra = 0


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    search_fields = ["name"]
    list_display = ["name", "education_body", "place_of_issue"]
    inlines = [RegionHeadInline]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "education_body", "place_of_issue"]
    list_filter = ["region"]
    search_fields = ["name"]
    inlines = [MunicipalityHeadInline]


@admin.register(AuthorityHead)
class AuthorityHeadAdmin(SimpleHistoryAdmin):
    list_display = ["position", "last_name", "first_name", "municipality", "region", "date_from", "date_to"]
    list_filter = ["region", "municipality"]
    search_fields = ["last_name"]


@admin.register(School)
class SchoolAdmin(SimpleHistoryAdmin):
    list_display = ["code", "short_name", "municipality", "kind", "is_rural", "is_active"]
    list_filter = ["municipality", "kind", "is_rural", "is_active"]
    search_fields = ["code", "name", "short_name"]


@admin.register(Order)
class OrderAdmin(SimpleHistoryAdmin):
    list_display = ["number", "date", "title", "municipality", "basis_for", "draft_kind"]
    search_fields = ["number", "title"]
    list_filter = ["municipality", "basis_for", "draft_kind"]


@admin.register(SchoolStatus)
class SchoolStatusAdmin(SimpleHistoryAdmin):
    list_display = ["school", "kind", "year_from", "year_to", "order"]
    list_filter = ["kind", "year_from"]


@admin.register(RiskFactor)
class RiskFactorAdmin(admin.ModelAdmin):
    list_display = ["position", "name", "is_active"]
    list_editable = ["is_active"]


@admin.register(RiskAssessment)
class RiskAssessmentAdmin(SimpleHistoryAdmin):
    list_display = ["school", "year", "factor", "level"]
    list_filter = ["year", "level"]


# Programme side (issue 3).
from schools.models import Programme, ProgrammeParticipant  # noqa: E402


class ProgrammeParticipantInline(admin.TabularInline):
    model = ProgrammeParticipant
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "year", "municipality"]
    list_filter = ["kind", "year"]
    inlines = [ProgrammeParticipantInline]
