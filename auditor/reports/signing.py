"""PAdES signatures on report PDFs, with pyHanko, where a site provides a key and certificate.

A signed report shows its signature in any PDF reader, and any change to the signed bytes
breaks it. Signing and checking are offline: no timestamp authority, no OCSP or CRL fetching
(``allow_fetching=False``); revocation is not checked, and ``report verify`` says so.

pyHanko is an optional extra (``pip install 'auditor[sign]'``); it is imported only here, and
only when a key is configured or a signed PDF is checked.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from auditor.errors import ConfigError

FIELD_NAME = "AuditorSignature"
PASSPHRASE_ENV = "AUDITOR_SIGNING_KEY_PASSPHRASE"


@dataclass(frozen=True, slots=True)
class SigningMaterial:
    """Where the site's signing key and certificate are (PEM or DER files)."""

    key: Path
    cert: Path

    def check(self) -> None:
        """Fail before any work (exit 2) when the files or pyHanko are missing."""
        _pyhanko()
        for what, path in (("key", self.key), ("certificate", self.cert)):
            if not path.is_file():
                raise ConfigError(f"signing {what} {path} does not exist")

    @property
    def passphrase(self) -> bytes | None:
        value = os.environ.get(PASSPHRASE_ENV)
        return value.encode("utf-8") if value else None


@dataclass(frozen=True, slots=True)
class SignatureCheck:
    """What ``report verify`` says of a PDF's signature."""

    signed: bool
    intact: bool = False  # the signed bytes are unchanged
    valid: bool = False  # the signature is cryptographically sound
    whole_file: bool = False  # it covers the entire file (nothing appended after signing)
    trusted: bool | None = None  # chains to the given certificate; None: no trust anchor given
    signer: str = ""
    problem: str = ""

    @property
    def ok(self) -> bool:
        """Intact, valid, covering the whole file, and trusted when a trust anchor was given."""
        return self.signed and self.intact and self.valid and self.whole_file and self.trusted is not False


def _pyhanko() -> None:
    try:
        from pyhanko.sign import signers  # noqa: F401
    except ImportError:
        raise ConfigError(
            "signing reports needs pyHanko: pip install 'auditor[sign]' (or leave out the signing key)"
        ) from None


def sign_pdf(source: Path, target: Path, material: SigningMaterial) -> None:
    """Write ``source`` signed (PAdES baseline B, as an incremental update) to ``target``."""
    material.check()
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    try:
        # pyHanko leaves these loaders unannotated.
        signer = signers.SimpleSigner.load(  # type: ignore[no-untyped-call]
            str(material.key), str(material.cert), key_passphrase=material.passphrase
        )
    except Exception as exc:  # noqa: BLE001 - pyHanko raises many types for unreadable key material
        raise ConfigError(
            f"cannot load the signing key {material.key} and certificate {material.cert} ({type(exc).__name__}); "
            f"an encrypted key needs ${PASSPHRASE_ENV}"
        ) from None
    if signer is None:
        raise ConfigError(f"cannot load the signing key {material.key} and certificate {material.cert}")
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        subfilter=fields.SigSeedSubFilter.PADES,
        reason="auditor audit report: evidence of a stored scan",
    )
    with source.open("rb") as inf, target.open("wb") as outf:
        writer = IncrementalPdfFileWriter(inf, strict=False)
        signers.sign_pdf(writer, meta, signer=signer, output=outf)


def signing_material(
    key: str | None, cert: str | None, site_key: Path | None, site_cert: Path | None
) -> SigningMaterial | None:
    """The key and certificate to sign with: the command line's, else the site's; None to not sign."""
    key_path = Path(key) if key else site_key
    cert_path = Path(cert) if cert else site_cert
    if key_path is None and cert_path is None:
        return None
    if key_path is None or cert_path is None:
        raise ConfigError(
            "signing needs both a key and a certificate (--sign-key and --sign-cert, or signing_key "
            "and signing_cert in [tool.auditor])"
        )
    material = SigningMaterial(key_path, cert_path)
    material.check()
    return material


def check_signature(pdf_path: Path, trust: Path | None = None) -> SignatureCheck:
    """The state of the report's signature; ``trust`` is the certificate to trust (offline)."""
    data = Path(pdf_path).read_bytes()
    if b"/ByteRange" not in data:
        return SignatureCheck(signed=False)
    try:
        _pyhanko()
    except ConfigError as exc:
        return SignatureCheck(signed=True, problem=str(exc))
    import io

    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
        if not signatures:
            return SignatureCheck(signed=False)
        embedded = signatures[-1]
        trusted = load_cert_from_pemder(str(trust)) if trust is not None else None  # type: ignore[no-untyped-call]
        anchors = [trusted] if trusted is not None else [embedded.signer_cert]
        context = ValidationContext(trust_roots=anchors, allow_fetching=False, revocation_mode="soft-fail")
        status = validate_pdf_signature(embedded, context)
    except Exception as exc:  # noqa: BLE001 - a damaged file is an answer, not a crash
        return SignatureCheck(signed=True, problem=f"the signature cannot be read ({type(exc).__name__})")
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    return SignatureCheck(
        signed=True,
        intact=bool(status.intact),
        valid=bool(status.valid),
        whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        trusted=bool(status.trusted) if trust is not None else None,
        signer=status.signing_cert.subject.human_friendly,
    )
