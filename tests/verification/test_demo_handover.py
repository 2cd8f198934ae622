"""The demo data `make run` shows for 登记确认 and 户档转递与核验信息 (README)."""
from __future__ import annotations

from django.urls import reverse

from gradreg.accounts.models import User
from gradreg.verification.models import Confirmation, ConfirmationStatus, TransferCode
from tests.test_seed import seeded  # noqa: F401 - the fixture


def test_demo_confirmations_and_archive_transfer_codes(seeded, client):  # noqa: F811
    statuses = sorted(Confirmation.objects.filter(school__code="10001").values_list("status", flat=True))
    assert statuses == sorted([ConfirmationStatus.CORRECT] * 2 + [ConfirmationStatus.WRONG])
    codes = TransferCode.objects.filter(school__code="10001", kind="archive")
    assert codes.exists() and not codes.filter(stale_at__isnull=False).exists()
    client.force_login(User.objects.get(username="s10001_d01"))
    page = client.get(reverse("handover:transfers", args=["archive"])).content.decode()
    assert "有效" in page and codes.first().graduate.name in page
    assert client.get(reverse("confirmation:list")).status_code == 200
