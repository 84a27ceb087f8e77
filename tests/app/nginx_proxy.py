"""The reference reverse proxy (deploy/nginx/voordeur.conf.template) in front of a running stack, for tests.

nginx runs without root: its own prefix folder (configuration, pid, logs, temporary files, a
self-signed certificate made by `openssl` at test time) and high ports. When the tests run as root,
nginx is started as the user `nobody` in a folder that user owns.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import ssl
import string
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "deploy" / "nginx" / "voordeur.conf.template"

MAIN_CONFIG = """\
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log info;
events {{ worker_connections 256; }}
http {{
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/temp/body;
    proxy_temp_path {prefix}/temp/proxy;
    fastcgi_temp_path {prefix}/temp/fastcgi;
    uwsgi_temp_path {prefix}/temp/uwsgi;
    scgi_temp_path {prefix}/temp/scgi;
    include {prefix}/voordeur.conf;
}}
"""


def nginx_binary() -> str:
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(binary).exists(), "nginx is missing: scripts/setup.sh installs it (Debian package nginx)"
    return binary


def render(values: dict[str, str]) -> str:
    """The template with the deployment's values; nginx's own `$variables` stay as they are."""
    text = string.Template(TEMPLATE.read_text()).safe_substitute(values)
    assert "${VOORDEUR_" not in text, "a template variable has no value"
    return text


@dataclass
class Proxy:
    https_port: int
    http_port: int
    certificate: Path
    folder: Path

    @property
    def url(self) -> str:
        return f"https://localhost:{self.https_port}"

    def tls_context(self) -> ssl.SSLContext:
        """A client context that trusts only the test's self-signed certificate (hostname checked)."""
        return ssl.create_default_context(cafile=str(self.certificate))

    def error_log(self) -> str:
        return (self.folder / "error.log").read_text(errors="replace")


def _unprivileged() -> tuple[Callable[[], None] | None, int | None, int | None]:
    """Under root: a function that makes the child `nobody`, and that user's ids; else nothing to do."""
    if os.geteuid() != 0:
        return None, None, None
    nobody = pwd.getpwnam("nobody")

    def drop() -> None:
        os.setgroups([])
        os.setgid(nobody.pw_gid)
        os.setuid(nobody.pw_uid)

    return drop, nobody.pw_uid, nobody.pw_gid


def _self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    certificate, key = folder / "certificate.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
         "-keyout", str(key), "-out", str(certificate)],
        check=True, capture_output=True,
    )  # fmt: skip
    return certificate, key


def _listening(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@contextmanager
def running_proxy(rasa: str, backend: str, timeout: float = 30) -> Iterator[Proxy]:
    """nginx with the reference configuration in front of `rasa` and `backend` (host:port each)."""
    drop, uid, gid = _unprivileged()
    folder = Path(tempfile.mkdtemp(prefix="voordeur-nginx-"))
    try:
        certificate, key = _self_signed_certificate(folder)
        https_port, http_port = free_port(), free_port()
        (folder / "voordeur.conf").write_text(render({
            "VOORDEUR_SERVER_NAME": "localhost", "VOORDEUR_HTTPS_PORT": str(https_port),
            "VOORDEUR_HTTP_PORT": str(http_port), "VOORDEUR_TLS_CERTIFICATE": str(certificate),
            "VOORDEUR_TLS_KEY": str(key), "VOORDEUR_RASA": rasa, "VOORDEUR_BACKEND": backend,
        }))  # fmt: skip
        (folder / "nginx.conf").write_text(MAIN_CONFIG.format(prefix=folder))
        (folder / "temp").mkdir()
        if uid is not None and gid is not None:
            for path in [folder, *folder.rglob("*")]:
                os.chown(path, uid, gid)
        command = [nginx_binary(), "-p", str(folder), "-c", str(folder / "nginx.conf"),
                   "-e", str(folder / "error.log"), "-g", "daemon off;"]  # fmt: skip
        with (folder / "nginx.out").open("wb") as output:
            process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, preexec_fn=drop)
        try:
            deadline = time.monotonic() + timeout
            while not _listening(https_port):
                if process.poll() is not None or time.monotonic() > deadline:
                    logs = [folder / "nginx.out", folder / "error.log"]
                    text = "\n".join(p.read_text(errors="replace")[-3000:] for p in logs if p.exists())
                    raise AssertionError(f"nginx did not start:\n{text}")
                time.sleep(0.2)
            yield Proxy(https_port, http_port, certificate, folder)
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=15)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
