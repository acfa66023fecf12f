"""`manage.py serve`: the production stack, nginx in front of gunicorn (what `make serve` runs).

gunicorn's sync workers each serve one request at a time and read it from the client's socket
themselves: two clients sending a body a byte at a time hold two workers, and the API stops
answering. nginx reads every request in full first (no matter how slowly it arrives, within
its timeouts) and hands gunicorn only complete ones over a unix socket; it also buffers the
response, so a slow reader holds no worker either.

The nginx configuration is `shop/deploy/nginx.conf`, a template filled in here and written into
a new run directory (removed on exit) with gunicorn's socket, the pid files and nginx's
temporary files, so nginx needs nothing from /etc or /var and runs as any user (started as
root, its workers run as `nobody`). Both servers run in the foreground under `shop.supervisor`:
SIGINT or SIGTERM stops both, and if either exits, the other is stopped and the command fails.

Uploaded files (product images) under MEDIA_ROOT are nginx's to serve (`location /media/`),
with `nosniff` and a sandboxing Content-Security-Policy.

Static files stay with whitenoise (gunicorn): one way to serve them, the same under every
server and in the tests, with its compressed, forever-cached hashed names; nginx buffers those
responses too, so they hold a worker only for as long as gunicorn takes to hand them over.
"""

import grp
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.template import Context, Engine

from shop.supervisor import start, supervise

TEMPLATE = Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf"
# Debian's package `libnginx-mod-http-headers-more-filter`: takes the `Server` header away.
HEADERS_MORE = Path("/usr/lib/nginx/modules/ngx_http_headers_more_filter_module.so")
CLIENT_TIMEOUT_SECONDS = 10
HOST_NAME = re.compile(r"[A-Za-z0-9.:\[\]-]+")
# The image upload's URL (`catalog.urls`) and its largest body: the largest image
# (`catalog.images.MAX_BYTES`) and its form's fields; the view refuses more before reading it.
IMAGE_UPLOAD = "~ ^/api/v1/products/[0-9]+/images/$"
IMAGE_UPLOAD_MAX_BODY_SIZE = 10 * 1024 * 1024 + 64 * 1024


class Command(BaseCommand):
    help = "Serve the API in production: nginx (buffering every request) in front of gunicorn."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="nginx listens here.")
        parser.add_argument("--port", type=int, default=8000, help="nginx listens here.")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn's workers.")

    def handle(self, *args, host, port, workers, **options):
        nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
        if nginx is None:
            raise CommandError("nginx not found: install Debian's package `nginx`.")
        # A new directory in the system's temporary one, which nginx's workers can reach.
        directory = Path(tempfile.mkdtemp(prefix="shop-serve-"))
        try:
            config = self._write_config(directory, f"{host}:{port}")
            self._check(nginx, config)
            self.stdout.write(
                f"Serving http://{host}:{port}/ (nginx, then gunicorn); run directory {directory}",
            )
            self.stdout.flush()
            sys.exit(self._run(nginx, config, directory, workers))
        finally:
            shutil.rmtree(directory, ignore_errors=True)

    def _write_config(self, directory: Path, listen: str) -> Path:
        user = None
        if os.geteuid() == 0:
            # nginx's workers drop root; they need the run directory (socket, temporary files).
            nobody = pwd.getpwnam("nobody")
            user = f"{nobody.pw_name} {grp.getgrgid(nobody.pw_gid).gr_name}"
            os.chown(directory, nobody.pw_uid, nobody.pw_gid)
        if not HEADERS_MORE.exists():
            self.stderr.write(
                f"{HEADERS_MORE} not found (Debian's libnginx-mod-http-headers-more-filter): "
                "responses will say `Server: nginx`."
            )
        context = {
            "servers": _servers(settings.ALLOWED_HOSTS),
            "run_dir": directory,
            "listen": listen,
            "user": user,
            "worker_processes": 2,
            "headers_more": HEADERS_MORE if HEADERS_MORE.exists() else None,
            "client_timeout": CLIENT_TIMEOUT_SECONDS,
            "client_max_body_size": settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0,
            "proxied": [
                {"match": "/"},
                {"match": IMAGE_UPLOAD, "max_body_size": IMAGE_UPLOAD_MAX_BODY_SIZE},
            ],
            **_media(),
        }
        template = Engine(autoescape=False).from_string(TEMPLATE.read_text())
        config = directory / "nginx.conf"
        config.write_text(template.render(Context(context)))
        return config

    @staticmethod
    def _nginx_command(nginx: str, config: Path) -> list[str]:
        return [nginx, "-p", str(config.parent), "-c", str(config), "-e", "stderr"]

    def _check(self, nginx: str, config: Path) -> None:
        checked = subprocess.run(
            [*self._nginx_command(nginx, config), "-t", "-q"], capture_output=True, text=True
        )
        if checked.returncode != 0:
            raise CommandError(f"nginx refused {config}:\n{checked.stderr}")

    def _run(self, nginx: str, config: Path, directory: Path, workers: int) -> int:
        # Behind exactly one proxy: DRF's throttles take the client from X-Forwarded-For.
        env = {**os.environ, "NUM_PROXIES": os.environ.get("NUM_PROXIES") or "1"}
        gunicorn_command = [
            *(sys.executable, "-m", "gunicorn", "shop.wsgi"),
            *("--bind", f"unix:{directory / 'gunicorn.sock'}", "--workers", str(workers)),
            *("--pid", str(directory / "gunicorn.pid")),
            # nginx enforces the limits on requests; gunicorn takes whatever it passes on.
            *("--limit-request-line", "0", "--limit-request-field_size", "0"),
            *("--limit-request-fields", "32768", "--no-control-socket"),
            # Its own refusals (a raw UTF-8 byte in the URL, say) in JSON, not HTML.
            *("--worker-class", "shop.deploy.worker.SyncWorker"),
        ]
        return supervise(
            {
                "gunicorn": start(gunicorn_command, env=env),
                "nginx": start(self._nginx_command(nginx, config)),
            },
            self.stderr,
        )


def _media() -> dict:
    """Where nginx finds the uploaded files it serves: MEDIA_ROOT, unless they are in S3."""
    if not settings.STORAGES["default"]["BACKEND"].endswith("FileSystemStorage"):
        return {}
    return {"media_root": Path(settings.MEDIA_ROOT).resolve(), "media_url": settings.MEDIA_URL}


def _servers(allowed_hosts: list[str]) -> list[dict]:
    """nginx's servers: one proxying to gunicorn for the names in ALLOWED_HOSTS (nginx's
    `server_name` reads `.example.com` as Django does), and a default one refusing any other
    Host with the JSON 400 (Django's own refusal is an HTML page outside /api/)."""
    if "*" in allowed_hosts:
        return [{"names": "_", "default": True, "proxy": True}]
    for host in allowed_hosts:
        if not HOST_NAME.fullmatch(host):
            raise CommandError(f"ALLOWED_HOSTS holds {host!r}, which is not a host name.")
    servers = [{"names": "_", "default": True, "proxy": False}]
    if allowed_hosts:
        servers.append({"names": " ".join(allowed_hosts), "default": False, "proxy": True})
    return servers
