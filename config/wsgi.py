import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

from core.warm import warm_and_freeze  # noqa: E402  (after the apps are loaded)

warm_and_freeze()
