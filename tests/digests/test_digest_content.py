"""What a digest contains and when one is sent (in-memory mail backend)."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from digests import messages, services
from digests.models import DigestDelivery, DigestRun, Frequency, Subscriber
from events.models import Event
from tests.digests.conftest import add_article, add_event, add_honour, add_subscribers


def send_today(world, frequency=Frequency.WEEKLY):
    run = services.digest_run_create(frequency=frequency, scheduled_for=world.today)
    counts = services.digest_run_send(run_id=run.pk)
    return run, counts


def html_of(message) -> str:
    return next(content for content, mimetype in message.alternatives if mimetype == "text/html")


def test_it_sends_the_articles_of_the_chosen_sections_only(world):
    add_article(world.news, world.start + timedelta(days=1), title="协会召开七届三次理事会")
    add_article(world.achievements, world.start + timedelta(days=2), title="中控技术新品发布")
    (chooser,) = add_subscribers(1, last_digest_at=world.start, sections=[world.achievements])
    (everything,) = add_subscribers(1, last_digest_at=world.start, start=1)

    send_today(world)

    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {chooser.email, everything.email}
    chosen = by_recipient[chooser.email]
    assert "中控技术新品发布" in chosen.body
    assert "协会召开七届三次理事会" not in chosen.body
    assert "协会召开七届三次理事会" not in html_of(chosen)
    # No sections chosen means every section.
    assert "协会召开七届三次理事会" in by_recipient[everything.email].body
    assert "中控技术新品发布" in by_recipient[everything.email].body


def test_it_covers_what_was_published_since_the_previous_digest(world):
    add_article(world.news, world.start - timedelta(minutes=1), title="上一期已发送的新闻")
    add_article(world.news, world.start + timedelta(minutes=1), title="本期的新闻")
    add_article(world.news, world.end + timedelta(minutes=1), title="下一期的新闻")
    (subscriber,) = add_subscribers(1, last_digest_at=world.start)

    run, counts = send_today(world)

    assert (counts.sent, counts.skipped, counts.failed) == (1, 0, 0)
    body = mail.outbox[0].body
    assert "本期的新闻" in body
    assert "上一期已发送的新闻" not in body
    assert "下一期的新闻" not in body
    subscriber.refresh_from_db()
    assert subscriber.last_digest_at == world.end
    delivery = DigestDelivery.objects.get()
    assert (delivery.window_start, delivery.window_end) == (world.start, world.end)
    assert delivery.status == DigestDelivery.Status.SENT
    run.refresh_from_db()
    assert run.finished_at is not None


def test_it_sends_nothing_when_nothing_is_new(world):
    add_article(world.news, world.start - timedelta(days=1), title="旧闻")
    # An event announced before the window does not make a digest on its own.
    add_event(
        "已公布的交流活动", world.end + timedelta(days=3), updated_at=world.start - timedelta(1)
    )
    (subscriber,) = add_subscribers(1, last_digest_at=world.start)

    run, counts = send_today(world)

    assert mail.outbox == []
    assert (counts.sent, counts.skipped) == (0, 1)
    assert DigestDelivery.objects.get().status == DigestDelivery.Status.SKIPPED
    subscriber.refresh_from_db()
    assert subscriber.last_digest_at == world.end  # the next window starts here


def test_it_has_a_text_and_an_html_part_and_one_click_unsubscribe_headers(world, settings):
    settings.SITE_URL = "https://www.zjyb.example"
    article = add_article(world.news, world.start + timedelta(days=1), title="协会动态<新闻>")
    (subscriber,) = add_subscribers(1, last_digest_at=world.start)

    send_today(world)

    (message,) = mail.outbox
    assert message.to == [subscriber.email]
    assert message.body.strip()
    html = html_of(message)
    assert html.startswith("<!doctype html>")
    assert f"https://www.zjyb.example/news/{article.pk}/" in message.body
    assert f'href="https://www.zjyb.example/news/{article.pk}/"' in html
    assert "协会动态&lt;新闻&gt;" in html  # escaped in HTML, plain in text
    assert "协会动态<新闻>" in message.body
    assert "<link" not in html and "<style" not in html  # inline styles only
    assert all(src.startswith("https://") for src in re.findall(r'src="([^"]+)"', html))
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert re.fullmatch(r"<https://www\.zjyb\.example/unsubscribe/[^/>]+/>", unsubscribe)
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe[1:-1] in message.body and unsubscribe[1:-1] in html
    web_view = re.search(r"https://www\.zjyb\.example/digest/[^/\s]+/", message.body).group(0)
    assert web_view in html
    parsed = message.message()
    assert parsed["List-Unsubscribe"] == unsubscribe
    assert parsed.get_content_type() == "multipart/alternative"


def test_it_has_a_chinese_subject_with_the_date_range(world):
    add_article(world.news, world.start + timedelta(days=1))
    add_subscribers(1, last_digest_at=world.start)
    add_subscribers(1, last_digest_at=world.start, start=1, frequency=Frequency.MONTHLY)

    send_today(world)
    send_today(world, Frequency.MONTHLY)

    first, last = world.start, world.end - timedelta(days=1)
    weekly, monthly = (message.subject for message in mail.outbox)
    dates = f"{first.month}月{first.day}日—{last.month}月{last.day}日"
    if first.year != last.year:
        dates = f"{first.year}年{dates.replace('—', f'—{last.year}年')}"
    assert weekly == f"【浙江省仪器仪表行业协会】会员动态周报（{dates}）"
    assert monthly == f"【浙江省仪器仪表行业协会】会员动态月报（{dates}）"


def test_it_lists_upcoming_events_and_new_honours(world):
    add_honour(world.company, world.award, world.start + timedelta(days=1))
    old = add_honour(world.company, world.award, world.start - timedelta(days=1), year=2020)
    new_event = add_event(
        "2026年仪器仪表产业发展论坛",
        world.end + timedelta(days=5),
        updated_at=world.start + timedelta(days=2),
    )
    postponed = add_event(
        "工作联系人交流活动", world.end + timedelta(days=10), updated_at=world.start - timedelta(1)
    )
    Event.objects.filter(pk=postponed.pk).update(status=Event.Status.POSTPONED)
    add_event("取消的活动", world.end + timedelta(days=6), status=Event.Status.CANCELLED)
    add_event("草稿活动", world.end + timedelta(days=6), status=Event.Status.DRAFT)
    add_event("两个月后的活动", world.end + timedelta(days=60))
    add_subscribers(1, last_digest_at=world.start)

    send_today(world)

    (message,) = mail.outbox
    body = message.body
    assert "中控技术：2026年浙江省专精特新中小企业" in body
    assert f"{old.year}年" not in body
    assert "2026年仪器仪表产业发展论坛（新）" in body
    assert f"/events/{new_event.pk}/" in body
    assert "工作联系人交流活动（已延期）" in body
    for hidden in ("取消的活动", "草稿活动", "两个月后的活动"):
        assert hidden not in body


def test_it_never_sends_a_row_twice(world):
    add_article(world.news, world.start + timedelta(days=1))
    add_subscribers(3, last_digest_at=world.start)

    run, counts = send_today(world)
    again_run, again = send_today(world)

    assert again_run == run
    assert DigestRun.objects.count() == 1
    assert DigestDelivery.objects.count() == 3
    assert counts.sent == 3
    assert (again.sent, again.skipped, again.failed) == (0, 0, 0)
    assert len(mail.outbox) == 3


def test_it_gives_nothing_to_a_subscriber_who_left_after_the_run_was_made(world):
    add_article(world.news, world.start + timedelta(days=1))
    leaving, staying = add_subscribers(2, last_digest_at=world.start)
    run = services.digest_run_create(frequency=Frequency.WEEKLY, scheduled_for=world.today)
    services.subscriber_unsubscribe(subscriber_id=leaving.pk)

    services.digest_run_send(run_id=run.pk)

    assert [message.to for message in mail.outbox] == [[staying.email]]
    skipped = DigestDelivery.objects.get(subscriber=leaving)
    assert skipped.status == DigestDelivery.Status.SKIPPED


def test_it_leaves_out_pending_suppressed_and_other_frequencies(world):
    add_article(world.news, world.start + timedelta(days=1))
    add_subscribers(1, last_digest_at=world.start)
    add_subscribers(1, last_digest_at=world.start, start=1, frequency=Frequency.MONTHLY)
    add_subscribers(1, last_digest_at=world.start, start=2, frequency=Frequency.OFF)
    for n, status in enumerate(["pending", "suppressed", "unsubscribed"], start=3):
        Subscriber.objects.create(email=f"sub{n}@example.com", status=status)
    # Confirmed after the cutoff: their first digest is next week's.
    add_subscribers(1, last_digest_at=world.end + timedelta(hours=1), start=9)

    run = services.digest_run_create(frequency=Frequency.WEEKLY, scheduled_for=world.today)

    assert list(run.deliveries.values_list("subscriber__email", flat=True)) == ["sub0@example.com"]


def test_it_refuses_a_run_for_a_day_to_come(world):
    with pytest.raises(ValueError):
        services.digest_run_create(
            frequency=Frequency.WEEKLY, scheduled_for=world.today + timedelta(days=1)
        )


def build_queries(world, subscribers: int, *, scheduled_for) -> int:
    """Queries of building one batch of ``subscribers`` digests (claimed, not sent)."""
    Subscriber.objects.update(status=Subscriber.Status.UNSUBSCRIBED)
    add_subscribers(
        subscribers,
        last_digest_at=world.start,
        start=Subscriber.objects.count(),
        sections=[world.news, world.achievements],
    )
    run = services.digest_run_create(frequency=Frequency.WEEKLY, scheduled_for=scheduled_for)
    ids = services.digest_deliveries_claim(run_id=run.pk, limit=1000)
    assert len(ids) == subscribers
    with CaptureQueriesContext(connection) as queries:
        built = services.digest_batch_build(delivery_ids=ids)
    assert len(built) == subscribers
    assert all(item.mail is not None for item in built)
    assert all("活动1" in item.mail.rendered.body_text for item in built)
    return len(queries)


def test_it_builds_a_batch_in_a_fixed_number_of_queries(world):
    for hour in range(1, 8):
        published_at = world.start + timedelta(hours=hour)
        article = add_article(world.news, published_at)
        add_article(world.achievements, published_at)
        honour = add_honour(world.company, world.award, published_at, year=2000 + hour)
        honour.source_article = article
        honour.save()
        add_event(f"活动{hour}", world.end + timedelta(days=hour))

    few = build_queries(world, 10, scheduled_for=world.today - timedelta(days=1))
    many = build_queries(world, 100, scheduled_for=world.today)

    assert few == many == 5, (
        f"building 10 digests ran {few} queries and 100 ran {many}: the digest build "
        f"must not query per subscriber (explain any new query here)"
    )


def test_a_run_renders_each_edition_once_across_its_batches(world, monkeypatch):
    add_article(world.news, world.start + timedelta(days=1), title="协会召开七届三次理事会")
    add_article(world.achievements, world.start + timedelta(days=2), title="中控技术新品发布")
    add_subscribers(5, last_digest_at=world.start, sections=[world.achievements])
    add_subscribers(5, last_digest_at=world.start, start=5)
    rendered = []
    real_render = messages.render_mail

    def counting_render(*args, **kwargs):
        rendered.append(args[0])
        return real_render(*args, **kwargs)

    monkeypatch.setattr(messages, "render_mail", counting_render)
    run = services.digest_run_create(frequency=Frequency.WEEKLY, scheduled_for=world.today)

    counts = services.digest_run_send(run_id=run.pk, batch_size=3)

    assert counts.sent == 10 and len(mail.outbox) == 10
    assert len(rendered) == 2, "two editions (one section, all sections) in four batches"
    unsubscribe_links = {re.search(r"/unsubscribe/[^/\s]+/", m.body).group() for m in mail.outbox}
    assert len(unsubscribe_links) == 10, "each subscriber gets their own links"
    chosen = [m for m in mail.outbox if "协会召开七届三次理事会" not in m.body]
    assert len(chosen) == 5 and all("中控技术新品发布" in m.body for m in chosen)
