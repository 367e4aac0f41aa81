from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionalConfig(AppConfig):
    name = "regional"
    verbose_name = _("Region")

    def ready(self) -> None:
        from assessment.signals import analysis_computed
        from regional import analysis

        analysis_computed.connect(analysis.on_analysis_computed, dispatch_uid="regional-school-index")
