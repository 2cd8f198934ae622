"""Generate the development PDF signing key and self-signed certificate into the configured paths."""
from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gradreg.common.pdfsign import generate_signing_key


class Command(BaseCommand):
    help = "生成开发用的 PDF 签名私钥和自签名证书（写入 PDF_SIGNING_KEY / PDF_SIGNING_CERT 所指路径）"

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="覆盖已有的私钥和证书")

    def handle(self, *args, **options):
        if getattr(settings, "GRADREG_ENV", "") == "production":
            # A self-signed development certificate would silently replace the one the operator provisioned.
            raise CommandError("生产环境请使用正式签发的签名证书，禁止生成开发证书。")
        key_path, cert_path = Path(settings.PDF_SIGNING_KEY), Path(settings.PDF_SIGNING_CERT)
        written = generate_signing_key(
            key_path, cert_path, passphrase=settings.PDF_SIGNING_KEY_PASSPHRASE, force=options["force"]
        )
        if not written:
            raise CommandError(f"签名私钥或证书已存在（{key_path}，{cert_path}），如需重新生成请加 --force。")
        self.stdout.write(self.style.SUCCESS(f"已生成签名私钥 {key_path}\n已生成自签名证书 {cert_path}"))
