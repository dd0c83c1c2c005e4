"""Sign-up with double opt-in, one-click unsubscribe, the web view, and contacts' subscriptions."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from digests import services, tokens
from digests.forms import SubscriptionPreferencesForm
from digests.models import DigestDelivery, Frequency, Subscriber
from members.models import Contact
from outbox.models import OutgoingMail
from tests.digests.conftest import add_article, add_subscribers

SUBSCRIBE = "/subscribe/"


@pytest.fixture
def sign_up(client, django_capture_on_commit_callbacks):
    """Post the form as a visitor; mail queued on commit is sent."""

    def post(email="wangfang@example.com", **data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(SUBSCRIBE, {"email": email, "frequency": "weekly", **data})

    return post


def confirm_url_in(message) -> str:
    return re.search(r"http://\S+/subscribe/confirm/[^/\s]+/", message.body).group(0)


def test_it_shows_an_accessible_form(client, world):
    response = client.get(SUBSCRIBE)

    assert response.status_code == 200
    content = response.content.decode()
    assert '<label for="id_email">' in content
    assert 'name="sections"' in content and "会员成果" in content
    assert 'class="form-field trap" aria-hidden="true"' in content
    english = client.get("/en" + SUBSCRIBE).content.decode()
    assert "Association news" in english and "Subscribe to the digest" in english
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_it_asks_for_confirmation_and_confirms_only_on_post(client, sign_up, world):
    response = sign_up("WangFang@Example.com", sections=[world.achievements.pk])

    assert response.status_code == 302
    assert response["Location"] == "/subscribe/sent/"
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "wangfang@example.com"
    assert subscriber.status == Subscriber.Status.PENDING
    assert list(subscriber.sections.all()) == [world.achievements]
    (message,) = mail.outbox
    assert message.to == ["wangfang@example.com"]
    assert message.subject == "【浙江省仪器仪表行业协会】请确认订阅会员动态"
    url = confirm_url_in(message).replace("http://127.0.0.1:8000", "")

    # A link scanner's GET changes nothing.
    page = client.get(url)
    assert page.status_code == 200
    assert 'method="post"' in page.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.PENDING

    confirmed = client.post(url)
    assert confirmed.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.ACTIVE
    assert subscriber.confirmed_at is not None
    assert subscriber.last_digest_at == subscriber.confirmed_at
    # Twice is the same as once.
    assert client.post(url).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.last_digest_at == subscriber.confirmed_at


def test_it_never_tells_whether_an_address_is_subscribed(client, sign_up, world):
    (active,) = add_subscribers(1, last_digest_at=timezone.now())

    response = sign_up(active.email.upper(), frequency="monthly")

    assert response.status_code == 302
    assert response["Location"] == "/subscribe/sent/"
    assert Subscriber.objects.count() == 1
    active.refresh_from_db()
    assert active.status == Subscriber.Status.ACTIVE
    assert active.frequency == Frequency.WEEKLY  # a stranger cannot change it
    assert mail.outbox == []


def test_it_sends_at_most_one_confirmation_an_hour(client, sign_up, world):
    sign_up()
    sign_up()

    assert Subscriber.objects.count() == 1
    assert len(mail.outbox) == 1


def test_it_ignores_robots_that_fill_in_the_hidden_field(client, sign_up, world):
    response = sign_up(website="http://spam.example")

    assert response.status_code == 302
    assert not Subscriber.objects.exists()
    assert mail.outbox == []


def test_it_keeps_what_was_typed_when_the_form_has_errors(client, world):
    response = client.post(
        SUBSCRIBE, {"email": "not-an-address", "frequency": "weekly", "sections": [world.news.pk]}
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert 'value="not-an-address"' in content
    assert 'aria-invalid="true"' in content
    assert 'role="alert"' in content
    assert re.search(rf'value="{world.news.pk}"[^>]*checked', content)
    assert not Subscriber.objects.exists()


def test_it_limits_sign_ups_per_address_and_hour(client, sign_up, world, settings):
    settings.DIGEST_SUBSCRIBE_PER_HOUR = 5
    for n in range(5):
        assert sign_up(f"person{n}@example.com").status_code == 302

    response = sign_up("sixth@example.com", frequency="monthly")

    assert response.status_code == 429
    content = response.content.decode()
    assert 'role="alert"' in content
    assert 'value="sixth@example.com"' in content
    assert not Subscriber.objects.filter(email="sixth@example.com").exists()
    assert len(mail.outbox) == 5


@pytest.mark.parametrize("kind", ["subscribe_confirm", "unsubscribe", "web_view"])
def test_it_answers_a_friendly_400_to_a_bad_link(client, world, kind):
    response = client.get(reverse(f"digests:{kind}", args=["MQ:tampered:signature"]))

    assert response.status_code == 400
    assert "/subscribe/" in response.content.decode()


def test_it_refuses_an_expired_confirmation_link(client, world):
    subscriber = Subscriber.objects.create(email="late@example.com")
    eight_days_ago = int((timezone.now() - timedelta(days=8)).timestamp())
    with mock.patch.object(
        signing.TimestampSigner, "timestamp", return_value=signing.b62_encode(eight_days_ago)
    ):
        expired = tokens.confirm_token(subscriber.pk)

    response = client.post(reverse("digests:subscribe_confirm", args=[expired]))

    assert response.status_code == 400
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.PENDING
    # The same subscriber's fresh link works; an unsubscribe token is not a confirmation.
    wrong_kind = tokens.unsubscribe_token(subscriber.pk)
    assert client.post(reverse("digests:subscribe_confirm", args=[wrong_kind])).status_code == 400


def test_it_unsubscribes_in_one_click_without_signing_in(world):
    (subscriber,) = add_subscribers(1, last_digest_at=timezone.now())
    url = reverse("digests:unsubscribe", args=[tokens.unsubscribe_token(subscriber.pk)])
    mail_client = Client(enforce_csrf_checks=True)

    # Opening the link (or a scanner fetching it) does not unsubscribe.
    page = mail_client.get(url)
    assert page.status_code == 200
    assert "s***@example.com" in page.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.ACTIVE

    # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click", with no CSRF token.
    response = mail_client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    first_time = subscriber.unsubscribed_at

    # Again: nothing more happens.
    assert mail_client.post(url, {"List-Unsubscribe": "One-Click"}).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    assert subscriber.unsubscribed_at == first_time
    assert response["X-Robots-Tag"] == "noindex"


def test_it_unsubscribes_with_the_link_of_a_digest(world):
    add_article(world.news, world.start + timedelta(days=1))
    (subscriber,) = add_subscribers(1, last_digest_at=world.start)
    run = services.digest_run_create(frequency=Frequency.WEEKLY, scheduled_for=world.today)
    services.digest_run_send(run_id=run.pk)
    header = mail.outbox[0].extra_headers["List-Unsubscribe"]
    path = header[1:-1].replace("http://127.0.0.1:8000", "")

    one_click = Client(enforce_csrf_checks=True).post(path, {"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 200

    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    # The next run leaves the address out.
    assert not Subscriber.objects.receiving(Frequency.WEEKLY).exists()


def test_it_shows_a_sent_digest_in_the_browser(client, world):
    article = add_article(world.news, world.start + timedelta(days=1), title="网页版里的新闻")
    add_subscribers(1, last_digest_at=world.start)
    run = services.digest_run_create(frequency=Frequency.WEEKLY, scheduled_for=world.today)
    services.digest_run_send(run_id=run.pk)
    url = re.search(r"http://\S+/digest/[^/\s]+/", mail.outbox[0].body).group(0)

    response = client.get(url.replace("http://127.0.0.1:8000", ""))

    assert response.status_code == 200
    content = response.content.decode()
    assert "网页版里的新闻" in content
    assert f'href="/news/{article.pk}/"' in content
    assert "/unsubscribe/" in content
    unsent = DigestDelivery.objects.create(
        run=run,
        subscriber=Subscriber.objects.create(email="other@example.com"),
        window_start=world.start,
        window_end=world.end,
    )
    other = reverse("digests:web_view", args=[tokens.web_view_token(unsent.pk)])
    assert client.get(other).status_code == 404


def contact_for(email: str, company) -> Contact:
    user = User.objects.create_user(email, "correct horse battery", name="李明")
    return Contact.objects.create(user=user, company=company)


def test_it_subscribes_a_contact_weekly_when_the_account_is_made(world):
    contact = contact_for("liming@example.com", world.company)

    subscriber = services.subscriber_for_contact(contact=contact)

    assert subscriber.contact == contact
    assert subscriber.email == "liming@example.com"
    assert (subscriber.status, subscriber.frequency) == ("active", "weekly")
    assert subscriber.last_digest_at is not None
    assert services.subscriber_for_contact(contact=contact) == subscriber
    assert Subscriber.objects.count() == 1
    assert mail.outbox == []  # no confirmation: the account vouches for the address


def test_it_links_a_contact_to_the_address_and_keeps_an_unsubscription(world):
    existing = Subscriber.objects.create(email="liming@example.com", status="unsubscribed")
    contact = contact_for("LiMing@example.com", world.company)

    subscriber = services.subscriber_for_contact(contact=contact)

    assert subscriber == existing
    subscriber.refresh_from_db()
    assert subscriber.contact == contact
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED


def test_it_saves_a_contacts_preferences_from_the_account_form(world):
    contact = contact_for("liming@example.com", world.company)
    subscriber = services.subscriber_for_contact(contact=contact)
    services.subscriber_unsubscribe(subscriber_id=subscriber.pk)
    subscriber.refresh_from_db()

    form = SubscriptionPreferencesForm(
        {"frequency": "monthly", "sections": [world.news.pk]}, instance=subscriber
    )
    assert form.is_valid(), form.errors
    services.subscriber_update_preferences(
        subscriber=subscriber,
        frequency=form.cleaned_data["frequency"],
        sections=form.cleaned_data["sections"],
    )

    subscriber.refresh_from_db()
    assert (subscriber.status, subscriber.frequency) == ("active", "monthly")
    assert list(subscriber.sections.all()) == [world.news]
    off = SubscriptionPreferencesForm({"frequency": "off", "sections": []}, instance=subscriber)
    assert off.is_valid()
    services.subscriber_update_preferences(subscriber=subscriber, frequency="off", sections=[])
    assert not Subscriber.objects.receiving(Frequency.MONTHLY).exists()
    assert not OutgoingMail.objects.exists()
