"""The benchmark's SMTP sink takes mail from Django's SMTP backend and counts it."""

from django.core.mail import EmailMultiAlternatives, mailers
from django.test import override_settings

from bench.digest import mailers_for, sink_count, smtp_sink


def test_it_counts_what_it_receives():
    with smtp_sink() as port, override_settings(MAILERS=mailers_for(port)):
        messages = [
            EmailMultiAlternatives(
                "会员动态周报", "正文\n.\n..", "a@example.com", [f"r{i}@example.com"]
            )
            for i in range(3)
        ]
        for message in messages:
            message.attach_alternative("<p>正文</p>", "text/html")
        with mailers.default as connection:
            assert connection.send_messages(messages) == 3
        assert sink_count(port) == 3
