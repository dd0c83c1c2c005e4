"""An import's upload, kept between its preview and its confirmation (the admin's importers).

The preview page stores the uploaded bytes in the private storage under a
random key, never a path the browser chooses, and hands the browser a signed
token carrying that key (and the worksheet, and whatever else the importer
wants back unchanged). The confirmation opens the upload from the token: a
token not signed by this site with this importer's salt, or older than
``MAX_AGE``, or whose file is gone, is PermissionDenied (403). Used by
``members.import_admin`` and ``awards.import_admin``.
"""

import secrets

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile

from config.private_files import private_storage

MAX_AGE = 6 * 3600
SUFFIXES = ("xlsx", "csv")


def safe_suffix(name: str) -> str:
    """The upload's suffix when it is one the importers read, else ``bin``."""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return suffix if suffix in SUFFIXES else "bin"


class PendingUploads:
    """One importer's uploads: ``imports/<prefix>-<key>`` in the private storage."""

    def __init__(self, prefix: str, *, salt: str, max_age: int = MAX_AGE):
        self.prefix, self.salt, self.max_age = prefix, salt, max_age

    def stored_name(self, key: str) -> str:
        return f"imports/{self.prefix}-{key}"

    def keep(self, content: bytes, *, file_name: str, sheet: str = "", **data) -> str:
        """Store ``content`` under a new key; the signed token of the key, sheet and ``data``."""
        key = secrets.token_urlsafe(16) + "-" + safe_suffix(file_name)
        private_storage().save(self.stored_name(key), ContentFile(content))
        return signing.dumps({**data, "key": key, "sheet": sheet or ""}, salt=self.salt)

    def token_data(self, token: str) -> dict:
        """What the token carries (``key``, ``sheet`` and the rest); PermissionDenied else."""
        try:
            data = signing.loads(token, salt=self.salt, max_age=self.max_age)
            if not isinstance(data, dict) or not isinstance(data["key"], str):
                raise TypeError
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            raise PermissionDenied("not an upload of this site, or an expired one") from None
        return data

    def open(self, token: str) -> tuple[str, bytes, str]:
        """The key, bytes and worksheet of the upload of ``token``; PermissionDenied else."""
        data = self.token_data(token)
        key, sheet = data["key"], data.get("sheet") or ""
        storage = private_storage()
        if not storage.exists(self.stored_name(key)):
            raise PermissionDenied("the upload is gone")
        with storage.open(self.stored_name(key), "rb") as stored:
            return key, stored.read(), sheet

    def discard(self, key: str) -> None:
        private_storage().delete(self.stored_name(key))
