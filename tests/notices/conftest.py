"""A small association for the notices tests: two terms, member companies of three cities and
two industries, their contacts, and an event some of them registered for."""

from datetime import date
from types import SimpleNamespace

import pytest

from accounts.models import User
from events.models import Registration
from members.models import City, Company, CouncilSeat, IndustrySegment, SeatRole, Term
from tests.accounts.builders import make_company, make_contact, make_term, open_event
from tests.notices.builders import Clock


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def _company(name, *, seed, role, city=City.HANGZHOU, industry=None, old_role=None, **fields):
    company = make_company(name, seed=seed, city=city, industry=industry, **fields)
    if role is not None:
        CouncilSeat.objects.create(term=make_term(), company=company, role=role)
    if old_role is not None:
        old = Term.objects.get_or_create(
            ordinal=6,
            defaults={
                "name": "第六届理事会",
                "starts_on": date(2016, 6, 1),
                "ends_on": date(2021, 5, 31),
            },
        )[0]
        CouncilSeat.objects.create(term=old, company=company, role=old_role)
    return company


@pytest.fixture
def association(db):
    """Companies by seat in the current (7th) term, with the 6th term's seats where they differ.

    ``readers`` are the contacts who can sign in (active users of active companies).
    """
    automation = IndustrySegment.objects.create(name="工业自动化仪表", order=1)
    flow = IndustrySegment.objects.create(name="流量与计量仪表", order=2)
    president = _company(
        "浙江中控技术股份有限公司", seed=1, role=SeatRole.PRESIDENT, industry=automation
    )
    vice = _company(
        "宁波水表（集团）股份有限公司",
        seed=2,
        role=SeatRole.VICE_PRESIDENT,
        city=City.NINGBO,
        industry=flow,
        old_role=SeatRole.COUNCIL,
    )
    council = _company(
        "杭州炬华科技股份有限公司",
        seed=3,
        role=SeatRole.COUNCIL,
        industry=flow,
        old_role=SeatRole.MEMBER,
    )
    # A council unit of the 6th term only: a member unit now.
    former = _company(
        "杭州西力智能科技股份有限公司",
        seed=4,
        role=SeatRole.MEMBER,
        industry=automation,
        old_role=SeatRole.COUNCIL,
    )
    member = _company(
        "宁波永新光学股份有限公司", seed=5, role=SeatRole.MEMBER, city=City.NINGBO, industry=flow
    )
    supervisor = _company(
        "温州苍南仪表集团股份有限公司",
        seed=6,
        role=SeatRole.SUPERVISOR,
        city=City.WENZHOU,
        industry=flow,
    )
    # No seat in the current term (it was a council unit of the 6th).
    unseated = _company(
        "杭州美仪自动化技术股份有限公司",
        seed=7,
        role=None,
        industry=automation,
        old_role=SeatRole.COUNCIL,
    )
    suspended = _company(
        "浙江停会仪表有限公司",
        seed=8,
        role=SeatRole.COUNCIL,
        industry=flow,
        status=Company.Status.SUSPENDED,
    )

    contacts = SimpleNamespace(
        president=make_contact(president, "jin@supcon.example.com", name="金工", primary=True),
        president_2=make_contact(president, "li@supcon.example.com", name="李工"),
        vice=make_contact(vice, "wang@ningshui.example.com", name="王工", primary=True),
        council=make_contact(council, "ding@juhua.example.com", name="丁工", primary=True),
        former=make_contact(former, "zhou@xili.example.com", name="周工", primary=True),
        member=make_contact(member, "mao@yxopt.example.com", name="毛工", primary=True),
        supervisor=make_contact(supervisor, "chen@cangnan.example.com", name="陈工", primary=True),
        unseated=make_contact(unseated, "chu@supmea.example.com", name="褚工", primary=True),
        suspended=make_contact(suspended, "zhao@tinghui.example.com", name="赵工", primary=True),
        # Left the company: the account is switched off.
        gone=make_contact(council, "qian@juhua.example.com", name="钱工"),
    )
    User.objects.filter(pk=contacts.gone.user_id).update(is_active=False)
    contacts.gone.user.refresh_from_db()

    event = open_event(title="2027年度仪器仪表行业新技术培训班")
    # The president unit's contact registered a colleague who has no account; the member
    # unit's contact was registered by the secretariat (no registrant, the address typed
    # in capitals); the former council unit's contact cancelled.
    Registration.objects.create(
        event=event,
        company=president,
        registered_by=contacts.president,
        attendee_name="吴工",
        attendee_email="wu@supcon.example.com",
    )
    Registration.objects.create(
        event=event,
        company=member,
        registered_by=None,
        attendee_name="毛工",
        attendee_email="Mao@YXOPT.example.com",
    )
    Registration.objects.create(
        event=event,
        company=former,
        registered_by=contacts.former,
        attendee_name="周工",
        attendee_email="zhou@xili.example.com",
        status=Registration.Status.CANCELLED,
    )

    everyone = list(vars(contacts).values())
    readers = [
        c for c in everyone if c.user.is_active and c.company.status == Company.Status.ACTIVE
    ]
    return SimpleNamespace(
        automation=automation,
        flow=flow,
        president=president,
        vice=vice,
        council=council,
        former=former,
        member=member,
        supervisor=supervisor,
        unseated=unseated,
        suspended=suspended,
        contacts=contacts,
        everyone=everyone,
        readers=readers,
        event=event,
    )
