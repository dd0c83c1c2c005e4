"""The public events list and event pages (/events/, /events/<id>/)."""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django.utils.html import strip_tags

from bulletin.models import Article, Section
from events.models import AgendaItem, Event, Registration
from events.selectors import RegistrationStatus, events_for_page, registration_state
from members.models import Company
from tests.queries import MAX_QUERIES, count_queries

SHANGHAI = ZoneInfo("Asia/Shanghai")


def shanghai(year, month, day, hour=0, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def make_event(title: str, starts_at: datetime, ends_at: datetime | None = None, **fields):
    fields.setdefault("status", Event.Status.PUBLISHED)
    return Event.objects.create(
        title=title,
        starts_at=starts_at,
        ends_at=ends_at or starts_at + timedelta(hours=3),
        **fields,
    )


def make_company(name: str, **fields) -> Company:
    return Company.objects.create(name=name, **fields)


def register(event: Event, company: Company, status: str, number: int) -> Registration:
    return Registration.objects.create(
        event=event,
        company=company,
        attendee_name=f"参会人{number}",
        attendee_email=f"attendee{number}@example.com",
        status=status,
    )


def html(response) -> str:
    return response.content.decode()


def text(response) -> str:
    """The page's text without tags, runs of white space as one space."""
    return " ".join(strip_tags(html(response)).split())


def positions(text: str, *needles: str) -> list[int]:
    found = [text.find(needle) for needle in needles]
    assert -1 not in found, dict(zip(needles, found, strict=True))
    return found


# ----------------------------------------------------------------------------- the list
@pytest.mark.django_db
def test_it_lists_upcoming_events_soonest_first_then_past_events_latest_first(client):
    now = timezone.now()
    make_event("已结束较早", now - timedelta(days=30))
    make_event("已结束较近", now - timedelta(days=3))
    make_event("下月活动", now + timedelta(days=30))
    make_event("下周活动", now + timedelta(days=7))
    make_event("进行中的活动", now - timedelta(hours=1), now + timedelta(hours=2))

    response = client.get("/events/")

    assert response.status_code == 200
    page = html(response)
    found = positions(
        page,
        'id="events-upcoming"',
        "进行中的活动",
        "下周活动",
        "下月活动",
        'id="events-past"',
        "已结束较近",
        "已结束较早",
    )
    assert found == sorted(found)


@pytest.mark.django_db
def test_it_neither_lists_nor_serves_a_draft(client):
    now = timezone.now()
    draft = make_event("草稿活动", now + timedelta(days=3), status=Event.Status.DRAFT)
    make_event("已发布活动", now + timedelta(days=3))

    assert "草稿活动" not in html(client.get("/events/"))
    assert "草稿活动" not in html(client.get("/en/events/"))
    assert client.get(f"/events/{draft.pk}/").status_code == 404
    assert client.get(f"/en/events/{draft.pk}/").status_code == 404
    assert client.get(f"/events/{draft.pk}/calendar.ics").status_code == 404


@pytest.mark.django_db
def test_it_shows_dates_badges_and_co_organisers_in_the_list(client):
    supcon = make_company("浙江中控技术股份有限公司", short_name="中控技术")
    meiyi = make_company("杭州美仪自动化技术股份有限公司", short_name="美仪")
    conference = make_event(
        "两日年会",
        shanghai(2022, 10, 26, 9),
        shanghai(2022, 10, 27, 18),
        kind=Event.Kind.CONFERENCE,
        all_day=True,
        city="上海",
        venue="国际会议中心",
    )
    conference.co_organisers.add(supcon, meiyi)
    make_event(
        "延期的交流日",
        shanghai(2022, 10, 28, 9),
        shanghai(2022, 10, 28, 18),
        all_day=True,
        status=Event.Status.POSTPONED,
        original_starts_at=shanghai(2022, 10, 21, 9),
        members_only=True,
    )
    make_event("取消的培训", shanghai(2022, 9, 1, 9), status=Event.Status.CANCELLED)

    response = client.get("/events/")
    page, words = html(response), text(response)

    assert "2022年10月26日—27日" in words
    assert "上海 国际会议中心" in page
    assert "中控技术" in page and "美仪" in page
    assert "2022年10月28日" in words and "2022年10月21日" in words
    assert 'class="badge warn"' in page
    assert 'class="badge danger"' in page
    assert "09:00" not in page.split("两日年会")[1].split("</li>")[0]

    english = text(client.get("/en/events/"))
    assert "Oct. 26–27, 2022" in english
    assert "originally Oct. 21, 2022" in english
    assert "Postponed" in english and "Cancelled" in english and "Members only" in english
    assert "Co-organised by" in english
    assert "Upcoming events No events scheduled. Past events" in english


@pytest.mark.django_db
def test_it_shortens_ranges_across_months_and_shows_times_of_timed_events(client):
    make_event("跨月展会", shanghai(2022, 10, 30, 9), shanghai(2022, 11, 2, 17), all_day=True)
    make_event("跨年活动", shanghai(2022, 12, 31, 9), shanghai(2023, 1, 1, 17), all_day=True)
    make_event("半天培训", shanghai(2030, 5, 1, 9), shanghai(2030, 5, 1, 17))

    page = text(client.get("/events/"))

    assert "2022年10月30日—11月2日" in page
    assert "2022年12月31日—2023年1月1日" in page
    assert "2030年5月1日 09:00—17:00" in page
    english = text(client.get("/en/events/"))
    assert "Oct. 30–Nov. 2, 2022" in english
    assert "May 1, 2030, 9 a.m.–5 p.m." in english


@pytest.mark.django_db
def test_it_paginates_twenty_events_a_page(client):
    now = timezone.now()
    for number in range(2):
        make_event(f"将来活动{number:02}", now + timedelta(days=number + 1))
    for number in range(25):
        make_event(f"往期活动{number:02}", now - timedelta(days=number + 1))

    first = client.get("/events/")
    second = client.get("/events/?page=2")

    assert [e.title for e in first.context["page_obj"]] == [
        "将来活动00",
        "将来活动01",
        *(f"往期活动{number:02}" for number in range(18)),
    ]
    assert [e.title for e in second.context["page_obj"]] == [
        f"往期活动{number:02}" for number in range(18, 25)
    ]
    assert 'id="events-upcoming"' not in html(second)
    assert 'href="?page=2"' in html(first)
    assert '<link rel="canonical" href="http://127.0.0.1:8000/events/?page=2">' in html(second)
    assert client.get("/events/?page=999").status_code == 200
    assert client.get("/events/?page=abc").status_code == 200


@pytest.mark.django_db
def test_it_filters_by_kind_and_year(client):
    make_event("2021年培训", shanghai(2021, 3, 1, 9), kind=Event.Kind.TRAINING)
    make_event("2022年培训", shanghai(2022, 3, 1, 9), kind=Event.Kind.TRAINING)
    make_event("2022年会议", shanghai(2022, 4, 1, 9), kind=Event.Kind.CONFERENCE)
    # 1 January in Shanghai, still 2021 in UTC: the year is the site's.
    make_event("元旦活动", shanghai(2022, 1, 1, 1), kind=Event.Kind.OTHER)

    def titles(query: str) -> set[str]:
        return {event.title for event in client.get(f"/events/{query}").context["page_obj"]}

    assert titles("?kind=training") == {"2021年培训", "2022年培训"}
    assert titles("?year=2022") == {"2022年培训", "2022年会议", "元旦活动"}
    assert titles("?kind=training&year=2022") == {"2022年培训"}
    invalid = client.get("/events/?kind=party&year=1900")
    assert invalid.status_code == 200
    assert list(invalid.context["page_obj"]) == []
    assert 'class="field-error"' in html(invalid)


# ---------------------------------------------------------------------------- the event
@pytest.mark.django_db
def test_it_shows_the_demo_liaison_day(client, loaded_demo):
    event = Event.objects.get(kind=Event.Kind.LIAISON_DAY)

    response = client.get(f"/events/{event.pk}/")

    assert response.status_code == 200
    page = html(response)
    assert f"<h1>{event.title}</h1>" in page
    assert "2022年10月21日" in text(response) and "2022年10月28日" in text(response)
    assert 'class="notice warn"' in page
    assert "09:00" not in page  # all day: dates only
    agenda = list(event.agenda_items.order_by("order").values_list("title", flat=True))
    assert len(agenda) == 7
    found = positions(page, *agenda)
    assert found == sorted(found)
    co_organisers = page.split("</dl>")[0]
    assert "中控技术" in co_organisers and "美仪" in co_organisers
    supcon = Company.objects.get(short_name="中控技术")
    assert f'href="/members/{supcon.pk}/"' in co_organisers
    assert f'href="/news/{event.report_id}/"' in page
    # Over: no "add to calendar", the report instead.
    assert "calendar.ics" not in page
    assert "本活动已结束。" in page and "阅读活动报道" in page
    assert '<meta property="og:type" content="website">' in page
    assert f'<meta property="og:title" content="{event.title}">' in page
    assert f'<meta name="description" content="{event.summary[:20]}' in page
    assert f'<link rel="canonical" href="http://127.0.0.1:8000/events/{event.pk}/">' in page


@pytest.mark.django_db
def test_it_shows_the_event_in_english(client, loaded_demo):
    event = Event.objects.get(kind=Event.Kind.LIAISON_DAY)

    response = client.get(f"/en/events/{event.pk}/")
    page = html(response)

    assert '<html lang="en">' in page
    assert "This event was postponed from Oct. 21, 2022 to Oct. 28, 2022." in text(response)
    assert "Agenda" in page and "Speaker" in page and "This event is over." in page
    assert "Read the report" in page
    assert event.title in page  # content stays as entered
    assert "calendar.ics" not in page


@pytest.mark.django_db
def test_an_upcoming_event_offers_the_calendar_file(client):
    event = make_event("年终交流会", timezone.now() + timedelta(days=10))

    page = html(client.get(f"/en/events/{event.pk}/"))

    assert f'href="/en/events/{event.pk}/calendar.ics"' in page
    assert "This event is over." not in page


@pytest.mark.django_db
def test_it_links_only_listed_co_organisers(client):
    listed = make_company("上市展示公司", short_name="展示")
    unlisted = make_company("不公开公司", short_name="不公开", listed=False)
    event = make_event("协办活动", shanghai(2022, 5, 1, 9))
    event.co_organisers.add(listed, unlisted)

    page = html(client.get(f"/events/{event.pk}/"))

    assert f'href="/members/{listed.pk}/"' in page
    assert "不公开" in page
    assert f'href="/members/{unlisted.pk}/"' not in page


@pytest.mark.django_db
def test_it_shows_a_cancelled_event_and_hides_an_unpublished_report(client):
    section = Section.objects.create(name="协会动态", slug="news", order=1)
    draft_report = Article.objects.create(title="未发布的报道", section=section)
    event = make_event(
        "取消的活动",
        timezone.now() + timedelta(days=5),
        status=Event.Status.CANCELLED,
        report=draft_report,
        registration_opens_at=timezone.now() - timedelta(days=1),
    )

    page = html(client.get(f"/en/events/{event.pk}/"))

    assert "This event has been cancelled." in page
    assert "Registration is closed." in page
    assert "未发布的报道" not in page


@pytest.mark.django_db
def test_it_counts_seats_left_from_confirmed_and_attended_registrations(client):
    company = make_company("报名公司")
    event = make_event(
        "有名额的活动",
        timezone.now() + timedelta(days=10),
        capacity=10,
        per_company_limit=3,
        registration_opens_at=timezone.now() - timedelta(days=1),
    )
    statuses = ["confirmed"] * 3 + ["attended", "waitlisted", "waitlisted", "cancelled"]
    for number, status in enumerate(statuses):
        register(event, company, status, number)

    response = client.get(f"/en/events/{event.pk}/")

    assert response.context["registration"].seats_left == 6
    page = html(response)
    assert '<dd class="seats-left">6</dd>' in page
    assert "<dd>10</dd>" in page and "<dd>3</dd>" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("window", "capacity", "taken", "status", "message"),
    [
        ((2, 5), None, 0, RegistrationStatus.NOT_OPEN_YET, "Registration opens on"),
        ((-2, 5), 10, 3, RegistrationStatus.OPEN, "Registration is open until"),
        ((-2, None), None, 0, RegistrationStatus.OPEN, "Registration is open until"),
        ((-5, -1), 10, 3, RegistrationStatus.CLOSED, "Registration is closed."),
        ((-2, 5), 2, 2, RegistrationStatus.FULL, "new registrations join the waitlist"),
        ((None, None), 10, 0, RegistrationStatus.NOT_OFFERED, "no online registration"),
    ],
)
def test_it_shows_the_registration_state(client, window, capacity, taken, status, message):
    now = timezone.now()
    opens, closes = (None if days is None else now + timedelta(days=days) for days in window)
    event = make_event(
        "报名状态",
        now + timedelta(days=10),
        capacity=capacity,
        registration_opens_at=opens,
        registration_closes_at=closes,
    )
    company = make_company("报名公司")
    for number in range(taken):
        register(event, company, "confirmed", number)

    response = client.get(f"/en/events/{event.pk}/")

    assert response.context["registration"].status == status
    assert message in html(response)


