"""The contact's dues page (/account/dues/): bills, receipts, 发票 requests; own company only.

Every view starts with ``accounts.access.contact_for`` and filters by the
contact's company, so another company's bill, receipt or invoice answers 404.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.access import contact_for
from config.private_files import private_file_response

from . import selectors, services
from .forms import InvoiceRequestForm
from .models import InvoiceRequest, Payment
from .receipts import receipt_pdf


def receipt_response(payment: Payment) -> HttpResponse:
    """The receipt PDF as a download named after its number (shared with the back office)."""
    response = HttpResponse(receipt_pdf(payment), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"收据-{payment.receipt_number}.pdf"
    )
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
@login_required
def account_dues(request):
    contact = contact_for(request)
    bills = selectors.company_bills(contact.company_id)
    return render(
        request,
        "dues/account_dues.html",
        {"contact": contact, "bills": bills, "bank": settings.DUES_BANK_ACCOUNT},
    )


def _own_payment(contact, pk: int) -> Payment:
    return get_object_or_404(
        Payment.objects.select_related("bill__company", "recorded_by"),
        pk=pk,
        bill__company_id=contact.company_id,
    )


@login_required
def receipt_download(request, pk: int):
    return receipt_response(_own_payment(contact_for(request), pk))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def invoice_request(request, pk: int):
    contact = contact_for(request)
    payment = _own_payment(contact, pk)
    if hasattr(payment, "invoice_request"):
        messages.info(request, _("An invoice has already been asked for this payment."))
        return redirect("accounts:dues")
    company = contact.company
    form = InvoiceRequestForm(
        request.POST or None,
        initial={
            "title": company.name,
            "tax_number": company.credit_code,
            "email": contact.user.email,
            "address_phone": " ".join(part for part in (company.address, company.phone) if part),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.invoice_request_create(payment=payment, contact=contact, **form.cleaned_data)
        except services.DuesError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _(
                    "Your invoice request was sent to the secretariat; you will be mailed when "
                    "it is issued."
                ),
            )
            return redirect("accounts:dues")
    return render(
        request,
        "dues/invoice_request.html",
        {"contact": contact, "payment": payment, "form": form},
    )


@login_required
def invoice_download(request, pk: int):
    contact = contact_for(request)
    invoice = get_object_or_404(
        InvoiceRequest.objects.select_related("payment"),
        pk=pk,
        payment__bill__company_id=contact.company_id,
        status=InvoiceRequest.Status.ISSUED,
    )
    if not invoice.invoice_pdf:
        raise Http404("No e-invoice file")
    return private_file_response(invoice.invoice_pdf, filename=f"发票-{invoice.invoice_number}.pdf")
