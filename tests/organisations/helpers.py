"""Licence files and registration data for the employer tests."""
from __future__ import annotations

import io

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gradreg.common.ids import make_credit_code

STRONG = "Lanmei-Qiuyu-2027"  # passes every configured validator


def png(name: str = "营业执照.png") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def pdf(name: str = "营业执照.pdf") -> SimpleUploadedFile:
    body = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def registration(n: int = 201, **over) -> dict:
    """A complete, valid registration (the licence included); override any field."""
    data = {
        "name": "广州新注册科技有限公司",
        "credit_code": make_credit_code(n),
        "nature_code": "39",
        "industry_code": "34",
        "region_code": "440106",
        "address": "广州市天河区天河路1号",
        "contact_name": "陈经理",
        "contact_phone": "13800138000",
        "username": f"gzreg{n}",
        "password": STRONG,
        "password_confirm": STRONG,
        "licence": png(),
    }
    data.update(over)
    return data


def stored_licences() -> list[str]:
    """Every licence file in storage (test settings keep them in memory)."""
    found: list[str] = []

    def walk(path: str) -> None:
        try:
            dirs, files = default_storage.listdir(path)
        except FileNotFoundError:
            return
        found.extend(f"{path}/{f}" for f in files)
        for d in dirs:
            walk(f"{path}/{d}")

    walk("employer-licences")
    return found
