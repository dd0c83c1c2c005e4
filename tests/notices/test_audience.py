"""Who a notice is for: ``audience_contacts`` (the mailing) and ``readable_by`` (the pages)
must name the same contacts for every kind of audience."""

import pytest
from django.utils import timezone

from members.models import City
from notices.models import COUNCIL_ROLES, Audience, Notice
from notices.selectors import audience_contacts, contact_notices, readable_by
from notices.services import notice_mark_read, notice_reply_save
from tests.notices.builders import council_notice, make_notice

pytestmark = pytest.mark.django_db


def emails(contacts) -> set[str]:
    return {contact.user.email for contact in contacts}


def audience(notice) -> set[str]:
    return emails(audience_contacts(notice))


def readers_of(notice, association) -> set[str]:
    return emails(c for c in association.readers if readable_by(c).filter(pk=notice.pk).exists())


def test_the_council_units_are_those_seated_in_the_current_term(association):
    notice = council_notice()

    assert audience(notice) == {
        "jin@supcon.example.com",
        "li@supcon.example.com",
        "wang@ningshui.example.com",
        "ding@juhua.example.com",
    }
    # Not: the 6th term's council units now member units or unseated (西力, 美仪), the
    # member and supervisor units, the suspended council unit, the contact switched off.
    assert readers_of(notice, association) == audience(notice)


def test_a_notice_to_one_role_reaches_that_role_only(association):
    vice_presidents = council_notice(roles=[COUNCIL_ROLES[1]])

    assert audience(vice_presidents) == {"wang@ningshui.example.com"}
    assert readers_of(vice_presidents, association) == {"wang@ningshui.example.com"}


def test_each_contact_is_listed_once(association):
    notice = council_notice()

    listed = list(audience_contacts(notice).values_list("pk", flat=True))
    assert len(listed) == len(set(listed)) == 4


def test_all_members_means_active_users_of_active_companies(association):
    members = make_notice(audience=Audience.MEMBERS)
    public = make_notice("关于公布2026年度会员单位名录的公告", audience=Audience.PUBLIC)

    expected = emails(association.readers)
    assert "zhao@tinghui.example.com" not in expected  # suspended company
    assert "qian@juhua.example.com" not in expected  # account switched off
    assert audience(members) == audience(public) == expected
    assert readers_of(members, association) == expected


def test_cities_and_industries_intersect(association):
    both = make_notice(
        audience=Audience.PLACES, cities=[City.NINGBO], industries=[association.flow]
    )
    city_only = make_notice(audience=Audience.PLACES, cities=[City.NINGBO, City.WENZHOU])
    industry_only = make_notice(audience=Audience.PLACES, industries=[association.automation])
    neither = make_notice(audience=Audience.PLACES)

    assert audience(both) == {"wang@ningshui.example.com", "mao@yxopt.example.com"}
    assert audience(city_only) == {
        "wang@ningshui.example.com",
        "mao@yxopt.example.com",
        "chen@cangnan.example.com",
    }
    assert audience(industry_only) == {
        "jin@supcon.example.com",
        "li@supcon.example.com",
        "zhou@xili.example.com",
        "chu@supmea.example.com",
    }
    assert audience(neither) == set()
    for notice in (both, city_only, industry_only, neither):
        assert readers_of(notice, association) == audience(notice), notice.pk


def test_a_city_and_an_industry_with_no_company_in_both_reach_no_one(association):
    notice = make_notice(
        audience=Audience.PLACES, cities=[City.WENZHOU], industries=[association.automation]
    )

    assert audience(notice) == set()
    assert readers_of(notice, association) == set()


def test_chosen_companies(association):
    notice = make_notice(
        audience=Audience.COMPANIES,
        companies=[association.member, association.supervisor, association.suspended],
    )

    assert audience(notice) == {"mao@yxopt.example.com", "chen@cangnan.example.com"}
    assert readers_of(notice, association) == audience(notice)


def test_an_events_registrants_and_registered_contacts_but_not_the_cancelled(association):
    notice = make_notice(audience=Audience.EVENT, event=association.event)

    # 金工 registered a colleague; 毛工 is registered (the address in another case);
    # 周工 cancelled; 吴工 has no account.
    assert audience(notice) == {"jin@supcon.example.com", "mao@yxopt.example.com"}
    assert readers_of(notice, association) == audience(notice)


def test_the_audience_is_one_query(association, django_assert_num_queries):
    notice = council_notice()

    with django_assert_num_queries(1):
        contacts = list(audience_contacts(notice))
    with django_assert_num_queries(0):
        assert {c.company.name for c in contacts} >= {association.president.name}
        assert all(c.user.email for c in contacts)


def test_public_notices_are_for_anyone_and_members_ones_for_no_visitor(association):
    public = make_notice("关于举办2027年度仪器仪表行业新技术培训班的通知")
    members = make_notice("关于缴纳2027年度会费的通知", audience=Audience.MEMBERS)
    council = council_notice()

    for reader in (None, association.contacts.suspended):
        assert list(readable_by(reader)) == [public]
    assert set(readable_by(association.contacts.member)) == {public, members}
    assert set(readable_by(association.contacts.vice)) == {public, members, council}
    assert set(readable_by(None, staff=True)) == {public, members, council}


def test_drafts_and_notices_not_yet_published_are_read_by_no_one(association):
    make_notice("草稿", audience=Audience.PUBLIC, status=Notice.Status.DRAFT)
    make_notice(
        "明天发布",
        audience=Audience.MEMBERS,
        published_at=timezone.now() + timezone.timedelta(days=1),
    )

    assert not readable_by(None).exists()
    assert not readable_by(association.contacts.president).exists()


def test_a_contacts_notices_say_what_was_read_and_answered(association):
    public = make_notice("关于举办2027年度仪器仪表行业新技术培训班的通知")
    council = council_notice()
    contact = association.contacts.council
    notice_mark_read(notice=public, contact=contact)
    notice_reply_save(notice=council, contact=contact, answers={"people": 2, "names": "丁工"})

    notices = {notice.pk: notice for notice in contact_notices(contact)}

    assert set(notices) == {public.pk, council.pk}
    assert notices[public.pk].is_read and notices[public.pk].my_replies == []
    assert notices[council.pk].is_read
    assert [reply.people for reply in notices[council.pk].my_replies] == [2]
