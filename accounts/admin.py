from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import ApiToken, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "last_name", "first_name", "role", "municipality", "school", "is_active"]
    list_filter = ["role", "is_active", "is_superuser", "municipality"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (
            _("Role and scope"),
            {"fields": ("patronymic", "position", "phone", "role", "region", "municipality", "school", "language")},
        ),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "read_only", "created", "expires", "last_used"]
    readonly_fields = ["prefix", "created", "last_used"]
