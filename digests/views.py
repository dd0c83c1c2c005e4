"""Public pages of the digest: sign-up with double opt-in, unsubscribe, web view.

None of them is cached (they carry CSRF tokens or a person's subscription)
and none needs signing in: the signed token in the link is the credential.
"""

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from portal.ratelimit import over_rate_limit

from . import services, tokens
from .forms import SubscribeForm
from .messages import digest_context, unsubscribe_url
from .models import DigestDelivery, Subscriber
from .selectors import DigestRequest, digest_contents


def _private(response):
    """Token pages: never indexed, never kept by shared caches."""
    response["X-Robots-Tag"] = "noindex"
    return response


def _bad_link(request):
    return _private(render(request, "digests/bad_link.html", status=400))


def _masked(email: str) -> str:
    """``l***@example.com``: enough to recognise one's address on a forwarded link."""
    local, _at, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def subscribe(request):
    form = SubscribeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if over_rate_limit(request, scope="subscribe", limit=settings.DIGEST_SUBSCRIBE_PER_HOUR):
            form.add_error(
                None,
                _("Too many sign-ups from your network in the last hour. Please try again later."),
            )
            return render(request, "digests/subscribe.html", {"form": form}, status=429)
        if not form.is_spam():
            services.subscriber_subscribe(
                email=form.cleaned_data["email"],
                frequency=form.cleaned_data["frequency"],
                sections=form.cleaned_data["sections"],
            )
        # The same page whatever happened: it never tells who is subscribed.
        return redirect("digests:subscribe_sent")
    return render(request, "digests/subscribe.html", {"form": form})


@require_safe
def subscribe_sent(request):
    return render(request, "digests/subscribe_sent.html")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def subscribe_confirm(request, token: str):
    """GET shows a button, POST confirms: a link scanner that follows the link confirms nothing."""
    try:
        subscriber_id = tokens.confirm_subscriber_id(token)
    except tokens.BadToken:
        return _bad_link(request)
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None:
        return _bad_link(request)
    if request.method == "POST":
        subscriber = services.subscriber_confirm(subscriber_id=subscriber_id)
    context = {"subscriber": subscriber, "masked_email": _masked(subscriber.email)}
    return _private(render(request, "digests/confirm.html", context))


@csrf_exempt  # RFC 8058: mail clients POST here without a CSRF token; the POST only unsubscribes
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token: str):
    """GET shows a button; POST (the button or a mail client's one-click) unsubscribes."""
    try:
        subscriber_id = tokens.unsubscribe_subscriber_id(token)
    except tokens.BadToken:
        return _bad_link(request)
    if request.method == "POST":
        subscriber = services.subscriber_unsubscribe(subscriber_id=subscriber_id)
    else:
        subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None:
        return _bad_link(request)
    context = {
        "subscriber": subscriber,
        "masked_email": _masked(subscriber.email),
        "receiving": subscriber.status in (Subscriber.Status.ACTIVE, Subscriber.Status.PENDING),
    }
    return _private(render(request, "digests/unsubscribe.html", context))


@never_cache
@require_safe
def web_view(request, token: str):
    """A sent digest, in the browser: rebuilt from its window, as published now."""
    try:
        delivery_id = tokens.web_view_delivery_id(token)
    except tokens.BadToken:
        return _bad_link(request)
    delivery = (
        DigestDelivery.objects.select_related("run", "subscriber")
        .prefetch_related("subscriber__sections")
        .filter(pk=delivery_id, status=DigestDelivery.Status.SENT)
        .first()
    )
    if delivery is None:
        raise Http404("No such digest")
    request_ = DigestRequest(
        delivery.subscriber, delivery.run.frequency, delivery.window_start, delivery.window_end
    )
    content = digest_contents(requests=[request_])[0]
    context = digest_context(
        content, web_view=None, unsubscribe=unsubscribe_url(delivery.subscriber_id)
    )
    return _private(render(request, "digests/digest_detail.html", context))