@pytest.mark.django_db
def test_it_closes_registration_when_the_event_starts_or_is_over():
    now = timezone.now()
    started = make_event("进行中", now - timedelta(hours=1), now + timedelta(hours=1))
    started.registration_opens_at = now - timedelta(days=5)
    started.save()
    past = make_event(
        "已结束",
        now - timedelta(days=3),
        registration_opens_at=now - timedelta(days=9),
        registration_closes_at=now + timedelta(days=1),  # later than the event: still closed
    )

    for event in (started, past):
        state = registration_state(events_for_page().get(pk=event.pk), now=now)
        assert state.status == RegistrationStatus.CLOSED


@pytest.mark.django_db
def test_it_shows_agenda_times_when_given(client):
    event = make_event("有时间的议程", shanghai(2030, 6, 1, 9), shanghai(2030, 6, 1, 12))
    AgendaItem.objects.create(
        event=event, title="签到", starts_at=time(8, 30), ends_at=time(9, 0), order=1
    )
    AgendaItem.objects.create(event=event, title="主旨演讲", speaker="张三", order=2)

    page = html(client.get(f"/events/{event.pk}/"))

    assert '<th scope="col">' in page
    assert '<time datetime="08:30">08:30</time>–<time datetime="09:00">09:00</time>' in page
    found = positions(page, "签到", "主旨演讲")
    assert found == sorted(found)


