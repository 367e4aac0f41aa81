from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Portal core")

    def ready(self):
        from celery.signals import task_prerun
        from django.core.signals import request_started
        from django.db import connections
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from config.schedule import apply_schedule_after_migrate
        from core import tables, text
        from core.cache import forget_active, install_scoped_writes, install_write_hook
        from core.sqlite import unicode_case_functions

        # The periodic tasks follow their declaration in code on every migrate (config/schedule.py).
        post_migrate.connect(apply_schedule_after_migrate, sender=self, dispatch_uid="opora-schedule")

        text.install()  # no bidi overrides nor zero-width characters in what people type
        tables.install()  # django-tables2 without a signature computation per cell

        # Every write of a portal table moves the data generation on (core/cache.py).
        connection_created.connect(install_write_hook, dispatch_uid="opora-write-hook")
        for connection in connections.all(initialized_only=True):
            install_write_hook(connection=connection)
        connection_created.connect(unicode_case_functions, dispatch_uid="opora-sqlite-case")
        # … only its municipality's counters when it is a scoped model's (SCOPED_WRITE_MODELS).
        install_scoped_writes()
        request_started.connect(forget_active, dispatch_uid="opora-scope-reset")
        task_prerun.connect(forget_active, dispatch_uid="opora-scope-reset", weak=False)
