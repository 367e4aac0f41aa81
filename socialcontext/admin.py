from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from socialcontext.models import ContextImport, SchoolContext


@admin.register(SchoolContext)
class SchoolContextAdmin(SimpleHistoryAdmin):
    list_display = ["school", "year", "students", "higher_education", "single_parent", "source"]
    list_filter = ["year", "source"]
    search_fields = ["school__code", "school__short_name"]
    raw_id_fields = ["school", "batch"]


@admin.register(ContextImport)
class ContextImportAdmin(admin.ModelAdmin):
    list_display = ["original_name", "created", "uploaded_by", "status", "rows_total", "error_count"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in ContextImport._meta.fields]
