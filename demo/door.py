"""The demo's event at the door: an upcoming meeting with its registrations, to check in.

The bulletin's events are all past. This one is the kind the secretariat
runs, marked as demo content: published, about ten days after the demo is
first loaded, full (12 seats), with twelve confirmed registrations of people
of the demo's member companies, two on the waitlist and one cancelled,
nobody checked in yet: the check-in page (/events/<id>/check-in/), the
tickets on /account/registrations/ (the demo contact's company registered
three of them), the sign-in sheet and the name badges can be tried at once.

The event is found by its title and the registrations by their mobile
numbers; an existing one is left as it is (a check-in made while trying the
demo stays), so loading the demo again changes nothing. An event of an
earlier load that is over by now is moved to ten days ahead again.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from events.models import AgendaItem, Event, Registration
from members.models import Company, Contact

SHANGHAI = ZoneInfo("Asia/Shanghai")
TITLE = "会员单位工作联系人年终交流会"
DAYS_AHEAD = 10
CAPACITY = 12


@dataclass(frozen=True)
class Person:
    name: str
    company: str  # a facts.COMPANIES key (short name)
    title: str
    mobile: str
    status: str = Registration.Status.CONFIRMED


CONFIRMED = Registration.Status.CONFIRMED
WAITLISTED = Registration.Status.WAITLISTED
CANCELLED = Registration.Status.CANCELLED

# In the order they registered: the first twelve took the seats.
PEOPLE = (
    Person("陈晓东", "中控技术", "市场部经理", "13800571001"),
    Person("刘佳怡", "中控技术", "品牌专员", "13800571002"),
    Person("王志强", "宁水集团", "总经理助理", "13800574003"),
    Person("周敏", "聚光科技", "行政主管", "13800571004"),
    Person("吴俊杰", "和利时", "销售总监", "13800571005"),
    Person("郑丽华", "金卡智能", "办公室主任", "13800571006"),
    Person("孙浩然", "炬华科技", "研发工程师", "13800571007"),
    Person("朱婷", "美仪自动化", "工作联系人", "13800571008"),
    Person("何建平", "西力智能", "副总经理", "13800571009"),
    Person("林雪", "舜宇集团", "公共事务经理", "13800574010"),
    Person("黄伟明", "永新光学", "技术主管", "13800574011"),
    Person("徐静", "苍南仪表", "综合办主任", "13800577012"),
    Person("马骏", "中控技术", "解决方案工程师", "13800571013", WAITLISTED),
    Person("赵欣然", "绿洁科技", "市场专员", "13800571014", WAITLISTED),
    Person("钱宇航", "正泰中自", "项目经理", "13800571015", CANCELLED),
)

AGENDA = (
    (time(8, 30), time(9, 0), "签到", ""),
    (time(9, 0), time(9, 20), "开幕致辞", "协会秘书处"),
    (time(9, 20), time(11, 30), "年度工作交流与经验分享", "各会员单位工作联系人"),
    (time(11, 30), time(12, 0), "明年工作计划征求意见", "协会秘书处"),
)


def door_event_load(companies: dict[str, Company], contact: Contact | None, summary) -> Event:
    """The upcoming event with its registrations; ``contact`` (the demo contact) registered
    those of its own company."""
    tally = summary.tally("door")
    now = timezone.now()
    event = Event.objects.filter(title=TITLE, kind=Event.Kind.MEETING).first()
    if event is None:
        event = Event.objects.create(title=TITLE, **_event_values(now))
        tally.created += 1
    elif event.ends_at < now:
        for key, value in _event_values(now).items():
            setattr(event, key, value)
        event.save()
        tally.updated += 1
    else:
        tally.unchanged += 1
    for order, (starts_at, ends_at, title, host) in enumerate(AGENDA, start=1):
        _, created = AgendaItem.objects.get_or_create(
            event=event,
            order=order,
            defaults={"starts_at": starts_at, "ends_at": ends_at, "title": title, "host": host},
        )
        tally.created += created
        tally.unchanged += not created
    for number, person in enumerate(PEOPLE):
        if Registration.objects.filter(event=event, attendee_phone=person.mobile).exists():
            tally.unchanged += 1
            continue
        company = companies[person.company]
        Registration.objects.create(
            event=event,
            company=company,
            registered_by=contact if contact and contact.company_id == company.pk else None,
            attendee_name=person.name,
            attendee_title=person.title,
            attendee_phone=person.mobile,
            status=person.status,
            # Registered over the past days, in this order (the waitlist's order).
            created_at=now - timedelta(days=3, hours=-number),
        )
        tally.created += 1
    return event


def _event_values(now: datetime) -> dict:
    day = timezone.localtime(now, SHANGHAI).date() + timedelta(days=DAYS_AHEAD)
    starts_at = datetime.combine(day, time(9, 0), tzinfo=SHANGHAI)
    return {
        "kind": Event.Kind.MEETING,
        "status": Event.Status.PUBLISHED,
        "summary": (
            "回顾一年来协会与会员单位的联络工作，交流经验，听取对明年工作的意见建议。"
            "（演示活动：可在后台签到页试用扫码签到、打印签到表和胸牌。）"
        ),
        "starts_at": starts_at,
        "ends_at": datetime.combine(day, time(12, 0), tzinfo=SHANGHAI),
        "all_day": False,
        "venue": "中控科技体验中心",
        "city": "杭州",
        "organiser": "浙江省仪器仪表行业协会",
        "capacity": CAPACITY,
        "per_company_limit": 5,
        "registration_opens_at": starts_at - timedelta(days=20),
        "registration_closes_at": starts_at - timedelta(days=1),
        "members_only": True,
    }
