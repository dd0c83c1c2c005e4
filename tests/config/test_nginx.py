"""deploy/nginx/xiehui.conf.template, run by a real nginx in front of the live test server.

The checked-in file is rendered with this machine's paths and ports (as
envsubst does in production) and included in a small main configuration of
the test's own: a temporary prefix, pid, logs and temp folders, one process
in the foreground. Skipped where nginx is not installed.
"""

import gzip
import http.client
import json
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from config.private_files import X_ACCEL_PREFIX, private_storage
from members.models import Application
from members.uploads import LICENCE_MAX_BYTES
from tests.accounts.builders import credit_code, make_company
from tests.members.uploads import PDF, png_bytes

BASE_DIR = Path(__file__).resolve().parents[2]
TEMPLATE = BASE_DIR / "deploy" / "nginx" / "xiehui.conf.template"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
MIME_TYPES = Path("/etc/nginx/mime.types")

pytestmark = pytest.mark.skipif(
    not Path(NGINX).is_file(), reason="nginx not installed: apt-get install nginx"
)

MB = 1024 * 1024
PLACEHOLDER = re.compile(r"\$\{(XIEHUI_[A-Z_]+)\}")
NGINX_ERROR_PAGE = b"<center>nginx</center>"  # in nginx's own error pages, not the app's
STYLESHEET = "body { color: #1f5f8b; }\n" * 200


def render(values: dict[str, str]) -> str:
    """The template with each ${XIEHUI_…} replaced, and nothing else touched (envsubst's way)."""
    text = TEMPLATE.read_text()
    missing = set(PLACEHOLDER.findall(text)) - set(values)
    assert not missing, f"no value for {sorted(missing)}"
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], text)


