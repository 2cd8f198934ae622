"""PDF helpers: the embedded Chinese font for reportlab, and the platform's PAdES signature (pyHanko)."""
from __future__ import annotations

import datetime as dt
import fcntl
import functools
import hashlib
import logging
import os
import tempfile
import threading
from io import BytesIO
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import get_pyca_cryptography_hash
from pyhanko.sign.signers import SimpleSigner
from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

logger = logging.getLogger(__name__)

CERT_NAME = "毕业去向登记与网上签约平台（开发）"
CERT_VALID_DAYS = 5 * 365 + 1
SIGNATURE_FIELD = "PlatformSignature"
# The CMS blob (RSA-2048 signature, the certificate, signed attributes) is about 2.5 KB; room for a longer chain.
SIGNATURE_BYTES_RESERVED = 8192

_font_lock = threading.Lock()
_fonts: dict[str, str] = {}  # font file path -> registered reportlab name


# --- font ------------------------------------------------------------------------------------------


def chinese_font() -> str:
    """Register the configured CJK TrueType font with reportlab (once) and return its name."""
    path = Path(settings.PDF_FONT_PATH)
    key = str(path)
    if key in _fonts:
        return _fonts[key]
    if not path.is_file():
        # Without it reportlab would print empty boxes: a document nobody can read must not be issued.
        raise ImproperlyConfigured(
            f"未找到 PDF 中文字体文件 {path}，请安装 fonts-wqy-microhei 软件包（apt-get install fonts-wqy-microhei）"
            f"或用 PDF_FONT_PATH 指定字体。 Chinese PDF font not found at {path}: install the Debian package "
            "fonts-wqy-microhei or set PDF_FONT_PATH."
        )
    with _font_lock:
        if key not in _fonts:
            name = "GradregCJK-" + hashlib.sha256(key.encode()).hexdigest()[:8]
            try:
                # subfontIndex picks the first face of a .ttc collection and is ignored for a .ttf.
                pdfmetrics.registerFont(TTFont(name, key, subfontIndex=0))
            except TTFError as exc:
                raise ImproperlyConfigured(f"PDF_FONT_PATH {path} is not a usable TrueType font: {exc}") from exc
            _allow_chinese_punctuation_hanging()
            _fonts[key] = name
    return _fonts[key]


# Full-width marks that must not begin a line in Chinese text; reportlab's list is drawn from Japanese
# typography and misses these, so a wrapped line could start with "，". Listed ones hang at the line end.
CHINESE_CANNOT_START = "，；：！？”’》」』〉）"


def _allow_chinese_punctuation_hanging() -> None:
    from reportlab.lib import textsplit
    from reportlab.platypus import paragraph

    extra = "".join(c for c in CHINESE_CANNOT_START if c not in paragraph.ALL_CANNOT_START)
    paragraph.ALL_CANNOT_START += extra
    textsplit.ALL_CANNOT_START += extra


# --- key and certificate ---------------------------------------------------------------------------


def generate_signing_key(key_path: Path, cert_path: Path, *, passphrase: str = "", force: bool = False) -> bool:
    """Write a new RSA key and self-signed certificate; False (nothing written) if either file exists and not force."""
    key_path, cert_path = Path(key_path), Path(cert_path)
    key_path.parent.mkdir(parents=True, exist_ok=True)
    cert_path.parent.mkdir(parents=True, exist_ok=True)
    # Test workers and web processes may all find the pair missing at once; one writes, the others wait
    # and then find it in place. Without the lock two writers could leave one's key with the other's cert.
    with open(key_path.parent / ".signing-key.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not force and (key_path.exists() or cert_path.exists()):
                return False
            key_pem, cert_pem = _new_key_and_cert(passphrase)
            _write_atomic(key_path, key_pem, mode=0o600)
            _write_atomic(cert_path, cert_pem, mode=0o644)
            return True
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _new_key_and_cert(passphrase: str) -> tuple[bytes, bytes]:
    # RSA rather than EC: every PDF reader in use in China (Adobe, WPS, Foxit) checks RSA signatures.
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, CERT_NAME),
        x509.NameAttribute(NameOID.COMMON_NAME, CERT_NAME),
    ])
    # A day of slack so a clock a little behind (or a test travelling back a few hours) still sees it valid.
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=CERT_VALID_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=True, key_encipherment=False, data_encipherment=False,
                key_agreement=False, key_cert_sign=False, crl_sign=False, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase.encode()) if passphrase else serialization.NoEncryption()
    )
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    return key_pem, cert.public_bytes(serialization.Encoding.PEM)


