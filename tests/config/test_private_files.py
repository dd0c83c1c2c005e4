"""Private files: their own storage outside MEDIA_ROOT, no URL, and one way out through a view."""

from urllib.parse import quote

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404

from config.private_files import PrivateStorage, private_file_response, private_storage
from members.models import Application
from tests.members.uploads import PDF

NAME = "documents/会员 手册.pdf"


@pytest.fixture
def roots(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings


def private_file(name: str = NAME) -> FieldFile:
    field = Application._meta.get_field("business_licence")
    return FieldFile(None, field, name)


def test_it_keeps_business_licences_in_the_private_storage(roots):
    field = Application._meta.get_field("business_licence")
    storage = field.storage

    name = storage.save(NAME, ContentFile(PDF))

    assert isinstance(storage, PrivateStorage)
    assert field.deconstruct()[3]["storage"] is private_storage  # the callable, in migrations
    assert (roots.PRIVATE_MEDIA_ROOT / name).read_bytes() == PDF
    assert not roots.MEDIA_ROOT.exists()
    with pytest.raises(ValueError, match="private file and has no URL"):
        storage.url(name)


def test_it_streams_the_file_itself_without_nginx(roots):
    roots.PRIVATE_FILES_X_ACCEL = False
    private_storage().save(NAME, ContentFile(PDF))

    response = private_file_response(private_file(), filename="licence-7.pdf")

    assert isinstance(response, FileResponse)
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="licence-7.pdf"'
    assert "X-Accel-Redirect" not in response


def test_it_leaves_the_sending_to_nginx_with_x_accel(roots):
    roots.PRIVATE_FILES_X_ACCEL = True
    private_storage().save(NAME, ContentFile(PDF))

    response = private_file_response(private_file(), filename="营业执照.png", as_attachment=False)

    assert response.content == b""
    assert response["X-Accel-Redirect"] == "/_private/documents/" + quote("会员 手册.pdf")
    assert response["X-Accel-Redirect"].isascii()
    assert response["Content-Type"] == "image/png"
    # RFC 6266 with RFC 5987's encoding: the Chinese name survives.
    assert response["Content-Disposition"] == "inline; filename*=utf-8''" + quote("营业执照.png")


def test_it_takes_a_content_type_and_falls_back_to_octet_stream(roots):
    roots.PRIVATE_FILES_X_ACCEL = True
    private_storage().save(NAME, ContentFile(PDF))

    given = private_file_response(private_file(), filename="a.pdf", content_type="text/plain")
    unknown = private_file_response(private_file(), filename="receipt")

    assert given["Content-Type"] == "text/plain"
    assert unknown["Content-Type"] == "application/octet-stream"
    assert unknown["Content-Disposition"] == 'attachment; filename="receipt"'


@pytest.mark.parametrize("x_accel", [False, True])
def test_it_answers_404_for_a_missing_or_empty_file(roots, x_accel):
    roots.PRIVATE_FILES_X_ACCEL = x_accel

    with pytest.raises(Http404):
        private_file_response(private_file("documents/gone.pdf"), filename="gone.pdf")
    with pytest.raises(Http404):
        private_file_response(private_file(""), filename="gone.pdf")


def test_it_refuses_a_file_of_the_public_storage(roots):
    field = Application._meta.get_field("business_licence")
    public = FieldFile(None, field, "logos/a.png")
    public.storage = default_storage

    with pytest.raises(ValueError, match="not in the private storage"):
        private_file_response(public, filename="a.png")
