"""The secretariat reviews profile changes in the back office: approve, reject, conflicts."""

import pytest
from django.urls import reverse

from members import services
from members.models import Company, ProfileChange
from outbox.models import OutgoingMail
from tests.accounts.builders import make_company, make_contact, make_term

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact():
    make_term()
    company = make_company(
        "浙江中控技术股份有限公司",
        short_name="中控技术",
        website="http://www.supcon.com",
        phone="0571-86667525",
    )
    return make_contact(company, "liming@example.com", primary=True)


@pytest.fixture
def change(contact):
    return services.profile_change_submit(
        contact=contact,
        data={"website": "https://www.supcon.com", "phone": "0571-86667525"},
    )


def url(name: str, change) -> str:
    return reverse(f"admin:members_profilechange_{name}", args=[change.pk])


def test_it_shows_the_queue_pending_first(admin_client, contact, change, admin_user):
    done = services.profile_change_submit(contact=contact, data={"short_name": "中控"})
    services.profile_change_reject(change=done, by=admin_user, reason="简称不规范")
    later = services.profile_change_submit(contact=contact, data={"address": "杭州市滨江区"})

    response = admin_client.get(reverse("admin:members_profilechange_changelist"))

    rows = list(response.context["cl"].result_list)
    assert rows == [later, change, done]


def test_it_shows_approve_and_reject_under_a_pending_change(admin_client, change):
    response = admin_client.get(url("change", change))

    content = response.content.decode()
    assert url("approve", change) in content
    assert url("reject", change) in content
    assert 'name="reason"' in content
    assert "<td>http://www.supcon.com</td><td>https://www.supcon.com</td>" in content


def test_the_decision_stands_above_the_change_form_and_its_buttons(admin_client, change):
    content = admin_client.get(url("change", change)).content.decode()

    change_form = content.index('id="profilechange_form"')
    submit_row = content.index('class="submit-row"', change_form)
    approve = content.index(f'action="{url("approve", change)}"')
    reject = content.index(f'action="{url("reject", change)}"')
    # Each decision is its own form, closed before the change form opens.
    assert approve < reject < content.rindex("</form>", 0, change_form) < change_form < submit_row
    # Nothing in the form can be edited, so there is no edit to save before deciding.
    assert "不会保存下方表单中的修改" not in content


def test_approving_applies_the_change_and_tells_the_contact(admin_client, client, change):
    response = admin_client.post(url("approve", change))

    assert response.status_code == 302
    change.refresh_from_db()
    assert change.status == ProfileChange.Status.APPROVED
    company = Company.objects.get(pk=change.company_id)
    assert company.website == "https://www.supcon.com"
    mail = OutgoingMail.objects.get(template="profile-change-approved")
    assert mail.to == "liming@example.com"
    assert "（网站）" in mail.body_text
    page = client.get(reverse("members:company_detail", args=[company.pk]))
    assert "https://www.supcon.com" in page.content.decode()
    # No buttons once decided, and a second approval changes nothing.
    assert url("approve", change) not in admin_client.get(url("change", change)).content.decode()
    admin_client.post(url("approve", change))
    assert OutgoingMail.objects.filter(template="profile-change-approved").count() == 1


def test_it_refuses_to_approve_by_get(admin_client, change):
    assert admin_client.get(url("approve", change)).status_code == 405
    change.refresh_from_db()
    assert change.status == ProfileChange.Status.PENDING


def test_it_shows_a_conflict_instead_of_overwriting(admin_client, change):
    company = Company.objects.get(pk=change.company_id)
    company.website = "https://www.supcon.com.cn"
    company.save()

    response = admin_client.post(url("approve", change))

    assert response.status_code == 409
    content = response.content.decode()
    for value in ("http://www.supcon.com", "https://www.supcon.com", "https://www.supcon.com.cn"):
        assert f"<td>{value}" in content
    assert 'name="force" value="1"' in content
    company.refresh_from_db()
    assert company.website == "https://www.supcon.com.cn"
    change.refresh_from_db()
    assert change.status == ProfileChange.Status.PENDING

    admin_client.post(url("approve", change), {"force": "1"})

    company.refresh_from_db()
    assert company.website == "https://www.supcon.com"


def test_a_change_to_other_fields_is_no_conflict(admin_client, change):
    company = Company.objects.get(pk=change.company_id)
    company.address = "杭州市滨江区六和路309号"
    company.save()

    response = admin_client.post(url("approve", change))

    assert response.status_code == 302
    company.refresh_from_db()
    assert (company.website, company.address) == (
        "https://www.supcon.com",
        "杭州市滨江区六和路309号",
    )


def test_rejecting_needs_a_reason_and_mails_it(admin_client, change):
    response = admin_client.post(url("reject", change), {"reason": "  "}, follow=True)
    change.refresh_from_db()
    assert change.status == ProfileChange.Status.PENDING
    assert "请填写驳回理由" in response.content.decode()

    admin_client.post(url("reject", change), {"reason": "请提供官网的备案信息"})

    change.refresh_from_db()
    assert (change.status, change.rejection_reason) == ("rejected", "请提供官网的备案信息")
    mail = OutgoingMail.objects.get(template="profile-change-rejected")
    assert "请提供官网的备案信息" in mail.body_text
    assert Company.objects.get(pk=change.company_id).website == "http://www.supcon.com"


def test_the_queue_has_no_add_page(admin_client):
    assert admin_client.get(reverse("admin:members_profilechange_add")).status_code == 403


def test_a_contact_cannot_review(client, change, contact):
    client.force_login(contact.user)

    response = client.post(url("approve", change))

    assert response.status_code == 302  # to the back office's sign-in
    change.refresh_from_db()
    assert change.status == ProfileChange.Status.PENDING
