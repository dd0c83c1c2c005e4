"""A contact edits the company profile: public fields wait for review, logos are checked."""

from pathlib import Path

import pytest
from django.urls import reverse

from members import services
from members.models import Company, IndustrySegment, ProfileChange
from tests.accounts.builders import make_company, make_contact
from tests.members.uploads import HTML, PHP, png_bytes, png_header_only, upload

pytestmark = pytest.mark.django_db

PROFILE = "/account/profile/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def contact():
    company = make_company(
        "浙江中控技术股份有限公司",
        short_name="中控技术",
        website="http://www.supcon.com",
        phone="0571-86667525",
        description="<p>流程工业<strong>智能制造</strong>整体解决方案供应商。</p><p>第二段。</p>",
    )
    return make_contact(company, "liming@example.com", primary=True)


def form_data(client, **changes) -> dict:
    """The profile form as shown, with ``changes`` typed over it."""
    form = client.get(PROFILE).context["form"]
    data = {}
    for name in form.fields:
        if name == "logo":
            continue
        value = form[name].value()
        data[name] = "" if value is None else value
    data.update(changes)
    return data


def stored_files(media: Path) -> list[Path]:
    return [path for path in media.rglob("*") if path.is_file()] if media.exists() else []


def test_it_records_only_the_changed_public_fields(client, contact):
    client.force_login(contact.user)
    industry = IndustrySegment.objects.create(name="工业自动化仪表")

    response = client.post(
        PROFILE,
        form_data(client, website="https://www.supcon.com", industry=industry.pk),
    )

    assert response.status_code == 302
    change = ProfileChange.objects.get()
    assert change.changes == {
        "industry": {"old": None, "new": industry.pk},
        "website": {"old": "http://www.supcon.com", "new": "https://www.supcon.com"},
    }
    assert change.submitted_by == contact
    assert change.company_updated_at == contact.company.updated_at
    company = Company.objects.get(pk=contact.company.pk)
    assert company.website == "http://www.supcon.com"


def test_it_keeps_the_description_when_its_text_is_unchanged(client, contact):
    client.force_login(contact.user)

    response = client.post(PROFILE, form_data(client, phone="0571-00000000"))

    assert response.status_code == 302
    assert set(ProfileChange.objects.get().changes) == {"phone"}


def test_it_turns_a_new_description_into_paragraphs(client, contact):
    client.force_login(contact.user)

    client.post(PROFILE, form_data(client, description="第一段<script>\n\n第二段"))

    new = ProfileChange.objects.get().changes["description"]["new"]
    assert new == "<p>第一段&lt;script&gt;</p><p>第二段</p>"


def test_it_sends_nothing_when_nothing_changed(client, contact):
    client.force_login(contact.user)

    response = client.post(PROFILE, form_data(client), follow=True)

    assert not ProfileChange.objects.exists()
    assert "未提交审核" in response.content.decode()


def test_it_refuses_an_edit_made_on_a_stale_form(client, contact):
    client.force_login(contact.user)
    data = form_data(client, phone="0571-00000000")
    company = Company.objects.get(pk=contact.company.pk)
    company.website = "https://changed.example.com"
    company.save()

    response = client.post(PROFILE, data, follow=True)

    assert not ProfileChange.objects.exists()
    assert "本单位资料已被修改" in response.content.decode()


def test_it_refuses_a_name_another_member_has(client, contact):
    make_company("浙江乙仪表有限公司", seed=2)
    client.force_login(contact.user)

    response = client.post(PROFILE, form_data(client, name="浙江乙仪表有限公司"))

    assert response.status_code == 200
    assert 'id="id_name_error" role="alert"' in response.content.decode()
    assert not ProfileChange.objects.exists()


def test_it_takes_a_logo_re_encoded_under_a_random_name(client, contact, media):
    client.force_login(contact.user)

    data = form_data(client, logo=upload("我的logo.png", png_bytes()))
    response = client.post(PROFILE, data)

    assert response.status_code == 302
    change = ProfileChange.objects.get()
    name = change.new_logo.name
    assert name.startswith("logos/pending/") and name.endswith(".png")
    assert "logo" not in Path(name).stem
    assert change.changes["logo"] == {"old": "", "new": name}
    data = change.new_logo.read()
    assert data.startswith(b"\x89PNG") and b"secret metadata" not in data


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (PHP, "不是此类图片"),
        (HTML, "不是此类图片"),
        (png_header_only(60_000, 60_000), "无法安全打开"),
        (png_header_only(11_000, 11_000), "无法安全打开"),
        (png_header_only(5_000, 300), "4096"),
        (png_bytes() + b"\0" * (2 * 1024 * 1024), "文件过大"),
    ],
    ids=["php", "html", "bomb", "bomb-warning", "too-wide", "over-2-mb"],
)
def test_it_refuses_a_logo_that_is_not_a_safe_image(client, contact, media, content, message):
    client.force_login(contact.user)

    data = form_data(client, short_name="中控", logo=upload("logo.png", content))
    response = client.post(PROFILE, data)

    assert response.status_code == 200
    assert message in response.context["form"].errors["logo"][0]
    content = response.content.decode()
    assert 'id="id_logo_error" role="alert"' in content
    assert 'value="中控"' in content
    assert "请重新选择文件" in content
    assert not ProfileChange.objects.exists()
    assert stored_files(media) == []


def test_the_contact_sees_the_change_and_its_outcome(client, contact, admin_user):
    client.force_login(contact.user)
    client.post(PROFILE, form_data(client, phone="0571-00000000"))
    change = ProfileChange.objects.get()
    services.profile_change_reject(change=change, by=admin_user, reason="号码无法接通")

    response = client.get(reverse("accounts:profile_change_detail", args=[change.pk]))

    content = response.content.decode()
    assert "号码无法接通" in content
    assert "0571-00000000" in content
    assert "0571-86667525" in content


@pytest.mark.parametrize(
    "seen", ["2026-13-45T00:00:00+08:00", "2026-13-45", "yesterday", "2022-11-30T08:00", "\x00"]
)
def test_it_shows_the_form_again_when_its_timestamp_is_malformed(client, contact, seen):
    # A timestamp of no such moment used to answer 500; a word skipped the check.
    client.force_login(contact.user)

    response = client.post(PROFILE, form_data(client, phone="0571-00000000", seen=seen))

    assert response.status_code == 200
    content = response.content.decode()
    assert "此表单已损坏，无法与本单位的最新资料核对" in content
    assert 'value="0571-00000000"' in content
    assert not ProfileChange.objects.exists()
    form = response.context["form"]
    assert form["seen"].value() == contact.company.updated_at.isoformat()

    again = {name: form[name].value() or "" for name in form.fields if name != "logo"}
    assert client.post(PROFILE, again).status_code == 302
    assert ProfileChange.objects.get().changes == {
        "phone": {"old": "0571-86667525", "new": "0571-00000000"}
    }
