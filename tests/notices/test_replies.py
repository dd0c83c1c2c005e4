"""The reply slip (回执) at the service level: open until the deadline, one row per contact,
only the questions asked; the signed link names one contact for one notice."""

import pytest
from django.core import signing
from django.utils import timezone

from notices import services
from notices.models import NoticeRead, NoticeReply
from notices.services import NoticeError, reply_token, reply_token_contact
from tests.notices.builders import council_notice

pytestmark = pytest.mark.django_db


def test_after_the_deadline_it_is_refused_with_the_deadline_and_nothing_is_written(
    association, clock
):
    notice = council_notice(days=2)
    contact = association.contacts.council
    clock.advance(days=2, seconds=1)

    with pytest.raises(NoticeError) as refused:
        services.notice_reply_save(notice=notice, contact=contact, answers={"people": 2})

    deadline = timezone.localtime(notice.reply_deadline).strftime("%Y-%m-%d %H:%M")
    assert str(refused.value) == f"回执已于 {deadline} 截止；如需修改，请联系秘书处。"
    assert not NoticeReply.objects.exists()
    assert not NoticeRead.objects.exists()


def test_a_changed_answer_updates_the_one_row_until_the_deadline(association, clock):
    notice = council_notice(days=2)
    contact = association.contacts.council
    first = services.notice_reply_save(
        notice=notice, contact=contact, answers={"people": 2, "names": "丁工、钱工"}
    )
    clock.advance(days=1)

    changed = services.notice_reply_save(
        notice=notice, contact=contact, answers={"people": 1, "names": "丁工"}
    )

    assert changed.pk == first.pk
    reply = NoticeReply.objects.get()
    assert (reply.people, reply.names) == (1, "丁工")
    assert reply.answered_at == first.answered_at  # first answered then; changed since
    assert reply.updated_at > first.updated_at
    assert NoticeRead.objects.filter(notice=notice, contact=contact).count() == 1

    clock.advance(days=1, seconds=1)
    with pytest.raises(NoticeError):
        services.notice_reply_save(notice=notice, contact=contact, answers={"people": 5})
    assert NoticeReply.objects.get().people == 1


def test_answers_to_questions_not_asked_are_dropped(association):
    notice = council_notice(ask_attending=True, ask_people=False, ask_names=False, ask_text="")

    reply = services.notice_reply_save(
        notice=notice,
        contact=association.contacts.vice,
        answers={"attending": True, "people": 9, "names": "王工", "text": "住宿两晚"},
    )

    reply.refresh_from_db()
    assert (reply.attending, reply.people, reply.names, reply.text) == (True, None, "", "")


def test_the_free_text_question_is_kept_when_asked(association):
    notice = council_notice(ask_text="住宿需求")

    reply = services.notice_reply_save(
        notice=notice,
        contact=association.contacts.vice,
        answers={"attending": False, "text": "无需住宿"},
    )

    assert (reply.attending, reply.text) == (False, "无需住宿")


def test_a_notice_without_a_reply_slip_takes_no_answer(association):
    notice = council_notice(asks_reply=False)

    with pytest.raises(NoticeError, match="该通知不需要回执"):
        services.notice_reply_save(
            notice=notice, contact=association.contacts.vice, answers={"attending": True}
        )
    assert not NoticeReply.objects.exists()


def test_a_reply_link_names_its_contact_for_its_notice_only(association):
    x = council_notice(title="关于召开第七届理事会第三次会议的通知")
    y = council_notice(title="关于推荐2027年度浙江省仪器仪表行业科技进步奖的通知")
    a, b = association.contacts.president, association.contacts.vice
    token = reply_token(x.pk, a.pk)

    assert reply_token_contact(token, x.pk) == a.pk
    assert reply_token_contact(reply_token(x.pk, b.pk), x.pk) == b.pk
    assert reply_token_contact(token, y.pk) is None
    # Altered: a character changed, the signature cut off, the value swapped.
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert reply_token_contact(tampered, x.pk) is None
    assert reply_token_contact(token.rsplit(":", 1)[0], x.pk) is None
    assert reply_token_contact("", x.pk) is None
    other_salt = signing.dumps([x.pk, b.pk], salt="digests.unsubscribe", compress=True)
    assert reply_token_contact(other_salt, x.pk) is None
    for value in ([x.pk], [x.pk, "1"], {"notice": x.pk}, [x.pk, b.pk, 1]):
        forged = signing.dumps(value, salt=services.REPLY_SALT, compress=True)
        assert reply_token_contact(forged, x.pk) is None, value
