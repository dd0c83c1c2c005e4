"""The demo's notices (通知公告) and documents, so that every part of them can be tried at once.

The bulletin states none of these: they are the kind the secretariat issues,
marked as demo content and dated from the day the demo is first loaded.

- a pinned public notice with an attachment (a training course, 报名表);
- a members-only notice to the council units of the current term with a
  reply slip (回执), already sent (its mailing listed and marked sent, no mail
  goes out) and awaiting replies, two of which are in, from two demo contacts
  of other council units; the demo contact has not replied yet;
- a notice to the members of one city (Hangzhou);
- documents: the charter and the application form (public) and the fee
  schedule (members only), each with a small file made here.

Rows are found by their titles; an existing one is left as it is (the
secretariat's changes win), so loading the demo again changes nothing.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Max
from django.utils import timezone, translation

from dues.models import FeeSchedule
from members.models import City, Company, Contact, SeatRole, Term
from notices.models import (
    COUNCIL_ROLES,
    Audience,
    Document,
    Notice,
    NoticeAttachment,
    NoticeDelivery,
    NoticeMailing,
    NoticeReply,
)
from notices.services import mailing_fill, notice_reply_save
from notices.uploads import checked_attachment

from . import facts
from .files import form_xlsx, pdf_bytes

TRAINING_TITLE = "关于举办2027年度仪器仪表行业新技术培训班的通知"
COUNCIL_MEETING_TITLE = "关于召开第七届理事会第三次会议的通知"
CITY_TITLE = "关于召开杭州地区会员单位工作联系人座谈会的通知"
CHARTER_TITLE = "浙江省仪器仪表行业协会章程"
APPLICATION_FORM_TITLE = "浙江省仪器仪表行业协会入会申请表"
FEES_TITLE = "浙江省仪器仪表行业协会会费标准"
REPLY_DAYS = 14


@dataclass(frozen=True)
class ReplyingContact:
    """A demo contact of another council unit who has answered the council notice."""

    company: str  # a facts.COMPANIES key
    email: str
    name: str
    answers: dict


REPLYING_CONTACTS = (
    ReplyingContact(
        company="宁水集团",
        email="ningshui@demo.xiehui.local",
        name="宁水集团联系人（演示）",
        answers={"attending": True, "people": 2, "names": "张工、李工", "text": "需要安排住宿一晚"},
    ),
    ReplyingContact(
        company="炬华科技",
        email="juhua@demo.xiehui.local",
        name="炬华科技联系人（演示）",
        answers={"attending": False, "people": 0, "names": "", "text": ""},
    ),
)


def notices_load(companies: dict[str, Company], summary) -> None:
    """The notices with their mailing and replies, and the documents (see the module)."""
    now = timezone.now()
    tally = summary.tally("notices")
    repliers = [
        _replying_contact(fact, companies[fact.company], summary.tally("users"))
        for fact in REPLYING_CONTACTS
    ]
    training = _notice(
        TRAINING_TITLE,
        number=3,
        published_at=now - timedelta(days=5),
        tally=tally,
        audience=Audience.PUBLIC,
        is_pinned=True,
        body=_TRAINING_BODY,
    )
    if training is not None:
        _attach(
            training,
            "2027年度新技术培训班报名表.xlsx",
            form_xlsx(
                title="培训班报名表",
                fields=[
                    ("单位名称", "营业执照上的全称"),
                    ("姓名", "每位学员一行，可另加行"),
                    ("职务", ""),
                    ("手机", ""),
                    ("电子邮箱", "培训资料将发送至此邮箱"),
                    ("是否需要住宿", "是 / 否"),
                ],
            ),
        )
    meeting = _notice(
        COUNCIL_MEETING_TITLE,
        number=5,
        published_at=now - timedelta(days=2),
        tally=tally,
        audience=Audience.ROLES,
        roles=[int(role) for role in COUNCIL_ROLES],
        body=_COUNCIL_MEETING_BODY,
        asks_reply=True,
        reply_deadline=_at_five(now + timedelta(days=REPLY_DAYS)),
        ask_attending=True,
        ask_people=True,
        ask_names=True,
        ask_text="住宿需求或其他说明",
    )
    if meeting is None:
        meeting = Notice.objects.get(title=COUNCIL_MEETING_TITLE)
    _sent(meeting, tally)
    for fact, contact in zip(REPLYING_CONTACTS, repliers, strict=True):
        _replied(meeting, contact, fact.answers, tally)
    _notice(
        CITY_TITLE,
        number=6,
        published_at=now - timedelta(days=1),
        tally=tally,
        audience=Audience.PLACES,
        cities=[str(City.HANGZHOU)],
        body=_CITY_BODY,
    )
    _documents_load(summary.tally("documents"))


# ------------------------------------------------------------------------------- notices
def _notice(title: str, *, number: int, published_at, tally, **fields) -> Notice | None:
    """Create the published notice ``title`` unless it exists; the new one, or None."""
    if Notice.objects.filter(title=title).exists():
        tally.unchanged += 1
        return None
    issued_on = timezone.localdate(published_at)
    admin = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    notice = Notice.objects.create(
        title=title,
        document_number=f"浙仪协〔{issued_on.year}〕{number}号",
        issued_on=issued_on,
        status=Notice.Status.PUBLISHED,
        published_at=published_at,
        created_by=admin,
        **fields,
    )
    tally.created += 1
    return notice


def _at_five(moment):
    """17:00 (Shanghai) of that day: a deadline as a notice would give it."""
    local = timezone.localtime(moment)
    return local.replace(hour=17, minute=0, second=0, microsecond=0)


def _attach(notice: Notice, name: str, data: bytes) -> None:
    upload = SimpleUploadedFile(name, data)
    NoticeAttachment.objects.create(notice=notice, file=checked_attachment(upload), name=name)


def _sent(notice: Notice, tally) -> None:
    """The notice's first mailing, its recipients listed and marked sent, without mailing them."""
    mailing, created = NoticeMailing.objects.get_or_create(
        notice=notice,
        number=0,
        defaults={"send_at": notice.published_at, "created_by": notice.created_by},
    )
    if not created:
        tally.unchanged += 1
        return
    mailing_fill(mailing_id=mailing.pk)
    sent_at = notice.published_at + timedelta(minutes=1)
    mailing.deliveries.update(status=NoticeDelivery.Status.SENT, attempts=1, sent_at=sent_at)
    NoticeMailing.objects.filter(pk=mailing.pk).update(
        finished_at=mailing.deliveries.aggregate(last=Max("sent_at"))["last"] or sent_at
    )
    tally.created += 1


