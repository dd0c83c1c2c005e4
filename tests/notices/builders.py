"""Builders for the notices tests: notices of each audience, and a clock that can be moved on."""

from datetime import timedelta

from django.utils import timezone

from notices.models import COUNCIL_ROLES, Audience, Notice


def make_notice(title: str = "关于召开第七届理事会第三次会议的通知", **fields) -> Notice:
    """A published notice (live an hour ago); ``industries`` and ``companies`` as lists."""
    industries = fields.pop("industries", [])
    companies = fields.pop("companies", [])
    fields.setdefault("status", Notice.Status.PUBLISHED)
    fields.setdefault("published_at", timezone.now() - timedelta(hours=1))
    fields.setdefault("body", "<p>请各理事单位准时参会。</p>")
    notice = Notice.objects.create(title=title, **fields)
    notice.industries.set(industries)
    notice.companies.set(companies)
    return notice


def council_notice(*, asks_reply: bool = True, days: int = 14, **fields) -> Notice:
    """To the president, vice-president and council units, with a reply slip by default."""
    fields.setdefault("audience", Audience.ROLES)
    fields.setdefault("roles", list(COUNCIL_ROLES))
    fields.setdefault("document_number", "浙仪协〔2027〕5号")
    if asks_reply:
        fields.setdefault("reply_deadline", timezone.now() + timedelta(days=days))
        fields.setdefault("ask_people", True)
        fields.setdefault("ask_names", True)
    return make_notice(asks_reply=asks_reply, **fields)


class Clock:
    """``timezone.now`` moved on by ``offset``: the services, tasks and models all read it."""

    def __init__(self, monkeypatch):
        self.offset = timedelta()
        real_now = timezone.now
        monkeypatch.setattr(timezone, "now", lambda: real_now() + self.offset)

    def advance(self, **delta) -> None:
        self.offset += timedelta(**delta)
