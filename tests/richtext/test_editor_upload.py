"""The rich-text editor's image upload (/ckeditor5/image_upload/), as staff use it."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.models import User

pytestmark = pytest.mark.django_db

UPLOAD_URL = "/ckeditor5/image_upload/"


def jpeg(name: str) -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def staff_client(client):
    staff = User.objects.create_user("editor@demo.xiehui.local", "pw", name="编辑", is_staff=True)
    client.force_login(staff)
    return client


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.mark.parametrize("name", ["x.jpg", "x.jpeg", "X.JPG"])
def test_it_takes_a_jpeg_whichever_its_extension(staff_client, media_root, name):
    response = staff_client.post(UPLOAD_URL, {"upload": jpeg(name)})

    assert response.status_code == 200, response.json()
    url = response.json()["url"]
    assert url.startswith("/media/") and url.rsplit(".", 1)[1] == name.rsplit(".", 1)[1]
    (saved,) = media_root.rglob("*.*")
    assert Image.open(saved).format == "JPEG"


def test_it_refuses_a_file_that_is_not_an_image_even_named_jpg(staff_client, media_root):
    fake = SimpleUploadedFile("x.jpg", b"not a picture", content_type="image/jpeg")

    response = staff_client.post(UPLOAD_URL, {"upload": fake})

    assert response.status_code == 400
    assert list(media_root.rglob("*.*")) == []


def test_it_refuses_an_extension_it_does_not_take(staff_client, media_root):
    buffer = BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "TIFF")
    tiff = SimpleUploadedFile("x.tiff", buffer.getvalue(), content_type="image/tiff")

    response = staff_client.post(UPLOAD_URL, {"upload": tiff})

    assert response.status_code == 400
    assert "jpg" in response.json()["error"]["message"]
    assert list(media_root.rglob("*.*")) == []


def test_it_lets_only_staff_upload(client, media_root):
    contact = User.objects.create_user("contact@demo.xiehui.local", "pw", name="李明")
    client.force_login(contact)

    response = client.post(UPLOAD_URL, {"upload": jpeg("x.jpg")})

    assert response.status_code == 403
    assert list(media_root.rglob("*.*")) == []
