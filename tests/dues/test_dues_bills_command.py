"""manage.py dues_bills --year 2027 --due 2027-03-31 [--dry-run]."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from dues.models import DuesBill
from members.models import SeatRole
from outbox.models import OutgoingMail
from tests.dues.builders import fee_schedule, seated_company

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("dues_bills", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def members():
    fee_schedule()
    seated_company("浙江甲仪表有限公司", SeatRole.COUNCIL, seed=1)
    seated_company("浙江乙仪表有限公司", SeatRole.MEMBER, seed=2)


def test_a_dry_run_counts_and_makes_nothing(members):
    assert run("--year", "2027", "--due", "2027-03-31", "--dry-run").strip() == (
        "would make 2 bills for 2027, ¥11,000.00 in all"
    )
    assert not DuesBill.objects.exists()
    assert not OutgoingMail.objects.exists()


def test_it_makes_the_years_bills_once(members):
    assert "made 2 bills for 2027, ¥11,000.00 in all" in run(
        "--year", "2027", "--due", "2027-03-31"
    )
    assert "made 0 bills for 2027, ¥0.00 in all" in run("--year", "2027", "--due", "2027-03-31")
    assert DuesBill.objects.filter(year=2027).count() == 2
    assert OutgoingMail.objects.filter(template="dues-notice").count() == 2


def test_it_refuses_a_bad_date_and_a_missing_term():
    with pytest.raises(CommandError, match="not a date"):
        run("--year", "2027", "--due", "31/03/2027")
    with pytest.raises(CommandError, match="本届理事会"):
        run("--year", "2027", "--due", "2027-03-31")
