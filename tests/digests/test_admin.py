"""The back office: runs with their counts, subscribers, preview, a test to oneself, resending."""

from datetime import timedelta

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from digests import services
from digests.models import DigestDelivery, DigestRun, Frequency, Subscriber
from outbox.models import OutgoingMail
from tests.digests.conftest import add_article, add_subscribers


def make_run(world, subscribers: int, *, days_ago: int = 0) -> DigestRun:
    add_subscribers(
        subscribers,
        last_digest_at=world.start - timedelta(days=30),
        start=Subscriber.objects.count(),
    )
    return services.digest_run_create(
        frequency=Frequency.WEEKLY, scheduled_for=world.today - timedelta(days=days_ago)
    )


def test_it_lists_runs_with_their_counts_in_a_fixed_number_of_queries(admin_client, world):
    add_article(world.news, world.start - timedelta(days=10))
    run = make_run(world, 4, days_ago=2)
    DigestDelivery.objects.filter(pk__in=run.deliveries.values("pk")[:1]).update(status="failed")
    DigestDelivery.objects.filter(pk__in=run.deliveries.values("pk")[1:3]).update(status="sent")
    url = reverse("admin:digests_digestrun_changelist")

    response = admin_client.get(url)

    assert response.status_code == 200
    listed = response.context["cl"].result_list[0]
    assert (listed.queued_count, listed.sent_count, listed.skipped_count, listed.failed_count) == (
        1,
        2,
        0,
        1,
    )
    content = response.content.decode()
    assert f"?run__id__exact={run.pk}" in content
    assert reverse("admin:digests_subscriber_preview_pick") in content

    with CaptureQueriesContext(connection) as few:
        admin_client.get(url)
    make_run(world, 3, days_ago=1)
    make_run(world, 3, days_ago=0)
    with CaptureQueriesContext(connection) as many:
        admin_client.get(url)
    assert len(few) == len(many), "the run list queries once per run"


def test_it_lists_subscribers_with_status_and_bounces(admin_client, world):
    (subscriber,) = add_subscribers(1, last_digest_at=world.start, sections=[world.news])
    Subscriber.objects.filter(pk=subscriber.pk).update(hard_bounces=2)

    response = admin_client.get(reverse("admin:digests_subscriber_changelist"))

    assert response.status_code == 200
    content = response.content.decode()
    assert subscriber.email in content
    assert "协会动态" in content
    assert reverse("admin:digests_subscriber_preview", args=[subscriber.pk]) in content
    changelist = reverse("admin:digests_subscriber_changelist")
    for query in ("?status__exact=suppressed", "?q=sub0", "?contact__isempty=1"):
        assert admin_client.get(changelist + query).status_code == 200


def test_it_previews_the_digest_as_a_subscriber_would_get_it(admin_client, world):
    add_article(world.news, world.start + timedelta(days=1), title="预览中的新闻")
    add_article(world.achievements, world.start + timedelta(days=1), title="没选的栏目")
    (subscriber,) = add_subscribers(1, last_digest_at=world.start, sections=[world.news])

    picked = admin_client.get(
        reverse("admin:digests_subscriber_preview_pick"), {"email": subscriber.email.upper()}
    )
    assert picked.status_code == 302
    response = admin_client.get(picked["Location"])

    assert response.status_code == 200
    content = response.content.decode()
    assert "预览中的新闻" in content
    assert "没选的栏目" not in content
    # The HTML part, escaped into the sandboxed frame's srcdoc attribute.
    assert 'sandbox srcdoc="&lt;!doctype html&gt;' in content
    assert "List-Unsubscribe-Post" in content
    assert "会员动态周报" in content
    subscriber.refresh_from_db()
    assert subscriber.last_digest_at == world.start  # a preview changes nothing
    unknown = admin_client.get(
        reverse("admin:digests_subscriber_preview_pick"), {"email": "nobody@example.com"}
    )
    assert unknown.status_code == 200
    assert 'role="alert"' in unknown.content.decode()


def test_it_sends_a_test_to_the_signed_in_user(
    admin_client, admin_user, world, django_capture_on_commit_callbacks
):
    add_article(world.news, world.start + timedelta(days=1), title="测试邮件里的新闻")
    (subscriber,) = add_subscribers(1, last_digest_at=world.start)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:digests_subscriber_send_test", args=[subscriber.pk])
        )

    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == [admin_user.email]
    assert message.subject.startswith("【浙江省仪器仪表行业协会】【测试】会员动态周报")
    assert "测试邮件里的新闻" in message.body
    assert "/unsubscribe/" not in message.body  # someone else's link is not in a test
    assert "List-Unsubscribe" not in message.extra_headers
    assert OutgoingMail.objects.get().template == "digest"
    assert not DigestDelivery.objects.exists()
    subscriber.refresh_from_db()
    assert subscriber.last_digest_at == world.start
    send_test = reverse("admin:digests_subscriber_send_test", args=[subscriber.pk])
    assert admin_client.get(send_test).status_code == 405


def test_it_sends_failed_deliveries_again(admin_client, world, django_capture_on_commit_callbacks):
    add_article(world.news, world.start + timedelta(days=1))
    run = make_run(world, 2)
    DigestDelivery.objects.filter(run=run).update(status="failed", error="550 no such user")
    DigestRun.objects.filter(pk=run.pk).update(finished_at=run.created_at)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:digests_digestrun_changelist"),
            {"action": "resend_failed", "_selected_action": [run.pk]},
        )

    assert response.status_code == 302
    assert len(mail.outbox) == 2
    assert set(run.deliveries.values_list("status", flat=True)) == {"sent"}
    run.refresh_from_db()
    assert run.finished_at is not None


def test_it_reactivates_suppressed_subscribers(admin_client, world):
    (subscriber,) = add_subscribers(1, last_digest_at=world.start)
    Subscriber.objects.filter(pk=subscriber.pk).update(status="suppressed", hard_bounces=3)

    admin_client.post(
        reverse("admin:digests_subscriber_changelist"),
        {"action": "reactivate", "_selected_action": [subscriber.pk]},
    )

    subscriber.refresh_from_db()
    assert (subscriber.status, subscriber.hard_bounces) == ("active", 0)


def test_it_renders_the_change_pages(admin_client, world):
    add_article(world.news, world.start + timedelta(days=1))
    run = make_run(world, 1)
    services.digest_run_send(run_id=run.pk)
    delivery = DigestDelivery.objects.get()

    for url in (
        reverse("admin:digests_digestrun_change", args=[run.pk]),
        reverse("admin:digests_digestdelivery_change", args=[delivery.pk]),
        reverse("admin:digests_digestdelivery_changelist") + f"?run__id__exact={run.pk}",
        reverse("admin:digests_subscriber_change", args=[delivery.subscriber_id]),
        reverse("admin:digests_subscriber_add"),
    ):
        assert admin_client.get(url).status_code == 200, url
    listing = admin_client.get(reverse("admin:digests_digestdelivery_changelist"))
    assert "/digest/" in listing.content.decode()  # the web view of a sent digest
