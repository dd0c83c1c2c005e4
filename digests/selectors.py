"""What a digest shows: reads for a whole batch of subscribers at once.

A batch of digests costs a fixed number of queries, whatever its size: one
for the articles of all the batch's windows, one for the honours, one for the
upcoming events; each subscriber's share is then picked out in Python.
"""

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation

from awards.models import Honour
from bulletin.models import Article, Section
from events.models import Event
from outbox.batches import mailings_to_resume

from .models import DigestRun, Frequency, Subscriber

# More than this many articles of a section link to the section's list instead.
ARTICLES_PER_SECTION = 10
HONOURS_PER_DIGEST = 20


def run_cutoff(scheduled_for: date) -> datetime:
    """The end of a run's windows: midnight at the start of its day, in the portal's zone.

    A Monday's weekly digest thus covers Monday to Sunday of the week before,
    however late on Monday it is sent, and a run created twice has one cutoff.
    """
    return datetime.combine(scheduled_for, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def period_before(moment: datetime, frequency: str) -> datetime:
    """One period (a week, a month) before ``moment``: a first digest's window."""
    if frequency == Frequency.MONTHLY:
        year, month = (moment.year, moment.month - 1) if moment.month > 1 else (moment.year - 1, 12)
        day = min(moment.day, calendar.monthrange(year, month)[1])
        return moment.replace(year=year, month=month, day=day)
    return moment - timedelta(days=7)


def window_start_for(*, last_digest_at: datetime | None, frequency: str, end: datetime):
    """Where a digest ending at ``end`` starts: the last digest, at most two months back.

    A subscriber who never had a digest gets one period; one who comes back
    after a long pause (reactivated, bounced) does not get a year of news.
    """
    earliest = end - timedelta(days=settings.DIGEST_MAX_WINDOW_DAYS)
    start = last_digest_at or period_before(end, frequency)
    return max(start, earliest)


@dataclass(frozen=True)
class DigestRequest:
    """One digest to build: whose, which kind, and the window it covers."""

    subscriber: Subscriber
    frequency: str
    window_start: datetime
    window_end: datetime


@dataclass
class SectionArticles:
    section: Section
    articles: list[Article]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.articles)


@dataclass(frozen=True)
class UpcomingEvent:
    event: Event
    is_new: bool  # announced or changed within the digest's window


@dataclass
class DigestContent:
    request: DigestRequest
    sections: list[SectionArticles] = field(default_factory=list)
    events: list[UpcomingEvent] = field(default_factory=list)
    honours: list[Honour] = field(default_factory=list)
    honours_total: int = 0

    @property
    def subscriber(self) -> Subscriber:
        return self.request.subscriber

    @property
    def new_events(self) -> list[UpcomingEvent]:
        return [upcoming for upcoming in self.events if upcoming.is_new]

    @property
    def is_empty(self) -> bool:
        """Nothing new: no article in the chosen sections, no honour, no new or changed event.

        Upcoming events that were already announced do not make a digest on their own.
        """
        return not self.sections and not self.honours and not self.new_events


def absolute_url(url_name: str, *args) -> str:
    """The portal's address of a page, in Chinese (the digest's language)."""
    with translation.override(settings.LANGUAGE_CODE):
        return settings.SITE_URL + reverse(url_name, args=args)


