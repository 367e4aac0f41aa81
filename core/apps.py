from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Portal core")

    def ready(self):
        from django.db.backends.signals import connection_created

        from core.sqlite import unicode_case_functions

        connection_created.connect(unicode_case_functions, dispatch_uid="opora-sqlite-case")
