"""Importing honours in the back office: template, upload, preview, confirm; nothing before."""

import io

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from awards.import_admin import UPLOADS
from awards.importing import HONOUR_COLUMNS, read_honour_rows
from awards.models import Award, Honour
from config.private_files import private_storage
from members.import_admin import SALT as MEMBERS_SALT
from members.models import Company
from tests.awards import test_honours_import as lists

pytestmark = pytest.mark.django_db

IMPORT = "admin:awards_honour_import"
TEMPLATE = "admin:awards_honour_import_template"
CHANGELIST = "admin:awards_honour_changelist"
WRITERS = pytest.mark.parametrize(
    ("write", "name"), [(lists.gbk_csv, "获奖名单.csv"), (lists.xlsx, "获奖名单.xlsx")]
)

members = lists.members  # the fixture: 100 member companies and two known awards


@pytest.fixture(autouse=True)
def _own_private_media(settings, tmp_path):
    """A private storage of this test's own, to see what an upload leaves behind."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def kept_uploads() -> list[str]:
    storage = private_storage()
    return storage.listdir("imports")[1] if storage.exists("imports") else []


def staff(client, *codenames: str) -> User:
    user = User.objects.create_user("rongyu@example.com", "x", name="荣誉管理", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="awards", codename__in=codenames)
    )
    client.force_login(user)
    return user


@pytest.fixture
def secretary(client, members):
    return staff(client, "add_honour", "change_honour", "view_honour")


def upload(client, content: bytes, name: str):
    return client.post(reverse(IMPORT), {"file": SimpleUploadedFile(name, content)})


def token_of(response) -> str:
    return response.context["confirm_form"]["token"].value()


def test_the_template_downloads_with_the_headers_and_a_sample_row(client, secretary):
    response = client.get(reverse(TEMPLATE))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == HONOUR_COLUMNS
    assert len(rows) == 2  # and one sample row, which reads back as a row of honours
    assert [row.text("奖项") for row in read_honour_rows(response.content)] == [
        "浙江省科学技术进步奖"
    ]
    changelist = client.get(reverse(CHANGELIST)).content.decode()
    assert "导入荣誉" in changelist
    assert reverse(TEMPLATE) in changelist
    assert "导出 Excel" in changelist  # the buttons of every list are still there


def test_the_upload_page_is_chinese_first(client, secretary):
    content = client.get(reverse(IMPORT)).content.decode()

    assert "此处不会新建单位" in content
    assert "荣誉名单（Excel .xlsx 或 CSV）" in content
    assert "Fill in" not in content


@WRITERS
def test_the_preview_counts_the_rows_and_shows_the_unmatched_company(
    client, secretary, write, name
):
    rows = lists.honour_list(12, unknown=1)
    first = rows[0]
    Honour.objects.create(
        award=Award.objects.get(name=first[1]),
        year=first[2],
        company=Company.objects.get(name=first[3]),
        project=first[7],
        document_number=first[6],
    )

    response = upload(client, write(rows), name)

    assert response.status_code == 200
    preview, content = response.context["preview"], response.content.decode()
    assert (preview.created, preview.unchanged) == (10, 1)
    assert response.context["unmatched"] == 1
    assert [(e.row, e.column) for e in preview.errors] == [(14, "单位名称")]  # 2 title rows
    counts = content.split('<table class="import-counts">')[1].split("</table>")[0]
    assert [cell.split("<")[0] for cell in counts.split("<td>")[1:]] == ["10", "1", "1", "1"]
    unmatched = next(line for line in response.context["lines"] if line["unmatched"])
    assert unmatched["given"] == "不存在的公司0"
    assert response.context["lines"][0] is unmatched  # errors first
    assert "未匹配到会员单位" in content
    assert "没有名为不存在的公司0的会员单位" in content
    assert "文件中有 1 处错误" in content
    assert "浙江省科学技术进步奖" in content and "新奖项" in content
    # Nothing to confirm, nothing kept, nothing written.
    assert response.context["confirm_form"] is None
    assert "导入这些荣誉" not in content
    assert kept_uploads() == []
    assert Honour.objects.count() == 1
    assert not Award.objects.filter(name=lists.NEW_AWARD).exists()


@WRITERS
@pytest.mark.parametrize("verified", [True, False], ids=["verified", "unverified"])
def test_a_clean_list_is_written_on_confirmation_and_again_adds_nothing(
    client, secretary, write, name, verified
):
    rows = lists.honour_list(9)
    preview = upload(client, write(rows), name)

    assert preview.context["preview"].created == 9
    assert "导入这些荣誉" in preview.content.decode()
    assert not Honour.objects.exists()  # nothing before the confirmation
    assert len(kept_uploads()) == 1

    token = token_of(preview)
    done = client.post(reverse(IMPORT), {"token": token} | ({"verified": "on"} if verified else {}))

    assert done.status_code == 302
    changelist = reverse(CHANGELIST)
    assert done["Location"] == (changelist if verified else changelist + "?verified__exact=0")
    assert lists.stored() == lists.expected(rows)
    assert set(Honour.objects.values_list("verified", flat=True)) == {verified}
    assert Honour.objects.public().count() == (9 if verified else 0)
    assert Award.objects.get(name=lists.NEW_AWARD).issuer == ""
    said = [str(message) for message in get_messages(done.wsgi_request)]
    assert "新增荣誉 9 项" in said[0]
    assert ("已标记为已核实" if verified else "尚未核实") in said[1]
    assert kept_uploads() == []
    # The token is spent, and the same file again adds nothing.
    assert client.post(reverse(IMPORT), {"token": token}).status_code == 403
    again = upload(client, write(rows), name)
    assert (again.context["preview"].created, again.context["preview"].unchanged) == (0, 9)
    assert again.context["confirm_form"] is None
    assert "无需导入" in again.content.decode()
    assert Honour.objects.count() == 9
    assert Award.objects.filter(name=lists.NEW_AWARD).count() == 1


def test_a_stale_preview_is_refused_and_writes_nothing(client, secretary):
    rows = lists.honour_list(6)
    preview = upload(client, lists.xlsx(rows), "获奖名单.xlsx")
    first = rows[0]
    # Meanwhile someone records the first row's honour by hand.
    Honour.objects.create(
        award=Award.objects.get(name=first[1]),
        year=first[2],
        company=Company.objects.get(name=first[3]),
        project=first[7],
    )

    done = client.post(reverse(IMPORT), {"token": token_of(preview), "verified": "on"})

    assert done.status_code == 302
    assert done["Location"] == reverse(IMPORT)
    said = [str(message) for message in get_messages(done.wsgi_request)]
    assert said == ["预览之后荣誉记录已有变动：请重新预览文件。"]
    assert Honour.objects.count() == 1
    assert not Award.objects.filter(name=lists.NEW_AWARD).exists()
    assert kept_uploads() == []


@pytest.mark.parametrize(
    "token",
    [
        "bm90IGEgdG9rZW4:forged",
        signing.dumps({"key": "abc-xlsx", "sheet": ""}, salt=MEMBERS_SALT),  # another importer's
        signing.dumps({"key": "no-such-upload-xlsx", "sheet": ""}, salt=UPLOADS.salt),
        signing.dumps(["key"], salt=UPLOADS.salt),
    ],
    ids=["forged", "members-salt", "gone", "not-a-dict"],
)
def test_a_forged_foreign_or_spent_token_is_refused(client, secretary, token):
    assert client.post(reverse(IMPORT), {"token": token, "verified": "on"}).status_code == 403
    assert not Honour.objects.exists()


@pytest.mark.parametrize(
    "codenames",
    [("view_honour",), ("add_honour", "view_honour"), ("change_honour", "view_honour")],
    ids=["view", "add", "change"],
)
def test_staff_without_both_honour_permissions_cannot_import(client, members, codenames):
    staff(client, *codenames)

    assert client.get(reverse(IMPORT)).status_code == 403
    assert client.get(reverse(TEMPLATE)).status_code == 403
    content = lists.xlsx(lists.honour_list(3))
    assert upload(client, content, "获奖名单.xlsx").status_code == 403
    assert "导入荣誉" not in client.get(reverse(CHANGELIST)).content.decode()
    assert kept_uploads() == []


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"\x89PNG\r\n\x1a\n not a list", "logo.png"),
        (b"", "empty.csv"),
        ("名称,电话\n甲,1\n".encode("gbk"), "wrong.csv"),
    ],
    ids=["png", "empty", "no-award-column"],
)
def test_a_file_that_is_not_a_list_of_honours_gets_one_message(client, secretary, content, name):
    response = upload(client, content, name)

    assert response.status_code == 200
    assert len(response.context["form"].errors["file"]) == 1
    assert "preview" not in response.context
    assert not Honour.objects.exists()
    assert kept_uploads() == []


def test_the_preview_takes_the_same_queries_for_5_rows_as_for_50(client, secretary):
    def preview_queries(count: int) -> int:
        content = lists.xlsx(lists.honour_list(count, unknown=1))
        with CaptureQueriesContext(connection) as queries:
            response = upload(client, content, "获奖名单.xlsx")
        assert response.context["preview"].created == count - 1
        return len(queries)

    preview_queries(5)  # warm the caches of content types and the like
    few, many = preview_queries(5), preview_queries(50)

    assert few == many
    assert few <= 12


def test_a_confirmation_that_meets_another_one_is_refused(client, secretary, monkeypatch):
    """Two confirmations of the same file at once: the second meets the unique constraint."""
    preview = upload(client, lists.xlsx(lists.honour_list(3)), "获奖名单.xlsx")

    def clash(*args, **kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr("awards.importing.honours_apply", clash)
    done = client.post(reverse(IMPORT), {"token": token_of(preview)})

    assert done["Location"] == reverse(IMPORT)
    said = [str(message) for message in get_messages(done.wsgi_request)]
    assert said == ["预览之后荣誉记录已有变动：请重新预览文件。"]
