"""Builders for the digest tests: sections, subscribers, and content dated inside a window."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from awards.models import Award, Honour
from bulletin.models import Article, Section
from digests.models import Frequency, Subscriber
from digests.selectors import run_cutoff
from events.models import Event
from members.models import Company


def today():
    return timezone.localdate(timezone=timezone.get_default_timezone())


def add_subscribers(
    count: int, *, last_digest_at, start: int = 0, sections=(), frequency=Frequency.WEEKLY
):
    """``count`` active subscribers sub<n>@example.com, last digest at ``last_digest_at``."""
    subscribers = Subscriber.objects.bulk_create(
        Subscriber(
            email=f"sub{n}@example.com",
            status=Subscriber.Status.ACTIVE,
            frequency=frequency,
            confirmed_at=last_digest_at,
            last_digest_at=last_digest_at,
        )
        for n in range(start, start + count)
    )
    if sections:
        through = Subscriber.sections.through
        through.objects.bulk_create(
            through(subscriber_id=subscriber.pk, section_id=section.pk)
            for subscriber in subscribers
            for section in sections
        )
    return subscribers


def add_article(section, published_at, title=None) -> Article:
    return Article.objects.create(
        title=title or f"{section.name}：{published_at:%m月%d日%H时}的新闻",
        section=section,
        summary="仪器仪表行业的新消息。",
        status=Article.Status.PUBLISHED,
        published_at=published_at,
    )


def add_honour(company, award, created_at, year=2026) -> Honour:
    honour = Honour.objects.create(award=award, year=year, company=company, verified=True)
    Honour.objects.filter(pk=honour.pk).update(created_at=created_at)
    honour.refresh_from_db()
    return honour


def add_event(title, starts_at, *, updated_at=None, status=Event.Status.PUBLISHED) -> Event:
    event = Event.objects.create(
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=3),
        status=status,
        city="杭州",
        venue="中控科技体验中心",
    )
    if updated_at is not None:
        Event.objects.filter(pk=event.pk).update(updated_at=updated_at, created_at=updated_at)
        event.refresh_from_db()
    return event


@pytest.fixture
def world(db):
    """Two sections, a listed company, an award; the window of today's weekly run."""
    end = run_cutoff(today())
    start = end - timedelta(days=7)
    news = Section.objects.create(
        name="协会动态", english_name="Association news", slug="association-news", order=1
    )
    achievements = Section.objects.create(name="会员成果", slug="member-achievements", order=2)
    company = Company.objects.create(
        name="浙江中控技术股份有限公司", short_name="中控技术", credit_code="91330100799655058B"
    )
    award = Award.objects.create(
        name="浙江省专精特新中小企业",
        issuer="浙江省经济和信息化厅",
        level=Award.Level.PROVINCIAL,
        kind=Award.Kind.ENTERPRISE,
    )
    return SimpleNamespace(
        start=start,
        end=end,
        news=news,
        achievements=achievements,
        company=company,
        award=award,
        today=today(),
    )
