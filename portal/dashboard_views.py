"""The dashboard's part of the admin's front page, and each figure's Excel download.

``XiehuiAdminSite.index`` puts ``dashboard_context`` on the page; the site's
``dashboard/export/?figure=…&year=…`` (``admin:dashboard_export``) is
``dashboard_export``. Both show a figure only to a user with its view
permission (portal.dashboard.SPECS); a figure the user may not see answers
403 to its download.
"""

import re

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import translation

from portal.dashboard import SPECS, Dashboard, chosen_year, offered_years, page_sections
from portal.spreadsheets import xlsx_response


def dashboard_context(request) -> dict:
    if not any(request.user.has_perm(spec.permission) for spec in SPECS.values()):
        return {"dashboard": Dashboard(), "dashboard_sections": []}
    years = offered_years()
    dashboard = Dashboard(chosen_year(request.GET.get("year"), years))
    return {
        "dashboard": dashboard,
        "dashboard_year": dashboard.year,
        "dashboard_years": years,
        "dashboard_sections": page_sections(request.user, dashboard),
    }


def dashboard_export(request):
    spec = SPECS.get(request.GET.get("figure", ""))
    if spec is None:
        raise Http404("No such figure.")
    if not request.user.has_perm(spec.permission):
        raise PermissionDenied
    # The file is in Chinese whatever the language of the page, like the lists' exports.
    with translation.override("zh-hans"):
        dashboard = Dashboard(chosen_year(request.GET.get("year"), offered_years()))
        if spec.key.endswith("_deliveries"):
            dashboard.sources = (spec.key.removesuffix("_deliveries"),)
        figure = dashboard.build(spec.key)
        return xlsx_response(
            filename=f"{figure.title}.xlsx",
            title=sheet_title(figure.title),
            headers=figure.headers,
            rows=figure.sheet_rows(),
        )


def sheet_title(title: str) -> str:
    """``title`` as a sheet's name: without ``\\ / ? * [ ] :`` (Excel refuses them), 31 long."""
    return re.sub(r"[\\/?*\[\]:，]+", " ", title).strip()[:31] or "Sheet"
