"""Fingerprints track a value across scans without holding it; masks keep only its shape."""

from __future__ import annotations

import stat

import auditor
from auditor.fingerprint import fingerprint, load_key, mask_value

NOTE = "Patient Maria Okafor, MRN 00482913, SSN 914-22-7351, admitted with chest pain.\n"


def test_same_value_same_fingerprint_across_scans_and_formatting(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(NOTE)
    b.write_text(NOTE.replace("914-22-7351", "914 22 7351"))
    first = {f.entity: f.fingerprint for f in auditor.scan([str(a)]).findings}
    second = {f.entity: f.fingerprint for f in auditor.scan([str(b)]).findings}
    assert first["US_SSN"] == second["US_SSN"]
    assert first["MEDICAL_RECORD_NUMBER"] == second["MEDICAL_RECORD_NUMBER"]


def test_fingerprint_depends_on_the_site_key():
    assert fingerprint(b"site-a", "US_SSN", "914-22-7351") != fingerprint(b"site-b", "US_SSN", "914-22-7351")
    assert "914227351" not in fingerprint(b"site-a", "US_SSN", "914-22-7351")


def test_key_file_is_created_once_with_owner_only_permissions(tmp_path, monkeypatch):
    monkeypatch.delenv("AUDITOR_FINGERPRINT_KEY")
    monkeypatch.setenv("AUDITOR_FINGERPRINT_KEY_FILE", str(tmp_path / "keys" / "site.key"))
    key = load_key()
    path = tmp_path / "keys" / "site.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_key() == key and len(key) == 64


def test_masks_keep_shape_not_value():
    assert mask_value("Maria Okafor") == "M**** O*****"
    assert mask_value("00482913") == "******13"
    assert mask_value("914-22-7351") == "***-**-**51"
    assert mask_value("maria@example.com") == "m****@e******.c**"
