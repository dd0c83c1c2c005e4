"""Private files: stored outside MEDIA_ROOT, answered only by views that check access.

Files no visitor may fetch by URL (business licences; later members-only
documents, receipts, invoices) are kept by ``PrivateStorage`` under
PRIVATE_MEDIA_ROOT, which no web server maps to a URL. A model field takes
it with ``storage=private_storage``; a view checks who asks, then answers
with ``private_file_response()``. Behind nginx (PRIVATE_FILES_X_ACCEL=true)
that response is empty and nginx sends the file itself from its internal
``/_private/`` location (deploy/nginx/xiehui.conf.template), so a worker is
not held up streaming it; without nginx, Django streams the file.
"""

import mimetypes
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property
from django.utils.http import content_disposition_header

# nginx's internal location for PRIVATE_MEDIA_ROOT (deploy/nginx/xiehui.conf.template).
X_ACCEL_PREFIX = "/_private/"


@deconstructible(path="config.private_files.PrivateStorage")
class PrivateStorage(FileSystemStorage):
    """Files under PRIVATE_MEDIA_ROOT; they have no URL.

    ``url()`` raises instead of making up a /media/ address: a template or
    widget that asks for one is a mistake to see at once, not a link to hide.
    """

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    def url(self, name):
        raise ValueError(
            f"{name!r} is a private file and has no URL: "
            "answer it from a view with config.private_files.private_file_response()"
        )

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)


def private_storage() -> PrivateStorage:
    """The private storage (STORAGES["private"]), for a FileField's ``storage=``."""
    return storages["private"]


def private_file_response(
    file: FieldFile,
    *,
    filename: str,
    as_attachment: bool = True,
    content_type: str | None = None,
) -> HttpResponse:
    """The response that hands ``file`` to whoever the calling view let through.

    ``file`` is the value of a FileField on the private storage; ``filename``
    is the name the browser shows or saves (any characters: it is sent as
    RFC 6266 ``filename*=utf-8''…`` when not plain ASCII); ``as_attachment``
    asks the browser to download rather than display it. The content type is
    guessed from ``filename`` unless given. A file missing from the storage
    is a 404. The view is responsible for access checks and for caching
    headers (admin views are never cached already).
    """
    if not isinstance(file.storage, PrivateStorage):
        raise ValueError(f"{file.name!r} is not in the private storage")
    if not file or not file.storage.exists(file.name):
        raise Http404
    if content_type is None:
        guessed, _encoding = mimetypes.guess_type(filename, strict=False)
        content_type = guessed or "application/octet-stream"
    if not settings.PRIVATE_FILES_X_ACCEL:
        return FileResponse(
            file.open("rb"),
            as_attachment=as_attachment,
            filename=filename,
            content_type=content_type,
        )
    response = HttpResponse(content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    # The storage's name, percent-encoded: nginx decodes it and serves the
    # file under its internal location (which no request from outside reaches).
    response["X-Accel-Redirect"] = X_ACCEL_PREFIX + quote(file.name)
    return response
