"""PAdES signing of report PDFs where a site provides a key and certificate (issue 19).

A throwaway self-signed certificate is made with ``cryptography`` at test time; the report is
signed, validates offline, and fails validation once a byte is altered.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from support.store import scan_result

from auditor.cli import _run
from auditor.store import open_database, record_scan

pytest.importorskip("pyhanko", reason="the sign extra (pyHanko) is part of the dev extra")

from cryptography import x509  # noqa: E402 - after the skip: cryptography comes with pyHanko
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402

from auditor.reports.signing import check_signature  # noqa: E402


@pytest.fixture(autouse=True)
def no_database_in_the_environment(monkeypatch):
    monkeypatch.delenv("AUDITOR_DATABASE_URL", raising=False)


@pytest.fixture
def cli(capsys):
    def run(*args: str):
        code = _run(list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def self_signed(folder: Path, name: str = "Acme Compliance Office") -> tuple[Path, Path]:
    """A fresh EC key and a self-signed certificate for it, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = folder / f"{name}.key.pem", folder / f"{name}.cert.pem"
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_file, cert_file


@pytest.fixture
def stored(tmp_path):
    root = tmp_path / "project"
    (root / "logs").mkdir(parents=True)
    (root / "notes").mkdir()
    db = tmp_path / "findings.db"
    engine = open_database(str(db), write=True)
    with record_scan(engine, [str(root)]) as recording:
        recording.complete(scan_result(str(root)))
    engine.dispose()
    return str(db)


def _alter_a_page(path: Path) -> None:
    """Change one byte of the first page's size: the file still parses, the page is altered."""
    data = bytearray(path.read_bytes())
    at = data.index(b"/MediaBox")
    while not chr(data[at]).isdigit() or data[at] == ord("0"):
        at += 1
    data[at] = ord("1") if data[at] != ord("1") else ord("2")
    path.write_bytes(bytes(data))


@pytest.fixture
def offline(monkeypatch):
    """No connection may be opened: signing and checking never fetch OCSP, CRLs or timestamps."""
    import socket

    def refuse(*_args, **_kwargs):
        raise AssertionError("a network connection was attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_a_signed_report_validates_and_an_altered_byte_breaks_it(tmp_path, stored, cli, offline):
    key, cert = self_signed(tmp_path)
    pdf = tmp_path / "signed.pdf"
    code, out, err = cli("report", "--db", stored, "--pdf", str(pdf), "--sign-key", str(key), "--sign-cert", str(cert))
    assert code == 0, err
    assert "signed (PAdES) by Common Name: Acme Compliance Office" in err

    check = check_signature(pdf, cert)
    assert check.ok and check.intact and check.valid and check.whole_file and check.trusted
    code, out, err = cli("report", "verify", str(pdf), "--db", stored, "--trust", str(cert))
    assert code == 0, out + err
    assert "PAdES by Common Name: Acme Compliance Office: intact, valid, covers the whole file, trusted" in out
    assert "MATCH" in out

    _alter_a_page(pdf)
    assert not check_signature(pdf, cert).ok
    code, out, err = cli("report", "verify", str(pdf), "--db", stored, "--trust", str(cert))
    assert code == 1
    assert "MISMATCH: the signature does not hold" in out


def test_a_signature_by_another_certificate_is_not_trusted(tmp_path, stored, cli):
    key, cert = self_signed(tmp_path)
    _, other_cert = self_signed(tmp_path, "Somebody Else")
    pdf = tmp_path / "signed.pdf"
    assert cli("report", "--db", stored, "--pdf", str(pdf), "--sign-key", str(key), "--sign-cert", str(cert))[0] == 0
    check = check_signature(pdf, other_cert)
    assert check.intact and check.trusted is False and not check.ok
    code, out, _ = cli("report", "verify", str(pdf), "--db", stored, "--trust", str(other_cert))
    assert code == 1 and "NOT TRUSTED" in out


def test_the_site_configuration_names_the_key_and_certificate(tmp_path, stored, cli, monkeypatch):
    site = tmp_path / "site"
    site.mkdir()
    (site / ".git").mkdir()
    key, cert = self_signed(site)
    (site / "auditor.toml").write_text(f'signing_key = "{key.name}"\nsigning_cert = "{cert.name}"\n')
    monkeypatch.chdir(site)
    code, out, err = cli("report", "--db", stored, "--pdf", "r.pdf")
    assert code == 0, err and "signed (PAdES)" in err
    code, out, err = cli("report", "verify", "r.pdf", "--db", stored)  # trusts the site's certificate
    assert code == 0 and "trusted" in out and "NOT" not in out


def test_an_unsigned_report_says_so_and_still_verifies(tmp_path, stored, cli):
    pdf = tmp_path / "plain.pdf"
    assert cli("report", "--db", stored, "--pdf", str(pdf))[0] == 0
    code, out, _ = cli("report", "verify", str(pdf), "--db", stored)
    assert code == 0 and "signature          none" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sign-key", "missing.pem", "--sign-cert", "missing.pem"], "signing key missing.pem does not exist"),
        (["--sign-key", "k.pem"], "signing needs both a key and a certificate"),
    ],
)
def test_signing_mistakes_are_one_line_exit_2_before_any_work(tmp_path, stored, cli, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    code, out, err = cli("report", "--db", stored, "--pdf", "r.pdf", *args)
    assert code == 2 and err.count("\n") == 1 and message in err
    assert not (tmp_path / "r.pdf").exists()
