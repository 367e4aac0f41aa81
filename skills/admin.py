from django.contrib import admin

from skills.models import PlanTask, Skill, TaskPlan


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["text", "subject"]
    list_filter = ["subject"]
    search_fields = ["text", "key"]
    filter_horizontal = ["events", "materials"]


class PlanTaskInline(admin.TabularInline):
    model = PlanTask
    extra = 0
    readonly_fields = ["position"]


@admin.register(TaskPlan)
class TaskPlanAdmin(admin.ModelAdmin):
    list_display = ["__str__", "max_total", "updated"]
    list_filter = ["year", "procedure", "subject"]
    inlines = [PlanTaskInline]
