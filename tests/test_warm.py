"""core.warm: a server process (config/wsgi.py) builds what every request would build lazily,
then freezes everything alive for the garbage collector (bench/load/gc_probe.py)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import gc
import config.wsgi
from django.template import engines
from django.urls import get_resolver
from core.warm import TEMPLATES

resolver = get_resolver()
tracked = {id(o) for o in gc.get_objects()}  # the frozen generation is not listed
loader = engines["django"].engine.template_loaders[0]
print(gc.get_freeze_count())
print(resolver._populated, id(resolver) in tracked, id(resolver.reverse_dict) in tracked)
print(sorted(name for name in TEMPLATES if name in loader.get_template_cache))
print(config.wsgi.application is not None)
"""


def test_a_server_process_starts_warm_and_frozen():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",  # production: the cached template loader
        "SECRET_KEY": "warm-" + "k" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True
    ).stdout.splitlines()
    from core.warm import TEMPLATES

    assert int(out[0]) > 50_000  # Django, the apps, DRF, the URL patterns: well over 50,000 objects
    assert out[1] == "True False False"  # the URL patterns populated, then frozen with the rest
    assert out[2] == str(sorted(TEMPLATES))  # the frame and list templates compiled at start
    assert out[3] == "True"


def test_warm_and_freeze_counts_what_it_froze():
    import gc

    from core.warm import warm_and_freeze

    try:
        assert warm_and_freeze() == gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()  # the test process collects as before
