"""Catalogues of procedures, subjects and maximum scores are editable data."""

from django.contrib import admin

from assessment.models import AnalysisRun, ImportBatch, MaxScore, Procedure, Subject


class MaxScoreInline(admin.TabularInline):
    model = MaxScore
    extra = 0


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_active"]
    search_fields = ["code", "name"]


@admin.register(Subject)
class SubjectAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active"]
    search_fields = ["name"]
    inlines = [MaxScoreInline]


@admin.register(MaxScore)
class MaxScoreAdmin(admin.ModelAdmin):
    list_display = ["procedure", "subject", "grade", "max_score"]
    list_filter = ["procedure"]


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["original_name", "created", "uploaded_by", "status", "rows_total", "error_count"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in ImportBatch._meta.fields]


@admin.register(AnalysisRun)
class AnalysisRunAdmin(admin.ModelAdmin):
    list_display = ["started", "finished", "status", "trigger", "years"]
    readonly_fields = [f.name for f in AnalysisRun._meta.fields]
