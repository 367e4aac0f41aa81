from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SocialContextConfig(AppConfig):
    name = "socialcontext"
    verbose_name = _("School context")