# ------------------------------------------------------------------------ query counts
def _add_events(count: int, companies: list[Company], start: int) -> None:
    now = timezone.now()
    for number in range(start, start + count):
        offset = timedelta(days=number + 1)
        event = make_event(
            f"活动{number}",
            now + offset if number % 2 else now - offset,
            members_only=bool(number % 3),
        )
        event.co_organisers.add(*companies)


@pytest.mark.django_db
def test_it_builds_the_events_list_in_a_fixed_number_of_queries(client, private_cache):
    companies = [
        make_company(f"协办公司{number}", short_name=f"协办{number}") for number in range(3)
    ]
    _add_events(3, companies, start=0)
    few = count_queries(client, "/events/")
    _add_events(57, companies, start=3)
    many = count_queries(client, "/events/")
    filtered = count_queries(client, "/events/?kind=other&year=2030&page=2")

    assert few == many, "The events list must not make a query per event."
    assert many <= MAX_QUERIES
    assert filtered <= MAX_QUERIES


def _add_event_rows(event: Event, count: int, start: int) -> None:
    for number in range(start, start + count):
        company = make_company(f"公司{number}", listed=bool(number % 2))
        event.co_organisers.add(company)
        AgendaItem.objects.create(event=event, title=f"议程{number}", order=number)
        register(event, company, "confirmed" if number % 3 else "waitlisted", number)


