"""Files for upload tests (real images, disguised scripts, decompression bombs) and forms."""

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.accounts.builders import credit_code


def png_bytes(width: int = 64, height: int = 48, colour=(31, 95, 139)) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", (width, height), colour)
    image.save(out, format="PNG", pnginfo=_png_text("Comment", "secret metadata"))
    return out.getvalue()


def _png_text(key: str, value: str):
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text(key, value)
    return info


def jpeg_bytes(width: int = 64, height: int = 48) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, format="JPEG")
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header_only(width: int, height: int) -> bytes:
    """A PNG claiming ``width`` × ``height`` pixels in a few dozen bytes: a decompression bomb."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    idat = zlib.compress(b"\x00" * 16)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", idat)
        + _chunk(b"IEND", b"")
    )


PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    b"xref\n0 3\n0000000000 65535 f \n0000000009 00000 n \n0000000058 00000 n \n"
    b"trailer\n<< /Size 3 /Root 1 0 R >>\nstartxref\n109\n%%EOF\n"
)
PHP = b"<?php system($_GET['c']); ?>\n"
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


def upload(name: str, content: bytes, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def application_form(**overrides) -> dict:
    data = {
        "company_name": "宁波示例仪表科技有限公司",
        "short_name": "示例仪表",
        "credit_code": credit_code(77).lower(),
        "city": "ningbo",
        "industry": "",
        "address": "宁波市鄞州区示例路1号",
        "website": "https://www.example.com",
        "introduction": "专业从事智能水表研发与生产。",
        "contact_name": "王芳",
        "contact_title": "总经理助理",
        "contact_email": "WangFang@Example.com",
        "contact_phone": "0574-88888888",
        "business_licence": upload("营业执照.pdf", PDF, "application/pdf"),
        "fax": "",
    }
    data.update(overrides)
    return data