def _replied(notice: Notice, contact: Contact, answers: dict, tally) -> None:
    """The contact's reply, through the service (it marks the notice read too)."""
    if NoticeReply.objects.filter(notice=notice, contact=contact).exists():
        tally.unchanged += 1
    elif notice.replies_open():  # a demo loaded again after the deadline adds none
        notice_reply_save(notice=notice, contact=contact, answers=answers)
        tally.created += 1


def _replying_contact(fact: ReplyingContact, company: Company, tally) -> Contact:
    """A contact who cannot sign in (no password): only there to have replied."""
    User = get_user_model()
    user = User.objects.filter(email__iexact=fact.email).first()
    if user is None:
        user = User.objects.create_user(fact.email, None, name=fact.name)
        tally.created += 1
    else:
        tally.unchanged += 1
    contact = Contact.objects.filter(user=user).first()
    if contact is None:
        other_primary = Contact.objects.filter(company=company, is_primary=True).exists()
        contact = Contact.objects.create(
            user=user,
            company=company,
            job_title="工作联系人（演示）",
            is_primary=not other_primary,
        )
        tally.created += 1
    else:
        tally.unchanged += 1
    return contact


# ----------------------------------------------------------------------------- documents
def _documents_load(tally) -> None:
    for position, (title, kind, is_public, description, filename, make) in enumerate(
        (
            (
                CHARTER_TITLE,
                Document.Kind.CHARTER,
                True,
                "本会宗旨、业务范围、会员的权利和义务、组织机构",
                f"{CHARTER_TITLE}.pdf",
                _charter_pdf,
            ),
            (
                APPLICATION_FORM_TITLE,
                Document.Kind.FORM,
                True,
                "填写后连同营业执照复印件交秘书处，或在网站“申请入会”在线提交",
                f"{APPLICATION_FORM_TITLE}.xlsx",
                _application_form_xlsx,
            ),
            (
                FEES_TITLE,
                Document.Kind.FEES,
                False,
                "按本届理事会的单位类别，每年缴纳一次",
                f"{FEES_TITLE}.pdf",
                _fees_pdf,
            ),
        ),
        start=1,
    ):
        if Document.objects.filter(title=title).exists():
            tally.unchanged += 1
            continue
        Document.objects.create(
            title=title,
            kind=kind,
            is_public=is_public,
            description=description,
            filename=filename,
            file=checked_attachment(SimpleUploadedFile(filename, make())),
            position=position,
        )
        tally.created += 1


