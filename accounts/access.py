"""Who may see what on the member pages: a signed-in contact, and their own company only.

Every member view is ``@login_required`` and starts with ``contact_for``;
every object it looks up is filtered by ``company=contact.company``, so the
objects of another company answer 404 as if they did not exist.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from members.models import Contact


def contact_for(request) -> Contact:
    """The signed-in user's contact, with company and user; 404 for anyone else."""
    user = request.user
    if not user.is_authenticated or not user.is_active:
        raise Http404("Not a contact")
    contact = (
        Contact.objects.select_related("company", "company__industry", "user")
        .filter(user=user)
        .first()
    )
    if contact is None:
        raise Http404("Not a contact")
    return contact


def primary_contact_for(request) -> Contact:
    """The signed-in user's contact if they are their company's primary contact, else 403."""
    contact = contact_for(request)
    if not contact.is_primary:
        raise PermissionDenied("Only the primary contact")
    return contact