def _write_atomic(path: Path, data: bytes, *, mode: int) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _key_paths() -> tuple[Path, Path]:
    key_path, cert_path = Path(settings.PDF_SIGNING_KEY), Path(settings.PDF_SIGNING_CERT)
    if key_path.is_file() and cert_path.is_file():
        return key_path, cert_path
    if getattr(settings, "GRADREG_ENV", "") == "production":
        raise ImproperlyConfigured(f"PDF signing key or certificate missing: {key_path}, {cert_path}")
    passphrase = settings.PDF_SIGNING_KEY_PASSPHRASE
    if generate_signing_key(key_path, cert_path, passphrase=passphrase):
        logger.info("generated a development PDF signing key at %s", key_path)
    if not (key_path.is_file() and cert_path.is_file()):
        raise ImproperlyConfigured(
            f"Only one of {key_path} and {cert_path} exists; run `manage.py make_signing_key --force`"
        )
    return key_path, cert_path


def _signer() -> PlatformSigner:
    key_path, cert_path = _key_paths()
    # The modification times are part of the cache key so a regenerated pair is picked up without a restart.
    return _load_signer(
        str(key_path), str(cert_path), settings.PDF_SIGNING_KEY_PASSPHRASE,
        key_path.stat().st_mtime_ns, cert_path.stat().st_mtime_ns,
    )


class PlatformSigner(SimpleSigner):
    """A pyHanko SimpleSigner that keeps its parsed private key (pyHanko parses it per signature: ~60 ms for RSA)."""

    def __init__(self, *, private_key: PrivateKeyTypes, cert: asn1_x509.Certificate) -> None:
        der = private_key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        super().__init__(
            signing_cert=cert, signing_key=asn1_keys.PrivateKeyInfo.load(der), cert_registry=SimpleCertificateStore()
        )
        self._private_key = private_key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        hash_algo = get_pyca_cryptography_hash(digest_algorithm)
        key = self._private_key
        if mechanism == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, padding.PKCS1v15(), hash_algo)
        if mechanism == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(hash_algo))
        return super().sign_raw(data, digest_algorithm)


@functools.lru_cache(maxsize=4)
def _load_signer(key_path: str, cert_path: str, passphrase: str, _key_mtime: int, _cert_mtime: int) -> PlatformSigner:
    try:
        private_key = serialization.load_pem_private_key(Path(key_path).read_bytes(), passphrase.encode() or None)
        cert = load_cert_from_pemder(cert_path)
    except (OSError, ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            f"Cannot load the PDF signing key {key_path} or certificate {cert_path} "
            f"(wrong PDF_SIGNING_KEY_PASSPHRASE?): {exc}"
        ) from exc
    public_der = private_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    if public_der != cert.public_key.dump():
        raise ImproperlyConfigured(f"PDF signing key {key_path} does not belong to the certificate {cert_path}")
    return PlatformSigner(private_key=private_key, cert=cert)


# --- signing and verification ----------------------------------------------------------------------


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256 of the bytes (the fingerprint stored next to an issued PDF)."""
    return hashlib.sha256(data).hexdigest()


def sign_pdf(data: bytes, *, reason: str, location: str = "") -> bytes:
    """Return the PDF with an invisible PAdES signature by the platform key appended as an incremental update."""
    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        reason=reason,
        location=location or None,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
    )
    writer = IncrementalPdfFileWriter(BytesIO(data))
    # A fixed reservation spares pyHanko a dummy signature made only to measure the size.
    out = signers.sign_pdf(writer, meta, signer=_signer(), bytes_reserved=SIGNATURE_BYTES_RESERVED)
    return out.getvalue()


def verify_pdf_signature(data: bytes) -> bool:
    """True iff the PDF has exactly one signature, by the platform certificate, intact and covering the whole file.

    Call from synchronous code (pyHanko runs its own event loop).
    """
    platform_cert = _signer().signing_cert
    try:
        signatures = PdfFileReader(BytesIO(data), strict=False).embedded_signatures
        if len(signatures) != 1:
            return False
        sig = signatures[0]
        if sig.signer_cert.dump() != platform_cert.dump():
            return False
        # Judged at the moment the platform says it signed: an agreement issued while the certificate was
        # valid stays verifiable after it expires (the platform vouches for its own documents).
        context = ValidationContext(trust_roots=[platform_cert], moment=sig.self_reported_timestamp)
        status = validate_pdf_signature(sig, signer_validation_context=context, skip_diff=True)
    except Exception:  # untrusted upload: any file pyHanko cannot read is simply not a verified agreement
        logger.info("PDF signature check failed", exc_info=True)
        return False
    # ENTIRE_FILE: nothing, not even a harmless-looking incremental update, was appended after signing.
    return bool(status.intact and status.valid and status.trusted and status.coverage == SignatureCoverageLevel.ENTIRE_FILE)
