"""The check is opened by scanning a QR code: on a 390 px phone it reads without sideways scrolling."""
from __future__ import annotations

import pytest
from django.urls import reverse

from gradreg.signing.models import SigningStatus as S
from tests.signing.conftest import signing_env, signing_in  # noqa: F401  (a fixture)

from .conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("signing_env")]


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_scanned_page_fits_a_phone(phone, world, tmp_path):
    s = signing_in(world, S.SIGNED)
    phone.goto(reverse("verification:agreement", args=[s.verify_token]))
    phone.get_by_text("协议书真实有效").wait_for()
    assert phone.get_by_text(s.agreement_no).is_visible()
    assert _fits(phone)
    shot(phone, "verify-agreement-phone")

    foreign = tmp_path / "别处的协议书.pdf"
    foreign.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    phone.set_input_files("input[type=file]", str(foreign))
    phone.get_by_role("button", name="核验").click()
    phone.get_by_text("不是本平台签发的协议书").first.wait_for()
    assert _fits(phone)
    shot(phone, "verify-upload-phone")
