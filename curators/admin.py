from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from curators.models import CuratorAssignment


@admin.register(CuratorAssignment)
class CuratorAssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["curator", "school", "year", "role", "is_active"]
    list_filter = ["year", "role"]
