from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SkillsConfig(AppConfig):
    name = "skills"
    verbose_name = _("Skills and targeted help")

    def ready(self) -> None:
        from assessment.signals import analysis_computed
        from skills import analysis

        analysis_computed.connect(analysis.on_analysis_computed, dispatch_uid="skills-analysis")