def _charter_pdf() -> bytes:
    return pdf_bytes(
        title=CHARTER_TITLE,
        author=facts.ASSOCIATION,
        sections=[
            (
                "第一章　总则",
                [
                    f"第一条　本会名称为{facts.ASSOCIATION}（英文名称 Zhejiang Instrument & Meter "
                    "Industry Association），简称浙仪协。",
                    "第二条　本会是由本省仪器仪表及相关行业的企业、事业单位自愿结成的行业性、"
                    "非营利性社会组织。",
                    "第三条　本会的宗旨是：为会员服务，为行业服务，为政府服务；"
                    "促进仪器仪表行业的技术进步和健康发展。",
                ],
            ),
            (
                "第二章　业务范围",
                [
                    "第四条　本会开展行业调查研究、技术交流与培训、标准宣贯、"
                    "展览展示、信息服务等活动，编印《会刊》。",
                ],
            ),
            (
                "第三章　会员",
                [
                    "第五条　本会实行单位会员制。申请加入本会的单位，应拥护本会章程，"
                    "有加入本会的意愿，在本会业务领域内具有一定的影响。",
                    "第六条　会员享有选举权、被选举权和表决权，参加本会的活动，"
                    "获得本会服务；履行本会决议，按规定缴纳会费。",
                ],
            ),
            (
                "第四章　组织机构",
                [
                    "第七条　本会的最高权力机构是会员大会；理事会是会员大会的执行机构，"
                    "每届任期五年。",
                ],
            ),
        ],
    )


def _application_form_xlsx() -> bytes:
    with translation.override("zh-hans"):
        cities = "、".join(str(label) for value, label in City.choices if value != City.OTHER)
    return form_xlsx(
        title="入会申请表",
        fields=[
            ("单位名称", "营业执照上的全称"),
            ("统一社会信用代码", "18位"),
            ("所在城市", cities),
            ("单位地址", ""),
            ("法定代表人", ""),
            ("主营产品", ""),
            ("工作联系人", "协会日常联络的负责人"),
            ("联系人职务", ""),
            ("联系人手机", ""),
            ("联系人电子邮箱", "通知公告将发送至此邮箱"),
            ("申请类别", "会员单位 / 理事单位"),
            ("单位简介", "300字以内"),
        ],
    )


def _fees_pdf() -> bytes:
    term = Term.objects.current().first()
    amounts = {
        fee.role: fee.amount for fee in FeeSchedule.objects.filter(term=term).order_by("role")
    }
    with translation.override("zh-hans"):
        rows = [
            [str(label), f"{amounts[role]:,.0f}"]
            for role, label in SeatRole.choices
            if role in amounts
        ]
    return pdf_bytes(
        title=FEES_TITLE,
        author=facts.ASSOCIATION,
        sections=[
            (
                "",
                [
                    f"根据本会章程，会员单位按其在{term.name if term else '本届理事会'}中的"
                    "单位类别缴纳年度会费，标准如下：",
                ],
            )
        ],
        table=[["单位类别", "年度会费（元）"], *rows],
        after_table=[
            "会费每年缴纳一次"
            + ("，年中入会的单位自入会当月起按月折算。" if settings.DUES_PRO_RATA else "。")
            + "缴费后，秘书处开具会费收据；需要发票的单位，工作联系人登录后在“会费”页面申请。",
        ],
    )


_TRAINING_BODY = """
<p>各会员单位、有关单位：</p>
<p>为帮助会员单位技术人员及时了解仪器仪表行业的新技术、新标准，本会定于2027年3月在杭州举办2027年度仪器仪表行业新技术培训班。现将有关事项通知如下：</p>
<p><strong>一、培训内容</strong></p>
<ol>
<li>工业自动化仪表与控制系统的新技术；</li>
<li>智能传感器与工业物联网应用；</li>
<li>计量器具相关标准与检定规程解读。</li>
</ol>
<p><strong>二、时间地点</strong></p>
<p>2027年3月，为期两天，地点在杭州（具体日期与地点另行通知）。</p>
<p><strong>三、报名方式</strong></p>
<p>请填写附件中的报名表，发送至协会秘书处。会员单位学员免收培训费。</p>
<p>特此通知。</p>
""".strip()

_COUNCIL_MEETING_BODY = """
<p>各理事长、副理事长、理事单位：</p>
<p>经研究，本会定于近期在杭州召开第七届理事会第三次会议，审议协会年度工作报告、财务报告及下一年度工作计划。</p>
<p>请各单位确认参会人员，并于回执截止时间前在网上填写回执（邮件中的“填写回执”链接，或登录后在本通知页面填写）。</p>
<p>特此通知。</p>
""".strip()

_CITY_BODY = """
<p>杭州地区各会员单位：</p>
<p>为听取会员单位对协会工作的意见和建议，本会将召开杭州地区会员单位工作联系人座谈会。请各单位工作联系人准时参加，时间、地点另行通知。</p>
<p>特此通知。</p>
""".strip()