def digest_contents(*, requests: list[DigestRequest]) -> list[DigestContent]:
    """The content of each requested digest, in order, in three queries for them all.

    The requests' subscribers must come with their sections prefetched.
    """
    if not requests:
        return []
    start = min(request.window_start for request in requests)
    end = max(request.window_end for request in requests)
    earliest_end = min(request.window_end for request in requests)

    # What a digest shows of each row, nothing more (an article's body and search words
    # are most of its size).
    articles = list(
        Article.objects.published()
        .filter(published_at__gte=start, published_at__lt=end)
        .select_related("section")
        .only(
            "id",
            "title",
            "summary",
            "published_at",
            "section__name",
            "section__english_name",
            "section__slug",
            "section__order",
        )
        .order_by("section__order", "section_id", "-published_at", "-id")
    )
    for article in articles:
        article.absolute_url = absolute_url("bulletin:article_detail", article.pk)

    honours = list(
        Honour.objects.public()
        .filter(created_at__gte=start, created_at__lt=end)
        .select_related("award", "company")
        .only(
            "year",
            "grade",
            "project",
            "created_at",
            "source_article_id",
            "award__name",
            "company__name",
            "company__short_name",
        )
        .order_by("-created_at", "-id")
    )
    honour_list_url = absolute_url("awards:honour_list")
    for honour in honours:
        honour.absolute_url = (
            absolute_url("bulletin:article_detail", honour.source_article_id)
            if honour.source_article_id
            else honour_list_url
        )

    events = list(
        Event.objects.visible()
        .exclude(status=Event.Status.CANCELLED)
        .filter(
            ends_at__gte=earliest_end,
            starts_at__lt=end + timedelta(days=settings.DIGEST_EVENTS_DAYS),
        )
        .order_by("starts_at", "id")
        .defer("description")
    )
    for event in events:
        event.absolute_url = absolute_url("events:event_detail", event.pk)

    return [_content_for(request, articles, honours, events) for request in requests]


def _content_for(request: DigestRequest, articles, honours, events) -> DigestContent:
    start, end = request.window_start, request.window_end
    chosen = {section.pk for section in request.subscriber.sections.all()}
    content = DigestContent(request=request)

    by_section: dict[int, SectionArticles] = {}
    for article in articles:
        if not start <= article.published_at < end:
            continue
        if chosen and article.section_id not in chosen:
            continue
        group = by_section.get(article.section_id)
        if group is None:
            group = by_section[article.section_id] = SectionArticles(article.section, [], 0)
            content.sections.append(group)
        group.total += 1
        if len(group.articles) < ARTICLES_PER_SECTION:
            group.articles.append(article)

    in_window = [honour for honour in honours if start <= honour.created_at < end]
    content.honours = in_window[:HONOURS_PER_DIGEST]
    content.honours_total = len(in_window)

    horizon = end + timedelta(days=settings.DIGEST_EVENTS_DAYS)
    for event in events:
        if event.ends_at >= end and event.starts_at < horizon:
            content.events.append(UpcomingEvent(event, start <= event.updated_at < end))
    return content


def subscribers_with_sections(ids) -> list[Subscriber]:
    return list(Subscriber.objects.filter(pk__in=ids).prefetch_related("sections"))


def digest_preview_request(*, subscriber: Subscriber, now: datetime | None = None) -> DigestRequest:
    """The digest ``subscriber`` would get if one were sent now (for the admin's preview)."""
    end = now or timezone.now()
    frequency = subscriber.frequency if subscriber.frequency != Frequency.OFF else "weekly"
    start = window_start_for(last_digest_at=subscriber.last_digest_at, frequency=frequency, end=end)
    return DigestRequest(subscriber, frequency, min(start, end), end)


def digest_dry_run(*, frequency: str, scheduled_for: date, batch_size: int) -> tuple[int, int]:
    """How many deliveries a run would create, and how many of them have something new.

    Reads only; builds the contents batch by batch with the same fixed queries as sending.
    """
    end = run_cutoff(scheduled_for)
    existing = DigestRun.objects.filter(frequency=frequency, scheduled_for=scheduled_for).first()
    due = Subscriber.objects.receiving(frequency).filter(
        Q(last_digest_at__isnull=True) | Q(last_digest_at__lt=end)
    )
    if existing is not None:
        due = due.exclude(deliveries__run=existing)
    ids = list(due.order_by("pk").values_list("pk", flat=True))
    with_news = 0
    for offset in range(0, len(ids), batch_size):
        subscribers = subscribers_with_sections(ids[offset : offset + batch_size])
        requests = [
            DigestRequest(
                subscriber,
                frequency,
                window_start_for(
                    last_digest_at=subscriber.last_digest_at, frequency=frequency, end=end
                ),
                end,
            )
            for subscriber in subscribers
        ]
        with_news += sum(not content.is_empty for content in digest_contents(requests=requests))
    return len(ids), with_news


def digest_runs_to_resume() -> list[int]:
    """Unfinished runs with rows waiting: queued, or claimed by a sender presumed dead."""
    return mailings_to_resume(DigestRun.objects.filter(finished_at__isnull=True), "deliveries")