def main_config(prefix: Path, site: Path) -> str:
    """A test-only nginx.conf around the site: foreground, one process, all files under prefix.

    One process (no master) never switches to an unprivileged user, so it reads
    the test's temporary folders also when the tests run as root.
    """
    types = f"include {MIME_TYPES};" if MIME_TYPES.is_file() else "types { text/css css; }"
    temp = "\n".join(
        f"    {kind}_temp_path {prefix / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""
daemon off;
master_process off;
pid {prefix / "nginx.pid"};
error_log {prefix / "error.log"} info;
events {{ worker_connections 64; }}
http {{
    {types}
    default_type application/octet-stream;
    access_log {prefix / "access.log"};
{temp}
    include {site};
}}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_config(prefix: Path, values: dict[str, str]) -> Path:
    prefix.mkdir(parents=True, exist_ok=True)
    site = prefix / "xiehui.conf"
    site.write_text(render(values))
    conf = prefix / "nginx.conf"
    conf.write_text(main_config(prefix, site))
    return conf


def nginx_command(prefix: Path, conf: Path, *args: str) -> list[str]:
    return [NGINX, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log"), *args]


class Front:
    """nginx on a loopback port; ``fetch`` sends exactly the path it is given."""

    def __init__(self, port: int, prefix: Path, app_port: int, settings):
        self.port = port
        self.prefix = prefix
        self.app_port = app_port
        self.settings = settings

    def fetch(self, path, *, method="GET", headers=None, body=None, port=None):
        """(status, headers by lower-case name, repeated ones joined with ", ", body)."""
        connection = http.client.HTTPConnection("127.0.0.1", port or self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            received: dict[str, str] = {}
            for name, value in response.getheaders():
                name = name.lower()
                received[name] = f"{received[name]}, {value}" if name in received else value
            return response.status, received, response.read()
        finally:
            connection.close()

    def error_log(self) -> str:
        log = self.prefix / "error.log"
        return log.read_text() if log.exists() else ""


@pytest.fixture
def roots(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    for root in (settings.STATIC_ROOT, settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT):
        root.mkdir()
    return settings


@pytest.fixture
def front(roots, live_server, tmp_path):
    """nginx in front of live_server, which runs the app as behind it in production."""
    settings = roots
    settings.PRIVATE_FILES_X_ACCEL = True
    settings.TRUSTED_PROXY_COUNT = 1
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    settings.ROOT_URLCONF = "tests.config.nginx_urls"
    upstream = urlsplit(live_server.url)
    port = free_port()
    prefix = tmp_path / "nginx"
    conf = write_config(
        prefix,
        {
            "XIEHUI_LISTEN": f"127.0.0.1:{port}",
            "XIEHUI_UPSTREAM": f"{socket.gethostbyname(upstream.hostname)}:{upstream.port}",
            "XIEHUI_STATIC_ROOT": str(settings.STATIC_ROOT),
            "XIEHUI_MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "XIEHUI_PRIVATE_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
        },
    )
    process = subprocess.Popen(
        nginx_command(prefix, conf), stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    front = Front(port, prefix, upstream.port, settings)
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                output = process.communicate()[0].decode(errors="replace")
                pytest.fail(f"nginx did not start:\n{output}\n{front.error_log()}")
            time.sleep(0.05)
    yield front
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def licence(roots, db):
    application = Application.objects.create(
        company_name="宁波示例仪表科技有限公司",
        credit_code=credit_code(61),
        city="ningbo",
        contact_name="王芳",
        contact_email="wangfang@example.com",
        contact_phone="0574-88888888",
    )
    application.business_licence.save("licence.pdf", ContentFile(PDF))
    return application


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return "; ".join(f"{name}={morsel.value}" for name, morsel in client.cookies.items())


def test_it_accepts_the_checked_in_config(tmp_path):
    prefix = tmp_path / "nginx"
    conf = write_config(
        prefix,
        {
            "XIEHUI_LISTEN": f"127.0.0.1:{free_port()}",
            "XIEHUI_UPSTREAM": "127.0.0.1:8000",
            "XIEHUI_STATIC_ROOT": str(tmp_path / "static"),
            "XIEHUI_MEDIA_ROOT": str(tmp_path / "media"),
            "XIEHUI_PRIVATE_ROOT": str(tmp_path / "private"),
        },
    )

    result = subprocess.run(
        nginx_command(prefix, conf, "-t"), capture_output=True, text=True, timeout=30
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "test is successful" in result.stderr
    assert f"location {X_ACCEL_PREFIX} {{\n        internal;" in TEMPLATE.read_text()


def test_it_allows_a_body_a_little_over_the_largest_licence_and_staff_more(settings):
    public, admin, admin_en = (
        int(megabytes) * MB
        for megabytes in re.findall(r"client_max_body_size (\d+)m;", TEMPLATE.read_text())
    )

    assert LICENCE_MAX_BYTES < public <= 1.5 * LICENCE_MAX_BYTES
    # Never below what the app accepts (config/request_size.py).
    assert public >= settings.MAX_REQUEST_BODY_BYTES
    assert admin == admin_en >= settings.MAX_STAFF_REQUEST_BODY_BYTES


def test_it_serves_a_company_logo_from_media(front, transactional_db):
    company = make_company("浙江甲仪表有限公司")
    logo = png_bytes()
    company.logo.save("logo.png", ContentFile(logo))
    assert company.logo.name.startswith("logos/")

    status, headers, body = front.fetch(company.logo.url)

    assert (status, body) == (200, logo)
    assert headers["content-type"] == "image/png"
    # Sent by nginx's /media/ location (the test server would serve the file too).
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["cache-control"] == "public, max-age=86400"


def test_it_serves_static_files_compressed_and_hashed_ones_for_good(front):
    static = front.settings.STATIC_ROOT
    (static / "css").mkdir()
    (static / "css" / "portal.css").write_text(STYLESHEET)
    (static / "css" / "portal.0123456789ab.css").write_text(STYLESHEET)

    status, headers, body = front.fetch(
        "/static/css/portal.css", headers={"Accept-Encoding": "gzip"}
    )
    hashed = front.fetch("/static/css/portal.0123456789ab.css")

    assert status == 200
    assert headers["content-encoding"] == "gzip"
    assert gzip.decompress(body).decode() == STYLESHEET
    assert headers["cache-control"] == "public, max-age=3600"
    assert hashed[0] == 200 and hashed[2].decode() == STYLESHEET
    assert hashed[1]["cache-control"] == "public, max-age=31536000, immutable"


def test_it_compresses_the_apps_pages_for_a_browser_that_asks(front, transactional_db):
    status, headers, body = front.fetch("/", headers={"Accept-Encoding": "gzip"})
    plain_status, plain_headers, plain_body = front.fetch("/")

    assert status == 200
    assert headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in headers["vary"]
    assert b"</html>" in gzip.decompress(body)
    assert plain_status == 200 and "content-encoding" not in plain_headers
    assert plain_body.rstrip().endswith(b"</html>")


def test_it_passes_the_client_address_host_and_scheme_to_the_app(front):
    status, _headers, body = front.fetch(
        "/_test/echo/", headers={"X-Forwarded-For": "203.0.113.66"}
    )

    seen = json.loads(body)
    assert status == 200
    # nginx appended the address it saw; the app (TRUSTED_PROXY_COUNT=1) took that one.
    assert seen["forwarded_for"] == "203.0.113.66, 127.0.0.1"
    assert seen["remote_addr"] == "127.0.0.1"
    assert seen["host"] == f"127.0.0.1:{front.port}"
    assert seen["forwarded_proto"] == "http"


def test_it_gives_the_licence_no_public_url(front, licence):
    settings = front.settings
    name = licence.business_licence.name
    assert (settings.PRIVATE_MEDIA_ROOT / name).read_bytes() == PDF
    assert not any(path.is_file() for path in settings.MEDIA_ROOT.rglob("*"))
    # An old deployment's licence left in MEDIA_ROOT is not served either.
    old = settings.MEDIA_ROOT / name
    old.parent.mkdir(parents=True)
    old.write_bytes(PDF)

    # nginx itself answers 404 for these two.
    for path in (f"/media/{name}", f"{X_ACCEL_PREFIX}{name}"):
        status, headers, body = front.fetch(path)
        assert status == 404, path
        assert b"%PDF" not in body, path
    # nginx takes these to mean /private/… and passes them on to the app, which
    # has no such page (the test server's own media handler answers 500 for the
    # first two, as it refuses paths outside MEDIA_ROOT).
    for path in (
        f"/media/../private/{name}",
        f"/media/..%2fprivate/{name}",
        f"/static/..%2f..%2fprivate/{name}",
        f"/private/{name}",
    ):
        status, _headers, body = front.fetch(path)
        assert status >= 400, path
        assert b"%PDF" not in body, path


def test_it_sends_the_licence_to_the_secretariat_itself(front, licence, admin_user):
    url = reverse("admin:members_application_licence", args=[licence.pk])
    cookie = {"Cookie": session_cookie(admin_user)}

    status, headers, body = front.fetch(url, headers=cookie)
    # The app itself answers with an empty body and the file's internal address.
    app_status, app_headers, app_body = front.fetch(url, headers=cookie, port=front.app_port)

    assert (status, body) == (200, PDF)
    assert headers["content-type"] == "application/pdf"
    assert headers["content-disposition"] == f'attachment; filename="licence-{licence.pk}.pdf"'
    assert "x-accel-redirect" not in headers
    assert "no-store" in headers["cache-control"]
    assert (app_status, app_body) == (200, b"")
    assert app_headers["x-accel-redirect"] == X_ACCEL_PREFIX + licence.business_licence.name


def test_it_sends_an_anonymous_visitor_to_sign_in_not_the_licence(front, licence):
    url = reverse("admin:members_application_licence", args=[licence.pk])

    status, headers, body = front.fetch(url)

    assert status == 302
    assert headers["location"].startswith(reverse("admin:login"))
    assert b"%PDF" not in body


def test_it_sends_a_private_file_with_any_name_and_a_chinese_filename(front, db):
    name = private_storage().save("documents/会员 手册 #1.pdf", ContentFile(PDF))

    status, headers, body = front.fetch(f"/_test/private/{quote(name)}")

    assert (status, body) == (200, PDF)
    assert headers["content-disposition"] == "inline; filename*=utf-8''" + quote("会员手册.pdf")


def test_it_refuses_a_body_over_the_limit_before_the_app_sees_it(front):
    with socket.create_connection(("127.0.0.1", front.port), timeout=30) as sock:
        # The headers only: nginx answers from Content-Length, before any body.
        sock.sendall(
            b"POST /join/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: multipart/form-data; boundary=x\r\n"
            + f"Content-Length: {12 * MB + 1}\r\n\r\n".encode()
        )
        response = http.client.HTTPResponse(sock)
        response.begin()
        body = response.read()

    assert response.status == 413
    assert NGINX_ERROR_PAGE in body


def multipart(size: int) -> tuple[bytes, dict[str, str]]:
    boundary = "xiehui-boundary"
    body = (
        (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="business_licence"; filename="licence.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + PDF.ljust(size, b" ")
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def test_it_lets_the_largest_licence_through_to_the_app(front):
    body, headers = multipart(LICENCE_MAX_BYTES)

    status, _headers, answer = front.fetch("/join/", method="POST", body=body, headers=headers)

    assert status == 403  # Django's answer (no CSRF token), not nginx's 413
    assert NGINX_ERROR_PAGE not in answer


@pytest.mark.parametrize("path", ["/admin/login/", "/en/admin/login/"])
def test_it_lets_a_bulletin_pdf_through_to_the_back_office(front, path):
    body, headers = multipart(20 * MB)

    _status, _headers, answer = front.fetch(path, method="POST", body=body, headers=headers)

    # Whatever the app answers (it refuses so much from anyone but staff), nginx let it in.
    assert NGINX_ERROR_PAGE not in answer
