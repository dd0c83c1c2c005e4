"""How a message's text goes over the wire: Chinese in base64, ASCII as it is."""

import email
import email.policy

from django.core.mail import EmailMultiAlternatives

from outbox.messages import RenderedMail, make_message

HTML = (
    '<!doctype html>\n<html>\n<head>\n<meta charset="utf-8">\n'
    + "".join(f"<style>.c{n} {{ color: #153f5d; }}</style>\n" for n in range(12))
    + "</head>\n<body>\n"
    + "".join(
        f'<p style="margin:0">聚光科技入选国家知识产权示范企业第{n}条</p>\n' for n in range(200)
    )
    + "</body>\n</html>\n"
)
RENDERED = RenderedMail("会员动态周报", "浙江省仪器仪表行业协会会员动态周报\n", HTML)


def parts(raw: bytes) -> dict[str, email.message.EmailMessage]:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    return {part.get_content_type(): part for part in message.walk() if not part.is_multipart()}


def test_it_sends_chinese_text_base64_encoded_and_intact():
    raw = make_message(to="reader@example.com", rendered=RENDERED).message().as_bytes()
    sent = parts(raw)
    assert sent["text/html"]["Content-Transfer-Encoding"] == "base64"
    assert sent["text/plain"]["Content-Transfer-Encoding"] == "base64"
    assert sent["text/html"].get_content() == HTML
    assert sent["text/plain"].get_content() == RENDERED.body_text
    # Django's default picks quoted-printable for this HTML: a third larger here.
    default = EmailMultiAlternatives("会员动态周报", RENDERED.body_text, to=["reader@example.com"])
    default.attach_alternative(HTML, "text/html")
    default_raw = default.message().as_bytes()
    assert parts(default_raw)["text/html"]["Content-Transfer-Encoding"] == "quoted-printable"
    assert len(raw) < 0.8 * len(default_raw)


def test_it_leaves_ascii_text_unencoded():
    rendered = RenderedMail("Digest", "Plain words only.\n", "<p>Plain words only.</p>\n")
    sent = parts(make_message(to="reader@example.com", rendered=rendered).message().as_bytes())
    assert sent["text/plain"]["Content-Transfer-Encoding"] == "7bit"
    assert sent["text/html"]["Content-Transfer-Encoding"] == "7bit"