@pytest.mark.django_db
def test_it_builds_the_event_page_in_a_fixed_number_of_queries(client, private_cache):
    section = Section.objects.create(name="协会动态", slug="news", order=1)
    report = Article.objects.create(
        title="活动报道",
        section=section,
        status=Article.Status.PUBLISHED,
        published_at=timezone.now() - timedelta(days=1),
    )
    event = make_event("大型活动", timezone.now() + timedelta(days=30), capacity=500, report=report)
    _add_event_rows(event, 3, start=0)
    few = count_queries(client, f"/events/{event.pk}/")
    _add_event_rows(event, 57, start=3)
    many = count_queries(client, f"/events/{event.pk}/")

    assert few == many, "The event page must not make a query per agenda item or company."
    assert many <= MAX_QUERIES
    assert "活动报道" in html(client.get(f"/events/{event.pk}/"))


@pytest.mark.django_db
def test_it_serves_the_calendar_file_in_a_fixed_number_of_queries(client, private_cache):
    event = make_event("日历活动", timezone.now() + timedelta(days=3))

    assert count_queries(client, f"/events/{event.pk}/calendar.ics") <= 2


@pytest.mark.django_db
def test_it_describes_the_event_from_its_text_when_it_has_no_summary(client):
    event = make_event(
        "无摘要的活动",
        shanghai(2030, 6, 1, 9),
        description="<p>交流&amp;研讨，" + "内容" * 100 + "</p>",
    )

    page = html(client.get(f"/events/{event.pk}/"))

    description = re.search(r'<meta name="description" content="([^"]*)">', page).group(1)
    assert description.startswith("交流&amp;研讨，内容")
    assert len(description) < 160
    assert f'<meta property="og:description" content="{description}">' in page
    assert "<p>交流&amp;研讨，" in page  # the sanitised body itself
