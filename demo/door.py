"""The demo's upcoming events, dated from the day the demo is loaded, with registrations.

The bulletin's events are all past. These are the kind the secretariat runs,
each marked as demo content in its summary, published, members only:

- the event at the door (``TITLE``), about ten days ahead: full (12 seats),
  with twelve confirmed registrations of people of the demo's member
  companies, two on the waitlist and one cancelled, nobody checked in yet:
  the check-in page (/events/<id>/check-in/), the tickets on
  /account/registrations/ (the demo contact's company registered three of
  them), the sign-in sheet and the name badges can be tried at once;
- a salon three weeks ahead with most of its seats free, to register for;
- a seminar a month ahead with two seats left, to fill and then join the
  waitlist.

An event is found by its title and its registrations by their mobile
numbers; an existing one is left as it is (a check-in or a registration made
while trying the demo stays), so loading the demo again changes nothing. An
event of an earlier load that is over by now is dated ahead again.
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


SALON_TITLE = "智能传感器与工业物联网技术沙龙"
SEMINAR_TITLE = "计量器具新标准宣贯会"

# People of the salon and the seminar (the door's are above): name, company, title.
STAFF = (
    ("沈立新", "中控技术", "产品经理"),
    ("潘晓燕", "聚光科技", "研发工程师"),
    ("蒋文博", "金卡智能", "技术总监"),
    ("韩梅", "炬华科技", "质量主管"),
    ("杨帆", "宁水集团", "计量工程师"),
    ("曹颖", "和利时", "售前工程师"),
    ("许国栋", "西力智能", "生产经理"),
    ("邓洁", "苍南仪表", "技术员"),
    ("冯子健", "美仪自动化", "工艺工程师"),
    ("彭丽", "舜宇集团", "标准化专员"),
    ("曾海涛", "永新光学", "质检主管"),
    ("吕佳", "绿洁科技", "研发工程师"),
    ("苏明", "正泰中自", "项目经理"),
    ("卢静", "中控技术", "测试工程师"),
    ("丁志远", "聚光科技", "计量主管"),
    ("魏红", "金卡智能", "质量工程师"),
    ("薛涛", "炬华科技", "检定员"),
    ("叶青", "宁水集团", "技术员"),
)


@dataclass(frozen=True)
class Upcoming:
    title: str
    kind: str
    days_ahead: int
    starts: time
    ends: time
    capacity: int
    venue: str
    summary: str
    people: tuple[Person, ...]
    agenda: tuple = ()
    per_company_limit: int | None = 5


def _people(rows, prefix: str) -> tuple[Person, ...]:
    return tuple(
        Person(name, company, title, f"{prefix}{n:03d}")
        for n, (name, company, title) in enumerate(rows, start=1)
    )


DEMO_NOTE = "（演示活动：{}）"
UPCOMING = (
    Upcoming(
        TITLE,
        Event.Kind.MEETING,
        DAYS_AHEAD,
        time(9, 0),
        time(12, 0),
        CAPACITY,
        "中控科技体验中心",
        "回顾一年来协会与会员单位的联络工作，交流经验，听取对明年工作的意见建议。"
        + DEMO_NOTE.format("可在后台签到页试用扫码签到、打印签到表和胸牌。"),
        PEOPLE,
        AGENDA,
    ),
    Upcoming(
        SALON_TITLE,
        Event.Kind.FORUM,
        21,
        time(14, 0),
        time(17, 0),
        60,
        "杭州市滨江区智慧e谷",
        "邀请会员单位技术骨干交流智能传感器、工业物联网的最新进展与应用案例。"
        + DEMO_NOTE.format("名额充足，可试用报名与挑选同事。"),
        _people(STAFF[:6], "13900571"),
        (
            (time(14, 0), time(14, 40), "智能传感器技术发展趋势", "中控技术"),
            (time(14, 40), time(15, 20), "工业物联网在计量仪表中的应用", "金卡智能"),
            (time(15, 30), time(17, 0), "自由交流", ""),
        ),
    ),
    Upcoming(
        SEMINAR_TITLE,
        Event.Kind.TRAINING,
        30,
        time(9, 0),
        time(16, 30),
        20,
        "浙江省计量科学研究院报告厅",
        "解读新发布的计量器具国家标准与检定规程，答疑交流。"
        + DEMO_NOTE.format("仅剩两个名额，可试用报满后进入候补名单。"),
        _people(STAFF, "13900572"),
        per_company_limit=3,
    ),
)


def door_event_load(companies: dict[str, Company], contact: Contact | None, summary) -> Event:
    """The upcoming events with their registrations; ``contact`` (the demo contact)
    registered those of its own company. Returns the event at the door."""
    tally = summary.tally("door")
    now = timezone.now()
    events = [_upcoming_load(spec, companies, contact, tally, now) for spec in UPCOMING]
    return events[0]


def _upcoming_load(spec: Upcoming, companies, contact, tally, now: datetime) -> Event:
    event = Event.objects.filter(title=spec.title, kind=spec.kind).first()
    if event is None:
        event = Event.objects.create(title=spec.title, **_event_values(spec, now))
        tally.created += 1
    elif event.ends_at < now:
        for key, value in _event_values(spec, now).items():
            setattr(event, key, value)
        event.save()
        tally.updated += 1
    else:
        tally.unchanged += 1
    for order, (starts_at, ends_at, title, host) in enumerate(spec.agenda, start=1):
        _, created = AgendaItem.objects.get_or_create(
            event=event,
            order=order,
            defaults={"starts_at": starts_at, "ends_at": ends_at, "title": title, "host": host},
        )
        tally.created += created
        tally.unchanged += not created
    for number, person in enumerate(spec.people):
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


def _event_values(spec: Upcoming, now: datetime) -> dict:
    day = timezone.localtime(now, SHANGHAI).date() + timedelta(days=spec.days_ahead)
    starts_at = datetime.combine(day, spec.starts, tzinfo=SHANGHAI)
    return {
        "kind": spec.kind,
        "status": Event.Status.PUBLISHED,
        "summary": spec.summary,
        "starts_at": starts_at,
        "ends_at": datetime.combine(day, spec.ends, tzinfo=SHANGHAI),
        "all_day": False,
        "venue": spec.venue,
        "city": "杭州",
        "organiser": "浙江省仪器仪表行业协会",
        "capacity": spec.capacity,
        "per_company_limit": spec.per_company_limit,
        "registration_opens_at": starts_at - timedelta(days=20 + spec.days_ahead),
        "registration_closes_at": starts_at - timedelta(days=1),
        "members_only": True,
    }
