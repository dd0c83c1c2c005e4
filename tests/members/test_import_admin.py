"""Importing members in the back office: template, upload, preview, confirm; nothing before."""

import io

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import User
from members.importing import MEMBER_COLUMNS
from members.models import Company, IndustrySegment
from tests.accounts.builders import make_term
from tests.members.member_lists import SEGMENTS, expected_errors, gbk_csv, members, xlsx

pytestmark = pytest.mark.django_db

IMPORT = "admin:members_company_import"


@pytest.fixture
def secretary(client):
    user = User.objects.create_user("huiyuan@example.com", "x", name="会员管理", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["add_company", "change_company", "view_company"])
    )
    client.force_login(user)
    make_term()
    for order, name in enumerate(SEGMENTS):
        IndustrySegment.objects.create(name=name, order=order)
    return user


def upload(client, content: bytes, name: str):
    return client.post(reverse(IMPORT), {"file": SimpleUploadedFile(name, content)})


def token_of(response) -> str:
    return response.context["token"]


def test_the_template_downloads_with_the_chinese_headers(client, secretary):
    response = client.get(reverse("admin:members_company_import_template"))

    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == MEMBER_COLUMNS
    assert len(rows) == 2  # and one sample row
    assert "导入会员" in client.get(reverse("admin:members_company_changelist")).content.decode()


def test_a_clean_list_is_previewed_then_written_on_confirmation(client, secretary):
    found = members(20, errors=False)
    preview = upload(client, xlsx(found), "会员名单.xlsx")

    assert preview.status_code == 200
    assert preview.context["preview"].created == 20
    assert "导入这些变更" in preview.content.decode()
    assert not Company.objects.exists()  # nothing before the confirmation

    done = client.post(reverse(IMPORT), {"token": token_of(preview)})
    assert done.status_code == 302
    assert Company.objects.count() == 20
    # The same file again: nothing new, nothing changed.
    again = upload(client, xlsx(found), "会员名单.xlsx")
    assert (again.context["preview"].created, again.context["preview"].updated) == (0, 0)


def test_a_list_with_errors_shows_them_by_row_and_column_and_writes_nothing(client, secretary):
    found = members(500)
    preview = upload(client, gbk_csv(found), "会员名单.csv")

    content = preview.content.decode()
    shown = {(error.row, error.column) for error in preview.context["preview"].errors}
    assert shown == expected_errors()
    assert "导入这些变更" not in content
    assert "请在文件中改正后重新上传" in content
    assert client.post(reverse(IMPORT), {"token": token_of(preview)}).status_code == 302
    assert not Company.objects.exists()


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"\x89PNG\r\n\x1a\n not a list", "logo.png"),
        (b"", "empty.csv"),
        ("名称,电话\n甲,1\n".encode("gbk"), "wrong.csv"),
    ],
)
def test_a_file_that_is_not_a_member_list_gets_one_message(client, secretary, content, name):
    response = upload(client, content, name)

    assert response.status_code == 200
    errors = response.context["form"].errors["file"]
    assert len(errors) == 1
    assert not Company.objects.exists()


def test_a_forged_or_foreign_token_is_refused(client, secretary):
    assert client.post(reverse(IMPORT), {"token": "bm90IGEgdG9rZW4:forged"}).status_code == 403


def test_staff_without_the_company_permissions_cannot_import(client):
    editor = User.objects.create_user("editor@example.com", "x", is_staff=True)
    client.force_login(editor)

    assert client.get(reverse(IMPORT)).status_code == 403
    assert client.get(reverse("admin:members_company_import_template")).status_code == 403
