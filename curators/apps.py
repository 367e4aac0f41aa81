from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CuratorsConfig(AppConfig):
    name = "curators"
    verbose_name = _("Curators and visits")
