"""The public membership application (/join/): form, uploads, confirmation, spam protection."""

from pathlib import Path

import pytest
from django.urls import reverse

from members.models import Application
from outbox.models import OutgoingMail
from tests.accounts.builders import credit_code, make_company
from tests.members.uploads import (
    HTML,
    PDF,
    PHP,
    application_form,
    jpeg_bytes,
    png_bytes,
    png_header_only,
    upload,
)

pytestmark = pytest.mark.django_db

JOIN = "/join/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Public uploads in tmp_path/media, private ones (licences) in tmp_path/private."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return tmp_path


def stored_files(media: Path) -> list[Path]:
    return [path for path in media.rglob("*") if path.is_file()] if media.exists() else []


def test_it_shows_the_form(client):
    response = client.get(JOIN)

    assert response.status_code == 200
    content = response.content.decode()
    assert 'enctype="multipart/form-data"' in content
    assert 'class="form-field trap" aria-hidden="true"' in content
    assert 'tabindex="-1"' in content and 'autocomplete="off"' in content
    assert "private" in response["Cache-Control"]


def test_it_stores_the_application_and_confirms_it_by_email(client, media):
    response = client.post(JOIN, application_form())

    assert response.status_code == 302
    assert response["Location"] == reverse("members:join_thanks")
    application = Application.objects.get()
    assert application.credit_code == credit_code(77)
    assert application.contact_email == "wangfang@example.com"
    assert application.status == Application.Status.SUBMITTED
    name = Path(application.business_licence.name).name
    assert name.endswith(".pdf") and "营业执照" not in name and len(name) == 36
    assert application.business_licence.read() == PDF
    # The licence is private: under PRIVATE_MEDIA_ROOT, nothing under MEDIA_ROOT.
    assert stored_files(media) == [media / "private" / application.business_licence.name]
    mail = OutgoingMail.objects.get(template="application-received")
    assert mail.to == "wangfang@example.com"
    assert client.get(reverse("members:join_thanks")).status_code == 200


def test_it_takes_a_licence_image_and_re_encodes_it(client, media):
    client.post(JOIN, application_form(business_licence=upload("licence.jpg", jpeg_bytes())))

    licence = Application.objects.get().business_licence
    assert licence.name.endswith(".jpg")
    assert licence.read().startswith(b"\xff\xd8")


def test_it_refuses_a_wrong_credit_code_and_keeps_what_was_typed(client, media):
    code = credit_code(77)
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")

    response = client.post(JOIN, application_form(credit_code=wrong))

    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="id_credit_code_error" role="alert"' in content
    assert 'value="宁波示例仪表科技有限公司"' in content
    assert "专业从事智能水表研发与生产。" in content
    assert "请重新选择文件" in content
    assert not Application.objects.exists()
    assert not OutgoingMail.objects.exists()
    assert stored_files(media) == []


def test_it_refuses_a_company_that_is_already_a_member(client):
    make_company("宁波示例仪表科技有限公司", seed=77)

    response = client.post(JOIN, application_form())

    assert response.status_code == 200
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("licence.png", PHP, "不属于以上格式"),
        ("licence.png", HTML, "不属于以上格式"),
        ("licence.pdf", b"%PDF-1.4\n<script>", "已损坏"),
        ("licence.png", png_header_only(60_000, 60_000), "无法安全打开"),
        (
            "licence.pdf",
            b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024) + b"\nstartxref\n1\n%%EOF",
            "大小上限",
        ),
    ],
    ids=["php-as-png", "html-as-png", "broken-pdf", "decompression-bomb", "over-10-mb"],
)
def test_it_refuses_a_licence_that_is_not_what_it_claims(client, media, name, content, message):
    response = client.post(JOIN, application_form(business_licence=upload(name, content)))

    assert response.status_code == 200
    error = response.context["form"].errors["business_licence"][0]
    assert message in error
    assert 'id="id_business_licence_error" role="alert"' in response.content.decode()
    assert not Application.objects.exists()
    assert stored_files(media) == []


def test_it_thanks_a_robot_that_fills_the_hidden_field_and_stores_nothing(client, media):
    response = client.post(JOIN, application_form(fax="+86 571 0000"))

    assert response.status_code == 302
    assert response["Location"] == reverse("members:join_thanks")
    assert not Application.objects.exists()
    assert not OutgoingMail.objects.exists()
    assert stored_files(media) == []


def test_it_limits_applications_per_address_and_hour(client, settings):
    settings.JOIN_PER_HOUR = 2
    for n in range(2):
        form = application_form(company_name=f"示例公司{n}", credit_code=credit_code(80 + n))
        assert client.post(JOIN, form).status_code == 302

    response = client.post(JOIN, application_form(credit_code=credit_code(90)))

    assert response.status_code == 429
    assert "申请过多" in response.content.decode()
    assert Application.objects.count() == 2
    other = client.post(
        JOIN, application_form(credit_code=credit_code(91)), REMOTE_ADDR="198.51.100.9"
    )
    assert other.status_code == 302


def test_a_png_licence_keeps_no_metadata(client):
    client.post(JOIN, application_form(business_licence=upload("licence.png", png_bytes())))

    data = Application.objects.get().business_licence.read()
    assert data.startswith(b"\x89PNG")
    assert b"secret metadata" not in data
