"""Bodies over the limit are refused with 413 before they are read (a 100 MB /join/ was read)."""

import io

import pytest

from tests.accounts.builders import make_company, make_contact

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


class CountingInput(io.RawIOBase):
    """A request body of ``size`` bytes, made as it is read; ``read_bytes`` says how much was."""

    def __init__(self, size: int):
        self.size = size
        self.read_bytes = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        count = min(len(buffer), self.size - self.read_bytes)
        buffer[:count] = b"x" * count
        self.read_bytes += count
        return count


def post_body(client, path: str, size: int, *, length: int | None = None):
    body = CountingInput(size)
    extra = {"wsgi.input": io.BufferedReader(body, buffer_size=64 * 1024)}
    if length is not None:
        extra["CONTENT_LENGTH"] = str(length)
    response = client.generic(
        "POST", path, b"", content_type="multipart/form-data; boundary=xyz", **extra
    )
    return response, body


def test_it_refuses_a_large_join_upload_without_reading_it(client):
    response, body = post_body(client, "/join/", 20 * MB, length=20 * MB)

    assert response.status_code == 413
    assert body.read_bytes == 0
    content = response.content.decode()
    assert "上传的内容过大" in content and "12 MB" in content
    assert response["Connection"] == "close"


def test_it_gives_staff_room_for_a_bulletin_pdf_but_not_without_end(client, settings):
    staff = make_contact(make_company("浙江甲仪表有限公司"), "staff@example.com").user
    staff.is_staff = True
    staff.save()
    client.force_login(staff)

    allowed, _body = post_body(client, "/admin/login/", 2 * MB, length=20 * MB)
    refused, body = post_body(client, "/admin/login/", 80 * MB, length=80 * MB)

    assert allowed.status_code != 413
    assert refused.status_code == 413 and body.read_bytes == 0
