"""Who a notice is for, who may read it, and the lists of the public and the contact's pages.

The audience is resolved twice, in the same terms: ``audience_contacts`` lists
the contacts a notice is mailed to, and ``readable_by`` filters notices to
those a signed-in contact may read (public ones, and the members-only ones
whose audience includes the contact). Either is one query.
"""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Lower

from events.models import Registration
from members.models import Company, Contact, CouncilSeat, Term

from .models import Audience, Document, Notice, NoticeAttachment, NoticeRead, NoticeReply


def active_contacts() -> QuerySet[Contact]:
    """Contacts who can get mail about the association: active users of active companies."""
    return Contact.objects.filter(user__is_active=True, company__status=Company.Status.ACTIVE)


def _registered(event_id) -> QuerySet[Registration]:
    return Registration.objects.filter(event_id=event_id).exclude(
        status=Registration.Status.CANCELLED
    )


def audience_contacts(notice: Notice) -> QuerySet[Contact]:
    """The contacts ``notice`` is mailed to, each once, with user and company; one query.

    Public notices and those to all members go to every active contact;
    by roles, to the contacts of companies seated with those roles in the
    current term; by places, of companies in one of the cities (when any is
    given) and one of the industries (when any is given); the chosen
    companies; for an event, the contacts who registered someone for it or
    are registered themselves (not cancelled).
    """
    contacts = active_contacts().select_related("user", "company")
    match notice.audience:
        case Audience.PUBLIC | Audience.MEMBERS:
            pass
        case Audience.ROLES:
            seats = CouncilSeat.objects.filter(
                term__in=Term.objects.current(), role__in=notice.roles or [-1]
            )
            contacts = contacts.filter(company__in=seats.values("company_id"))
        case Audience.PLACES:
            if notice.cities:
                contacts = contacts.filter(company__city__in=notice.cities)
            industries = notice.industries.values("pk")
            if notice.pk and industries.exists():
                contacts = contacts.filter(company__industry__in=industries)
            if not notice.cities and not (notice.pk and industries.exists()):
                contacts = contacts.none()
        case Audience.COMPANIES:
            contacts = (
                contacts.filter(company__in=notice.companies.values("pk"))
                if notice.pk
                else contacts.none()
            )
        case Audience.EVENT:
            registered = _registered(notice.event_id)
            # User emails are stored lower-case; an attendee's may have been typed otherwise.
            contacts = contacts.filter(
                Q(pk__in=registered.values("registered_by_id"))
                | Q(user__email__in=registered.values(email=Lower("attendee_email")))
            )
    return contacts.order_by("company__name", "-is_primary", "user__name", "pk")


def _readable_condition(contact: Contact) -> Q:
    """The notices ``contact`` may read, as a condition on Notice rows (one query, for roles)."""
    company = contact.company
    chosen = Notice.companies.through.objects.filter(
        notice_id=OuterRef("pk"), company_id=company.pk
    )
    industries = Notice.industries.through.objects.filter(notice_id=OuterRef("pk"))
    registered = _registered(OuterRef("event_id")).filter(
        Q(registered_by_id=contact.pk) | Q(attendee_email__iexact=contact.user.email)
    )
    roles = list(
        CouncilSeat.objects.filter(company_id=company.pk, term__is_current=True).values_list(
            "role", flat=True
        )
    )
    by_place = (
        Q(audience=Audience.PLACES)
        & (~Q(cities=[]) | Exists(industries))
        & (Q(cities=[]) | Q(cities__contains=[company.city or "-"]))
        & (~Exists(industries) | Exists(industries.filter(industrysegment_id=company.industry_id)))
    )
    return (
        Q(audience__in=[Audience.PUBLIC, Audience.MEMBERS])
        | Q(audience=Audience.ROLES, roles__overlap=roles or [-1])
        | by_place
        | (Q(audience=Audience.COMPANIES) & Exists(chosen))
        | (Q(audience=Audience.EVENT) & Exists(registered))
    )


def contact_of(user) -> Contact | None:
    """The user's contact (with company and user), or None: staff, anonymous, or no contact."""
    if not user.is_authenticated or not user.is_active:
        return None
    return Contact.objects.select_related("company", "user").filter(user=user).first()


def is_member_reader(user) -> bool:
    """May read what is for members only: a contact of an active company, or the secretariat."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_staff:
        return True
    return active_contacts().filter(user=user).exists()


def readable_by(contact: Contact | None, *, staff: bool = False) -> QuerySet[Notice]:
    """Published notices the reader may see: public ones, and for a contact their members' ones."""
    notices = Notice.objects.published()
    if staff:
        return notices
    if contact is None or contact.company.status != Company.Status.ACTIVE:
        return notices.filter(audience=Audience.PUBLIC)
    return notices.filter(_readable_condition(contact))


def notice_list(contact: Contact | None, *, staff: bool = False) -> QuerySet[Notice]:
    """The board: pinned first, then newest; with the attachment count."""
    return (
        readable_by(contact, staff=staff)
        .annotate(attachment_count=Count("attachments"))
        .order_by("-is_pinned", "-published_at", "-pk")
    )


def notice_detail(pk: int, contact: Contact | None, *, staff: bool = False) -> Notice | None:
    """The notice with its attachments, if the reader may read it; else None (a 404)."""
    return (
        readable_by(contact, staff=staff)
        .prefetch_related(
            Prefetch("attachments", queryset=NoticeAttachment.objects.order_by("position", "pk"))
        )
        .filter(pk=pk)
        .first()
    )


def home_notices(limit: int = 5) -> list[Notice]:
    """The 通知公告 box on the home page: public notices only (the page is cached for all)."""
    return list(Notice.objects.public().order_by("-is_pinned", "-published_at", "-pk")[:limit])


def read_notice_ids(contact: Contact, notice_ids: list[int]) -> set[int]:
    """Which of these notices the contact has opened; one query."""
    return set(
        NoticeRead.objects.filter(contact=contact, notice_id__in=notice_ids).values_list(
            "notice_id", flat=True
        )
    )


def contact_notices(contact: Contact) -> QuerySet[Notice]:
    """The notices a contact may read (public ones too), with their read and reply state.

    Annotated ``is_read`` and prefetched ``my_replies`` (a list of at most
    one); the page is two queries whatever the number of notices.
    """
    return (
        readable_by(contact)
        .annotate(
            is_read=Exists(NoticeRead.objects.filter(notice_id=OuterRef("pk"), contact=contact)),
        )
        .prefetch_related(
            Prefetch(
                "replies",
                queryset=NoticeReply.objects.filter(contact=contact),
                to_attr="my_replies",
            )
        )
        .order_by("-is_pinned", "-published_at", "-pk")
    )


def documents_for(user) -> QuerySet[Document]:
    return Document.objects.visible_to(user)
