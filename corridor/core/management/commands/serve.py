"""`corridor serve`: the production web server.

Gunicorn with several processes of a few threads each (one Python process cannot use more
than one core), static files collected, hashed and compressed first. Run it behind the usual
reverse proxy (TLS, request limits) and run `corridor worker` beside it for background work.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from corridor.core.storage import static_files_changed


def default_workers() -> int:
    return int(os.environ.get("CORRIDOR_WEB_WORKERS") or (os.cpu_count() or 1) + 1)


def gunicorn_options(*, bind: str, workers: int, threads: int) -> dict:
    return {
        "bind": bind,
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "timeout": int(os.environ.get("CORRIDOR_WEB_TIMEOUT_SECONDS", 60)),
        "graceful_timeout": 20,
        "keepalive": 5,
        # Recycle processes now and then, so a slow leak never becomes an outage.
        "max_requests": 20000,
        "max_requests_jitter": 2000,
        "limit_request_line": 8190,
        "forwarded_allow_ips": os.environ.get("CORRIDOR_FORWARDED_ALLOW_IPS", "127.0.0.1"),
        "accesslog": "-" if os.environ.get("CORRIDOR_ACCESS_LOG", "1") != "0" else None,
        "errorlog": "-",
        "proc_name": "corridor",
    }


class Command(BaseCommand):
    help = (
        "Serve Corridor with gunicorn (several processes, threads in each), after collecting "
        "the static files. Put a reverse proxy with TLS in front, and run `corridor worker`."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--bind",
            default=os.environ.get("CORRIDOR_BIND", "127.0.0.1:8000"),
            help="address:port to listen on (default 127.0.0.1:8000, or CORRIDOR_BIND)",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=default_workers(),
            help="server processes (default: cores + 1, or CORRIDOR_WEB_WORKERS)",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=int(os.environ.get("CORRIDOR_WEB_THREADS", 4)),
            help="threads per process (default 4, or CORRIDOR_WEB_THREADS)",
        )
        parser.add_argument(
            "--no-collectstatic", action="store_true", help="static files are already collected"
        )

    def handle(self, *args, bind, workers, threads, no_collectstatic, **options):
        from gunicorn.app.base import BaseApplication

        if not no_collectstatic and static_files_changed():
            self.stdout.write("Collecting and compressing static files…")
            call_command("collectstatic", interactive=False, verbosity=0)
        config = gunicorn_options(bind=bind, workers=workers, threads=threads)

        class Server(BaseApplication):
            def load_config(self):
                for key, value in config.items():
                    if value is not None:
                        self.cfg.set(key, value)

            def load(self):
                # After collectstatic: WhiteNoise lists the collected files when it starts.
                from django.core.wsgi import get_wsgi_application

                return get_wsgi_application()

        self.stdout.write(
            f"Corridor on http://{bind} — {workers} processes × {threads} threads, "
            f"database {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}"
        )
        Server().run()
