import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tremplin.settings")
application = get_wsgi_application()


def freeze_startup_objects() -> None:
    """Move the objects loaded at start-up (modules, classes, settings: they live as long as the
    web process) out of the cyclic garbage collector's reach, so that its full collections, set
    off by pages that build thousands of rows, no longer walk them all. Measured with
    benchmarks/bench_daily.py on an idle 2-core machine: 30 requests of the team's to-do list
    took 107 to 134 ms for a quarter to a third of them with the collector walking everything,
    82 to 103 ms after gc.freeze() (docs/daily-work.md). Only the web process needs it: tests
    and management commands do not run it."""
    gc.freeze()


freeze_startup_objects()
