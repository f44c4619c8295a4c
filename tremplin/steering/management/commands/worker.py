"""`tremplin worker`: run the bundle imports queued by the import page (see steering.jobs)."""

from __future__ import annotations

import logging
import os
import signal
import threading

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from tremplin.steering import jobs


class Command(BaseCommand):
    help = (
        "Run the bundle imports queued by the import page: claim each waiting job, import it, "
        "write its progress and outcome on the job; fail the jobs of workers that died."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run the waiting jobs, then stop")
        parser.add_argument("--poll", type=float, default=1.0, help="seconds between two looks at the queue")
        parser.add_argument(
            "--stop-with-parent",
            action="store_true",
            help="stop when the process that started the worker ends (scripts/run.sh: the web server)",
        )

    def handle(self, *args, **options):
        logger = logging.getLogger(jobs.__name__)
        if logger.getEffectiveLevel() > logging.INFO:
            logger.setLevel(logging.INFO)  # one line per job on the console (no personal data)
        stop = threading.Event()

        def on_signal(signum, frame):
            # Stop looking at the queue; a running import is interrupted (its transaction rolls
            # back, its job is marked failed and its file deleted) rather than left to a reaper.
            stop.set()
            raise SystemExit(0)

        previous = {signum: signal.signal(signum, on_signal) for signum in (signal.SIGTERM, signal.SIGINT)}
        if options["stop_with_parent"]:
            parent = os.getppid()

            def watch():
                while not stop.wait(1):
                    if os.getppid() != parent:  # the parent ended: we were handed to init
                        os.kill(os.getpid(), signal.SIGTERM)
                        return

            threading.Thread(target=watch, name="parent-watch", daemon=True).start()
        try:
            count = jobs.serve(stop, poll=options["poll"], once=options["once"])
        except SystemExit:
            self.stderr.write(_("Import worker stopped."))
            return
        finally:
            stop.set()
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        if options["once"]:
            self.stdout.write(_("Imports run: %(count)s.") % {"count": count})
