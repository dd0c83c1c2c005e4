"""Checking uploaded files by their content, never by their name.

A logo must be a PNG or JPEG image that Pillow can decode; it is re-encoded
(which drops metadata and anything hidden after the image data) and given a
random name. A business licence must be a PDF, or a PNG or JPEG image
(re-encoded the same way). Refused files raise ValidationError with a
message for the person who sent them; nothing is written to storage here.
"""

import io
import uuid
import warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_SIDE = 4096
LICENCE_MAX_BYTES = 10 * 1024 * 1024
# A scan of an A4 page at 600 dpi is about 35 million pixels.
LICENCE_MAX_PIXELS = 50_000_000
PDF_TAIL_BYTES = 2048

IMAGE_FORMATS = {"PNG": "png", "JPEG": "jpg"}


def _random_name(extension: str) -> str:
    return f"{uuid.uuid4().hex}.{extension}"


def _check_size(upload: UploadedFile, limit: int) -> None:
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s): the limit is %(limit)s."),
            code="too_large",
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
        )
    if not upload.size:
        raise ValidationError(_("The file is empty."), code="empty")


def _read(upload: UploadedFile) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


def _reencoded_image(
    data: bytes, *, max_width: int, max_height: int, max_pixels: int, not_an_image
) -> tuple[bytes, str]:
    """Decode ``data`` as PNG or JPEG within the limits; return the re-encoded bytes and extension.

    Pillow refuses an image of more than twice ``Image.MAX_IMAGE_PIXELS``
    before decoding it (DecompressionBombError) and warns above it; the
    warning is made an error here, and the limits given are checked from
    the header, before any pixel is decoded.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                image_format = probe.format
                width, height = probe.size
                if image_format not in IMAGE_FORMATS:
                    raise ValidationError(not_an_image, code="format")
                if width > max_width or height > max_height or width * height > max_pixels:
                    raise ValidationError(
                        _(
                            "The image is %(width)d × %(height)d pixels; "
                            "the limit is %(max_width)d × %(max_height)d."
                        ),
                        code="dimensions",
                        params={
                            "width": width,
                            "height": height,
                            "max_width": max_width,
                            "max_height": max_height,
                        },
                    )
                probe.verify()
            # verify() leaves the image unusable: open it again to decode it.
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                return _encode(image, image_format)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            _("The image is too large to open safely (too many pixels)."), code="bomb"
        ) from None
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise ValidationError(not_an_image, code="format") from None


def _encode(image: Image.Image, source_format: str) -> tuple[bytes, str]:
    """PNG for images with transparency or from PNG, else JPEG; no metadata is copied."""
    out = io.BytesIO()
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    if source_format == "PNG" or has_alpha:
        if image.mode not in ("RGB", "RGBA", "L", "LA"):
            image = image.convert("RGBA" if has_alpha else "RGB")
        image.save(out, format="PNG", optimize=True)
        return out.getvalue(), "png"
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    image.save(out, format="JPEG", quality=90, optimize=True)
    return out.getvalue(), "jpg"


def checked_logo(upload: UploadedFile) -> ContentFile:
    """The logo re-encoded under a random name, or ValidationError.

    PNG or JPEG, at most 2 MB and 4096 × 4096 pixels.
    """
    _check_size(upload, LOGO_MAX_BYTES)
    data, extension = _reencoded_image(
        _read(upload),
        max_width=LOGO_MAX_SIDE,
        max_height=LOGO_MAX_SIDE,
        max_pixels=LOGO_MAX_SIDE * LOGO_MAX_SIDE,
        not_an_image=_("Upload the logo as a PNG or JPEG image; this file is not one."),
    )
    return ContentFile(data, name=_random_name(extension))


def _check_pdf(data: bytes) -> None:
    """A minimal parse: the PDF header, a cross-reference pointer and the end-of-file marker."""
    tail = data[-PDF_TAIL_BYTES:]
    if (
        not (data.startswith(b"%PDF-1.") or data.startswith(b"%PDF-2."))
        or b"%%EOF" not in tail
        or b"startxref" not in tail
    ):
        raise ValidationError(
            _("This PDF file is damaged or incomplete; please save it again and upload it."),
            code="pdf",
        )


def checked_licence(upload: UploadedFile) -> ContentFile:
    """The business licence under a random name, or ValidationError.

    A PDF (kept as sent) or a PNG or JPEG image (re-encoded), at most 10 MB.
    """
    _check_size(upload, LICENCE_MAX_BYTES)
    data = _read(upload)
    if data.startswith(b"%PDF-"):
        _check_pdf(data)
        return ContentFile(data, name=_random_name("pdf"))
    data, extension = _reencoded_image(
        data,
        max_width=20_000,
        max_height=20_000,
        max_pixels=LICENCE_MAX_PIXELS,
        not_an_image=_(
            "Upload the business licence as a PDF file or a PNG or JPEG image; "
            "this file is none of these."
        ),
    )
    return ContentFile(data, name=_random_name(extension))
