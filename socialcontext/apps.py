from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SocialContextConfig(AppConfig):
    name = "socialcontext"
    verbose_name = _("School context")

    def ready(self) -> None:
        from assessment.signals import analysis_computed
        from socialcontext import services

        analysis_computed.connect(services.on_analysis_computed, dispatch_uid="socialcontext-analysis")
