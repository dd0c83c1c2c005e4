"""The iCalendar file of an event (/events/<id>/calendar.ics) and its writer."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings

from events.calendar import escape_text, fold
from events.models import Event

SHANGHAI = ZoneInfo("Asia/Shanghai")
SITE_URL = "https://www.zjiia.example"


def shanghai(year, month, day, hour=0, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def make_event(**fields) -> Event:
    fields.setdefault("title", "工作联系人交流活动")
    fields.setdefault("starts_at", shanghai(2022, 10, 28, 9))
    fields.setdefault("ends_at", shanghai(2022, 10, 28, 18))
    fields.setdefault("status", Event.Status.PUBLISHED)
    return Event.objects.create(**fields)


def physical_lines(body: bytes) -> list[bytes]:
    """The file's lines as sent: each ends with CRLF, none is longer than 75 octets."""
    assert body.endswith(b"\r\n")
    lines = body[:-2].split(b"\r\n")
    for line in lines:
        assert b"\n" not in line and b"\r" not in line, line
        assert len(line) <= 75, line
        line.decode()  # a fold never splits a UTF-8 sequence
    return lines


def unfold(body: bytes) -> list[str]:
    """Content lines, continuation lines (starting with a space) joined back."""
    lines: list[str] = []
    for line in physical_lines(body):
        text = line.decode()
        if text.startswith(" "):
            lines[-1] += text[1:]
        else:
            lines.append(text)
    return lines


def properties(body: bytes) -> dict[str, str]:
    """``NAME;PARAMS`` → value, for the lines inside the VEVENT."""
    lines = unfold(body)
    start, end = lines.index("BEGIN:VEVENT"), lines.index("END:VEVENT")
    return dict(line.split(":", 1) for line in lines[start + 1 : end])


def unescape(value: str) -> str:
    replacements = {"\\\\": "\\", "\\;": ";", "\\,": ",", "\\n": "\n", "\\N": "\n"}
    return re.sub(r"\\[\\;,nN]", lambda match: replacements[match.group()], value)


@pytest.mark.django_db
@override_settings(SITE_URL=SITE_URL)
def test_it_serves_one_event_as_an_icalendar_file(client):
    event = make_event(
        summary="工作联系人交流、主题工作坊与参观。",
        venue="中控科技体验中心",
        city="杭州",
    )

    response = client.get(f"/events/{event.pk}/calendar.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="event-{event.pk}.ics"'
    lines = unfold(response.content)
    assert lines[:5] == [
        "BEGIN:VCALENDAR",
        lines[1],
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ]
    assert lines[1].startswith("PRODID:-//Xiehui//")
    assert lines[-2:] == ["END:VEVENT", "END:VCALENDAR"]
    assert lines.count("BEGIN:VEVENT") == 1
    fields = properties(response.content)
    assert fields["UID"] == f"event-{event.pk}@www.zjiia.example"
    assert re.fullmatch(r"\d{8}T\d{6}Z", fields["DTSTAMP"])
    stamp = datetime.strptime(fields["DTSTAMP"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert abs(stamp - datetime.now(tz=UTC)) < timedelta(minutes=5)
    assert fields["DTSTART"] == "20221028T010000Z"
    assert fields["DTEND"] == "20221028T100000Z"
    assert fields["SUMMARY"] == "工作联系人交流活动"
    assert unescape(fields["LOCATION"]) == "中控科技体验中心, 杭州"
    event_url = f"{SITE_URL}/events/{event.pk}/"
    assert unescape(fields["DESCRIPTION"]) == f"工作联系人交流、主题工作坊与参观。\n\n{event_url}"
    assert fields["URL"] == event_url
    assert fields["STATUS"] == "CONFIRMED"


@pytest.mark.django_db
@override_settings(SITE_URL=SITE_URL)
def test_it_links_the_english_page_from_the_english_file(client):
    event = make_event()

    fields = properties(client.get(f"/en/events/{event.pk}/calendar.ics").content)

    assert fields["URL"] == f"{SITE_URL}/en/events/{event.pk}/"


@pytest.mark.django_db
def test_it_escapes_text_values(client):
    event = make_event(
        title="会议，研讨; 签到\\n",
        summary="第一行,第二部分\n第二行\\结束",
        venue="A座;3楼",
        city="杭州",
    )

    body = client.get(f"/events/{event.pk}/calendar.ics").content
    fields = properties(body)

    assert fields["SUMMARY"] == "会议，研讨\\; 签到\\\\n"
    assert unescape(fields["SUMMARY"]) == "会议，研讨; 签到\\n"
    assert fields["LOCATION"] == "A座\\;3楼\\, 杭州"
    assert fields["DESCRIPTION"].startswith("第一行\\,第二部分\\n第二行\\\\结束\\n\\n")
    assert unescape(fields["DESCRIPTION"]).startswith("第一行,第二部分\n第二行\\结束\n\n")


@pytest.mark.django_db
def test_it_folds_long_lines_without_breaking_characters(client):
    title = "浙江省仪器仪表行业协会工作联系人交流活动暨主题工作坊" * 4 + " SINCE 1992"
    event = make_event(title=title, summary="“仪”起" * 60)

    body = client.get(f"/events/{event.pk}/calendar.ics").content

    lines = physical_lines(body)  # every physical line ≤ 75 octets and valid UTF-8
    assert any(line.startswith(b" ") for line in lines)
    assert properties(body)["SUMMARY"] == title


@pytest.mark.django_db
def test_it_gives_all_day_events_as_dates(client):
    # Midnight in Shanghai is the previous day in UTC: the dates are the site's.
    event = make_event(
        starts_at=shanghai(2022, 10, 26, 0),
        ends_at=shanghai(2022, 10, 27, 23, 30),
        all_day=True,
    )

    fields = properties(client.get(f"/events/{event.pk}/calendar.ics").content)

    assert fields["DTSTART;VALUE=DATE"] == "20221026"
    assert fields["DTEND;VALUE=DATE"] == "20221028"  # the day after the last day
    assert "DTSTART" not in fields and "DTEND" not in fields


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "original", "expected"),
    [
        (Event.Status.CANCELLED, None, "CANCELLED"),
        (Event.Status.POSTPONED, shanghai(2022, 10, 21, 9), "CONFIRMED"),
        (Event.Status.POSTPONED, None, "TENTATIVE"),
    ],
)
def test_it_states_the_status(client, status, original, expected):
    event = make_event(status=status, original_starts_at=original)

    fields = properties(client.get(f"/events/{event.pk}/calendar.ics").content)

    assert fields["STATUS"] == expected


@pytest.mark.django_db
def test_it_has_no_file_for_a_draft(client):
    event = make_event(status=Event.Status.DRAFT)

    assert client.get(f"/events/{event.pk}/calendar.ics").status_code == 404
    assert client.get("/events/999999/calendar.ics").status_code == 404


def test_it_folds_at_75_octets_between_characters():
    line = "SUMMARY:" + "仪" * 40  # 8 + 120 octets

    physical = fold(line).split("\r\n")

    assert [len(part.encode()) for part in physical] == [74, 55]
    assert physical[1].startswith(" ")
    assert "".join(part.removeprefix(" ") for part in physical) == line
    assert fold("X" * 75) == "X" * 75
    assert fold("X" * 76) == "X" * 75 + "\r\n X"


def test_it_escapes_backslashes_first():
    assert escape_text("a\\,b;c\r\nd\ne") == "a\\\\\\,b\\;c\\nd\\ne"
