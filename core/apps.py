from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Portal core")

    def ready(self):
        from django.db import connections
        from django.db.backends.signals import connection_created

        from core import tables
        from core.cache import install_write_hook
        from core.sqlite import unicode_case_functions

        tables.install()  # django-tables2 without a signature computation per cell

        # Every write of a portal table moves the data generation on (core/cache.py).
        connection_created.connect(install_write_hook, dispatch_uid="opora-write-hook")
        for connection in connections.all(initialized_only=True):
            install_write_hook(connection=connection)
        connection_created.connect(unicode_case_functions, dispatch_uid="opora-sqlite-case")
