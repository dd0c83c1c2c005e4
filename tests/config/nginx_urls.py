"""The portal's URLs plus two views the nginx tests look through (ROOT_URLCONF in those tests)."""

from django.db.models.fields.files import FieldFile
from django.http import JsonResponse
from django.urls import path

from config.private_files import private_file_response
from config.urls import urlpatterns as portal_urlpatterns
from members.models import Application


def echo(request):
    """What the app received: the client's address (after the middleware) and nginx's headers."""
    meta = request.META
    return JsonResponse(
        {
            "remote_addr": meta.get("REMOTE_ADDR"),
            "host": meta.get("HTTP_HOST"),
            "forwarded_for": meta.get("HTTP_X_FORWARDED_FOR"),
            "forwarded_proto": meta.get("HTTP_X_FORWARDED_PROTO"),
        }
    )


def private_document(request, name):
    """A private file by its storage name, shown inline (no access check: tests only)."""
    field = Application._meta.get_field("business_licence")
    return private_file_response(
        FieldFile(None, field, name), filename="会员手册.pdf", as_attachment=False
    )


urlpatterns = [
    path("_test/echo/", echo),
    path("_test/private/<path:name>", private_document),
    *portal_urlpatterns,
]
