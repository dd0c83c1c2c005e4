"""Checking the files of notices and documents by their content, never by their name.

An attachment (NoticeAttachment) or a document (Document) is one of: a PDF
(checked as members.uploads checks a business licence); a Word, Excel or
PowerPoint file of Office 2007 or later (.docx, .xlsx, .pptx: a zip with
``[Content_Types].xml`` and the parts of its kind, without macros); an older
Word, Excel or PowerPoint file (.doc, .xls, .ppt: an OLE compound file with
the stream of its kind, without macros or a password); or a PNG or JPEG image,
decoded and re-encoded by Pillow. At most 20 MB. The file is stored under a
random name with the extension of what it is; the form keeps the name it was
sent with for showing and downloading (``name`` / ``filename``). Refused
files raise ValidationError with a message for the secretariat; nothing is
written to storage here.
"""

import io
import zipfile

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from members.uploads import (
    LICENCE_MAX_PIXELS,
    _check_pdf,
    _check_size,
    _random_name,
    _read,
    _reencoded_image,
)

ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
IMAGE_MAX_SIDE = 20_000

OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_MAGIC = b"PK\x03\x04"
# The part whose folder says which Office 2007+ file a zip is.
OFFICE_FOLDERS = {"word/": "docx", "xl/": "xlsx", "ppt/": "pptx"}
CONTENT_TYPES = "[Content_Types].xml"
CONTENT_TYPES_MAX_BYTES = 1024 * 1024
# The stream of an old Office file that says which program wrote it.
OLE_STREAMS = (
    ("WordDocument", "doc"),
    ("Workbook", "xls"),
    ("Book", "xls"),
    ("PowerPoint Document", "ppt"),
)
OLE_STREAM, OLE_STORAGE = 2, 1
OLE_ENTRY_BYTES = 128

NOT_ACCEPTED = _(
    "Upload a PDF, a Word, Excel or PowerPoint file, or a PNG or JPEG image; "
    "this file is none of these."
)
MACROS = _("Files with macros are not accepted: save it without macros and upload it again.")


def _office_extension(data: bytes) -> str:
    """The extension of an Office 2007+ file (a zip), or ValidationError."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = {info.filename: info for info in archive.infolist()}
            content_types = infos.get(CONTENT_TYPES)
            if content_types is None or content_types.file_size > CONTENT_TYPES_MAX_BYTES:
                raise ValidationError(NOT_ACCEPTED, code="format")
            types = archive.read(content_types).lower()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        raise ValidationError(NOT_ACCEPTED, code="format") from None
    if b"macroenabled" in types or any(name.lower().endswith("vbaproject.bin") for name in infos):
        raise ValidationError(MACROS, code="macros")
    for folder, extension in OFFICE_FOLDERS.items():
        if any(name.startswith(folder) for name in infos):
            return extension
    raise ValidationError(NOT_ACCEPTED, code="format")


def _ole_entry(data: bytes, name: str, kind: int) -> bool:
    """Whether the compound file has a directory entry ``name`` of this kind.

    A directory entry is 128 bytes, aligned on 128 in the file: the name in
    UTF-16 with its terminator, its length in bytes at 64 and its type at 66.
    """
    encoded = (name + "\0").encode("utf-16-le")
    start = 0
    while (found := data.find(encoded, start)) != -1:
        if (
            found % OLE_ENTRY_BYTES == 0
            and int.from_bytes(data[found + 64 : found + 66], "little") == len(encoded)
            and data[found + 66 : found + 67] == bytes([kind])
        ):
            return True
        start = found + 1
    return False


def _ole_extension(data: bytes) -> str:
    """The extension of an older Word, Excel or PowerPoint file, or ValidationError."""
    if _ole_entry(data, "EncryptedPackage", OLE_STREAM):
        raise ValidationError(
            _("The file is protected by a password: remove it and upload the file again."),
            code="encrypted",
        )
    if _ole_entry(data, "VBA", OLE_STORAGE) or _ole_entry(data, "Macros", OLE_STORAGE):
        raise ValidationError(MACROS, code="macros")
    for stream, extension in OLE_STREAMS:
        if _ole_entry(data, stream, OLE_STREAM):
            return extension
    raise ValidationError(NOT_ACCEPTED, code="format")


def checked_attachment(upload: UploadedFile) -> ContentFile:
    """The file under a random name with the extension of its content, or ValidationError.

    PDF, .docx/.xlsx/.pptx and .doc/.xls/.ppt files are kept as sent; PNG
    and JPEG images are re-encoded (metadata dropped). At most 20 MB.
    """
    _check_size(upload, ATTACHMENT_MAX_BYTES)
    data = _read(upload)
    if data.startswith(b"%PDF-"):
        _check_pdf(data)
        return ContentFile(data, name=_random_name("pdf"))
    if data.startswith(ZIP_MAGIC):
        return ContentFile(data, name=_random_name(_office_extension(data)))
    if data.startswith(OLE_MAGIC):
        return ContentFile(data, name=_random_name(_ole_extension(data)))
    data, extension = _reencoded_image(
        data,
        max_width=IMAGE_MAX_SIDE,
        max_height=IMAGE_MAX_SIDE,
        max_pixels=LICENCE_MAX_PIXELS,
        not_an_image=NOT_ACCEPTED,
    )
    return ContentFile(data, name=_random_name(extension))


def shown_name(upload: UploadedFile, limit: int = 200) -> str:
    """The name the file was sent with, shortened to ``limit`` characters keeping its extension."""
    name = (upload.name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1].strip()
    if len(name) <= limit:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or len(extension) > 10:
        return name[:limit]
    return stem[: limit - len(extension) - 1] + "." + extension
