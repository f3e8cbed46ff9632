"""The test SMKI and keystores."""

from __future__ import annotations

import hashlib
import logging
import stat
from dataclasses import replace

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from harness.catalogue import RemotePartyRole
from harness.errors import DitError
from harness.eui import EntityId
from harness.pki import SMKI, Credential, KeyNotFound, Keystore, KeyUsage, entity_id_of, role_of, signatures, usage_of
from harness.pki import certificates as profile
from harness.pki.keystore import credential_of, write
from harness.pki.repository import SmkiRepository

SUPPLIER_A = EntityId("90-B3-D5-1F-30-01-00-00")
ESME = EntityId("00-DB-12-34-56-78-90-A0")


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        issuer.public_key().verify(cert.signature, cert.tbs_certificate_bytes, ec.ECDSA(hashes.SHA256()))
    except Exception:
        return False
    return cert.issuer == issuer.subject


def test_smki_has_every_party_the_dit_scenarios_need(smki):
    ks = smki.keystore
    roles = {role_of(c.certificate) for c in ks.credentials() if c.certificate is not None}
    assert {RemotePartyRole.SUPPLIER, RemotePartyRole.NETWORK_OPERATOR, RemotePartyRole.ACCESS_CONTROL_BROKER,
            RemotePartyRole.TRANSITIONAL_COS, RemotePartyRole.WAN_PROVIDER, RemotePartyRole.RECOVERY} <= roles
    suppliers = {c.eui for c in ks.credentials() if role_of(c.certificate) is RemotePartyRole.SUPPLIER}
    assert len(suppliers) >= 2
    for eui in suppliers:
        for usage in (KeyUsage.DIGITAL_SIGNING, KeyUsage.KEY_AGREEMENT, KeyUsage.PREPAYMENT_KEY_AGREEMENT,
                      KeyUsage.XML_SIGNING):
            assert ks.credential(eui, usage, private=True).private_key is not None


def test_organisation_certificate_profile(smki):
    cert = smki.keystore.credential(SUPPLIER_A, KeyUsage.DIGITAL_SIGNING).certificate
    assert entity_id_of(cert) == SUPPLIER_A
    assert role_of(cert) is RemotePartyRole.SUPPLIER
    assert usage_of(cert) is KeyUsage.DIGITAL_SIGNING
    assert isinstance(cert.public_key().curve, ec.SECP256R1)
    assert cert.extensions.get_extension_for_class(x509.KeyUsage).critical
    policies = cert.extensions.get_extension_for_class(x509.CertificatePolicies).value
    assert [p.policy_identifier for p in policies] == [profile.ORGANISATION_POLICY]
    assert (cert.not_valid_after_utc - cert.not_valid_before_utc).days <= 3653      # at most 10 years
    assert _issued_by(cert, smki.organisation_ca_certificate)
    assert _issued_by(smki.organisation_ca_certificate, smki.root_certificate)
    xml_cert = smki.keystore.credential(SUPPLIER_A, KeyUsage.XML_SIGNING).certificate
    assert role_of(xml_cert) is RemotePartyRole.XML_SIGN
    dsp = smki.keystore.credential("90-B3-D5-1F-30-00-00-02", KeyUsage.XML_SIGNING).certificate
    assert role_of(dsp) is RemotePartyRole.DSP_XML_SIGN
    assert usage_of(dsp) is KeyUsage.XML_SIGNING            # by its OU, though its key usage is digitalSignature


def test_device_certificate_profile(smki):
    cert = smki.keystore.credential(ESME, KeyUsage.KEY_AGREEMENT).certificate
    assert len(cert.subject) == 0
    assert entity_id_of(cert) == ESME
    assert usage_of(cert) is KeyUsage.KEY_AGREEMENT
    assert cert.not_valid_after_utc.year == 9999          # device certificates never expire
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    assert san.critical
    assert _policies(cert) == [profile.DEVICE_POLICY]


def _policies(cert: x509.Certificate) -> list[x509.ObjectIdentifier]:
    return [p.policy_identifier for p in cert.extensions.get_extension_for_class(x509.CertificatePolicies).value]


def _key_usage_bits(cert: x509.Certificate) -> set[str]:
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    return {bit for bit in ("digital_signature", "content_commitment", "key_encipherment", "data_encipherment",
                            "key_agreement", "key_cert_sign", "crl_sign") if getattr(usage, bit)}


SIGNING_ONLY, AGREEMENT_ONLY = {"digital_signature"}, {"key_agreement"}
BITS_OF_USAGE = {KeyUsage.DIGITAL_SIGNING: SIGNING_ONLY, KeyUsage.XML_SIGNING: SIGNING_ONLY,
                 KeyUsage.KEY_AGREEMENT: AGREEMENT_ONLY, KeyUsage.PREPAYMENT_KEY_AGREEMENT: AGREEMENT_ONLY}


def test_each_key_is_certified_for_one_purpose(smki):
    """A signing key (GBCS DS, DUIS XML signing) is certified for digitalSignature alone, a key-agreement key (KA,
    prepayment KA) for keyAgreement alone: a device or the DSP takes the certificate's key usage as the key's."""
    held = [c for c in smki.keystore.credentials() if c.certificate is not None and c.usage is not None]
    assert {c.usage for c in held} == set(BITS_OF_USAGE) and {ESME, SUPPLIER_A} <= {c.eui for c in held}
    for cred in held:
        assert _key_usage_bits(cred.certificate) == BITS_OF_USAGE[cred.usage], (cred.eui, cred.usage)


def test_the_profiles_are_those_of_the_public_test_pki(smki, conformance_keystore):
    """Key usage and certificate policy of each kind of certificate as in the ZAZ1 test PKI's (gbcs_security.md 6)."""
    for eui, usage in ((SUPPLIER_A, KeyUsage.DIGITAL_SIGNING), (SUPPLIER_A, KeyUsage.KEY_AGREEMENT),
                       (SUPPLIER_A, KeyUsage.PREPAYMENT_KEY_AGREEMENT), (SUPPLIER_A, KeyUsage.XML_SIGNING),
                       (ESME, KeyUsage.DIGITAL_SIGNING), (ESME, KeyUsage.KEY_AGREEMENT)):
        ours, theirs = smki.keystore.certificate(eui, usage), conformance_keystore.certificate(eui, usage)
        assert _key_usage_bits(ours) == _key_usage_bits(theirs), (eui, usage)
        assert _policies(ours) == _policies(theirs), (eui, usage)


def test_each_certificate_chains_to_the_root_through_its_own_ca(smki):
    """SMKI issues from two CAs under one root, as the public test PKI (Z1 for organisations, E357 for devices):
    each CA certificate is a CA's, and the keystore finds a certificate's issuer by its subject."""
    ks, root, organisation_ca = smki.keystore, smki.root_certificate, smki.organisation_ca_certificate
    supplier = ks.certificate(SUPPLIER_A, KeyUsage.DIGITAL_SIGNING)
    device = ks.certificate(ESME, KeyUsage.DIGITAL_SIGNING)
    assert ks.issuer_of(supplier) == organisation_ca and _issued_by(supplier, organisation_ca)
    device_ca = ks.issuer_of(device)
    assert device_ca is not None and _issued_by(device, device_ca)
    assert device_ca != organisation_ca and not _issued_by(device, organisation_ca)
    for ca in (root, organisation_ca, device_ca):
        assert ks.issuer_of(ca) == root and _issued_by(ca, root)
        constraints = ca.extensions.get_extension_for_class(x509.BasicConstraints)
        assert constraints.critical and constraints.value.ca
        assert _key_usage_bits(ca) == {"key_cert_sign", "crl_sign"}
    for end_entity in (supplier, device):
        with pytest.raises(x509.ExtensionNotFound):
            end_entity.extensions.get_extension_for_class(x509.BasicConstraints)


@pytest.mark.parametrize(("name", "role"), [
    ("xml-sign-90B3D51F30010000-ds.pem", RemotePartyRole.XML_SIGN),
    ("dsp-xml-sign-90B3D51F30000002-ds.pem", RemotePartyRole.DSP_XML_SIGN),
    ("dsp-xml-sign-90B3D51F30000002-ds-pre-1.4.1.pem", RemotePartyRole.DSP_XML_SIGN),   # OU=137, in decimal
])
def test_xml_signing_certificates_are_known_by_their_ou(conformance, name, role):
    """OU=87 is a User's XML-signing certificate, OU=89 the DSP's (OU=137 before DCC Boxed 1.4.1), whatever their
    key usage bits say: the DSP and a User pick the signer's key by it."""
    cert = x509.load_pem_x509_certificate((conformance / "keys" / name).read_bytes())
    assert role_of(cert) is role and usage_of(cert) is KeyUsage.XML_SIGNING


def test_ihds_get_no_certificates(tmp_path):
    smki = SMKI.open(tmp_path, devices=((EntityId("00-DB-12-34-56-78-90-C1"), "IHD"),))
    assert smki.keystore.find("00-DB-12-34-56-78-90-C1", KeyUsage.DIGITAL_SIGNING) is None


def test_same_seed_same_smki(tmp_path):
    first = SMKI.open(tmp_path / "a")
    second = SMKI.open(tmp_path / "b")
    other = SMKI.open(tmp_path / "c", seed=b"another phase")
    for name in ("root.pem", "90b3d51f30010000-ds.pem", "00db1234567890a0-ka.pem"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
        assert (tmp_path / "a" / name).read_bytes() != (tmp_path / "c" / name).read_bytes()
    assert first.keystore.find(SUPPLIER_A, "ds").public_key.public_numbers() == \
        second.keystore.find(SUPPLIER_A, "ds").public_key.public_numbers()
    assert other.keystore.find(SUPPLIER_A, "ds").public_key.public_numbers() != \
        first.keystore.find(SUPPLIER_A, "ds").public_key.public_numbers()


def test_reopening_loads_instead_of_regenerating(tmp_path):
    SMKI.open(tmp_path)
    stamp = (tmp_path / "90b3d51f30010000-ds.pem").stat().st_mtime_ns
    again = SMKI.open(tmp_path)
    assert (tmp_path / "90b3d51f30010000-ds.pem").stat().st_mtime_ns == stamp
    assert again.keystore.credential(SUPPLIER_A, KeyUsage.DIGITAL_SIGNING, private=True)


def test_private_key_files_are_owner_only(smki):
    keys = list(smki.directory.glob("*.key"))
    assert keys
    for key in keys:
        assert stat.S_IMODE(key.stat().st_mode) == 0o600, key


def test_device_rekey_certificate_for_a_new_key(smki):
    new_key = ec.generate_private_key(ec.SECP256R1())
    cert = smki.device_certificate(ESME, KeyUsage.DIGITAL_SIGNING, new_key.public_key())
    assert entity_id_of(cert) == ESME
    assert cert.public_key().public_numbers() == new_key.public_key().public_numbers()


def test_the_repository_certifies_device_keys_and_puts_in_use_only_what_it_issued(smki):
    repository = SmkiRepository(smki)
    new_key = ec.derive_private_key(11, ec.SECP256R1()).public_key()
    for usage in (KeyUsage.PREPAYMENT_KEY_AGREEMENT, KeyUsage.XML_SIGNING):     # organisations' usages only
        with pytest.raises(DitError, match="devices hold DS and KA certificates"):
            repository.issue_device_certificate(ESME, usage, new_key)
    assert repository.issued == []
    not_asked = smki.device_certificate(ESME, KeyUsage.DIGITAL_SIGNING, new_key)
    with pytest.raises(DitError, match="only a certificate this repository issued"):
        repository.put_in_use(not_asked)
    assert repository.keystore.certificate(ESME, KeyUsage.DIGITAL_SIGNING) != not_asked
    issued = repository.issue_device_certificate(ESME, KeyUsage.DIGITAL_SIGNING, new_key)
    repository.put_in_use(issued)
    assert repository.keystore.certificate(ESME, KeyUsage.DIGITAL_SIGNING) == issued
    assert smki.keystore.certificate(ESME, KeyUsage.DIGITAL_SIGNING) != issued        # this run's repository only


def test_a_signature_is_raw_r_s_and_verifies_over_the_digest_of_what_was_signed():
    """GBCS signatures are P1363 r||s; a firmware image's is checked against its SHA-256 digest, taken once."""
    key = ec.derive_private_key(17, ec.SECP256R1())
    image = b"a firmware image"
    signature = signatures.sign(image, key)
    assert len(signature) == 64 and signatures.verify(image, signature, key.public_key())
    assert signatures.verify_digest(hashlib.sha256(image).digest(), signature, key.public_key())
    assert not signatures.verify_digest(hashlib.sha256(b"another image").digest(), signature, key.public_key())


def test_private_keys_never_appear_in_reprs_or_logs(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    smki = SMKI.open(tmp_path)
    cred = smki.keystore.credential(SUPPLIER_A, KeyUsage.DIGITAL_SIGNING, private=True)
    secret = cred.private_key.private_numbers().private_value
    pem = cred.private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                         serialization.NoEncryption()).decode()
    texts = [repr(cred), str(cred), repr(smki.keystore), caplog.text]
    for text in texts:
        assert "PRIVATE KEY" not in text
        assert f"{secret:x}" not in text.lower() and str(secret) not in text
        assert pem.splitlines()[1] not in text


# -- keystore loading ------------------------------------------------------------------------------

def test_keystore_loads_the_public_gbcs_test_keystore(conformance_keystore):
    acb_ka = conformance_keystore.credential("90-B3-D5-1F-30-00-00-02", KeyUsage.KEY_AGREEMENT, private=True)
    assert acb_ka.private_key is not None
    device = conformance_keystore.credential("00db1234567890a0", KeyUsage.DIGITAL_SIGNING)
    assert device.private_key is None and entity_id_of(device.certificate) == ESME
    bare = conformance_keystore.credential("fffffffffffffffe", KeyUsage.KEY_AGREEMENT)   # a PEM public key
    assert bare.certificate is None
    assert conformance_keystore.find(SUPPLIER_A, KeyUsage.PREPAYMENT_KEY_AGREEMENT).private_key is not None


@pytest.mark.parametrize("issuer", ["CN=Z1,OU=07", "OU=07,CN=Z1", "CN=Z1, OU=07", " cn=Z1 ,ou=07"])
def test_xmldsig_signer_lookup_by_issuer_and_serial(conformance_keystore, issuer):
    cred = conformance_keystore.by_issuer_serial(issuer, 50669612984035780968362471400449834504)
    assert cred is not None and entity_id_of(cred.certificate) == EntityId("90-B3-D5-1F-30-00-00-02")


def test_xml_signing_keys_in_der_are_matched_to_certificates(conformance):
    ks = Keystore.load(conformance / "keys")
    cred = ks.credential(SUPPLIER_A, KeyUsage.XML_SIGNING, private=True)
    assert cred.private_key.public_key().public_numbers() == cred.public_key.public_numbers()


def test_missing_keystore_directory_is_a_clear_error(tmp_path):
    with pytest.raises(DitError, match="keystore directory not found"):
        Keystore.load(tmp_path / "nowhere")


def test_corrupt_keystore_file_names_the_file(tmp_path):
    (tmp_path / "90b3d51f30010000-ds.pem").write_text("-----BEGIN CERTIFICATE-----\nnot base64\n")
    with pytest.raises(DitError) as info:
        Keystore.load(tmp_path)
    assert "90b3d51f30010000-ds.pem" in str(info.value)


def test_missing_credential_says_which(smki):
    with pytest.raises(KeyNotFound, match="no KA certificate for 00-DB-12-34-56-78-99-99"):
        smki.keystore.credential("00-DB-12-34-56-78-99-99", KeyUsage.KEY_AGREEMENT)
    certificates_only = Keystore()
    certificates_only.add_certificate(smki.keystore.credential(ESME, KeyUsage.DIGITAL_SIGNING).certificate)
    with pytest.raises(KeyNotFound, match="no DS private key"):
        certificates_only.credential(ESME, KeyUsage.DIGITAL_SIGNING, private=True)


def test_a_keystore_keeps_every_certificate_a_party_had(smki, tmp_path):
    """A rekey replaces the key in use; the old one still verifies what was sent before, in memory and in a
    run's report keystore (<eui>-<usage>.<fingerprint>.pem, private keys only where the writer left them)."""
    ks = smki.keystore.copy()
    old = ks.credential(ESME, KeyUsage.DIGITAL_SIGNING)
    new = credential_of(smki.device_certificate(ESME, KeyUsage.DIGITAL_SIGNING,
                                                ec.generate_private_key(ec.SECP256R1()).public_key()))
    ks.replace(new)
    assert ks.find(ESME, KeyUsage.DIGITAL_SIGNING) is new
    assert ks.candidates(ESME, KeyUsage.DIGITAL_SIGNING) == [new, old]
    assert smki.keystore.candidates(ESME, KeyUsage.DIGITAL_SIGNING) == [old]       # the copy's rekey only
    supplier_ka = ks.credential(SUPPLIER_A, KeyUsage.KEY_AGREEMENT)
    public = [replace(c, private_key=None) for c in ks.certificates()]
    write(tmp_path, [*public, supplier_ka])
    files = sorted(tmp_path.iterdir())
    write(tmp_path, public)                                # the next scenario's: the same files, once
    assert sorted(tmp_path.iterdir()) == files and len(files) == len(ks) + 1
    assert [p.name for p in tmp_path.glob("*.key")] == [f"{SUPPLIER_A.file_stem}-ka.{_fingerprint(supplier_ka)}.key"]
    again = Keystore.load(tmp_path)
    assert {_fingerprint(c) for c in again.candidates(ESME, KeyUsage.DIGITAL_SIGNING)} == {_fingerprint(old),
                                                                                            _fingerprint(new)}
    # The name keeps what content cannot say: a prepayment KA certificate is a KA certificate by its key usage.
    pp_ka = ks.credential(SUPPLIER_A, KeyUsage.PREPAYMENT_KEY_AGREEMENT)
    assert again.find(SUPPLIER_A, KeyUsage.PREPAYMENT_KEY_AGREEMENT).public_key.public_numbers() == \
        pp_ka.public_key.public_numbers()
    assert again.credential(SUPPLIER_A, KeyUsage.KEY_AGREEMENT, private=True).private_key is not None
    assert again.find(ESME, KeyUsage.KEY_AGREEMENT).private_key is None
    assert len(again) == len(ks)


def test_the_untagged_file_is_the_certificate_in_use(smki, tmp_path):
    """<eui>-ds.pem is the party's certificate in use and <eui>-ds.<tag>.pem one it had, though the tagged file is
    read first (its hex tag sorts before "pem")."""
    old = smki.keystore.credential(ESME, KeyUsage.DIGITAL_SIGNING)
    current = smki.device_certificate(ESME, KeyUsage.DIGITAL_SIGNING,
                                      ec.derive_private_key(13, ec.SECP256R1()).public_key())
    write(tmp_path, [replace(old, private_key=None)])
    (tmp_path / f"{ESME.file_stem}-ds.pem").write_bytes(current.public_bytes(serialization.Encoding.PEM))
    ks = Keystore.load(tmp_path)
    assert ks.certificate(ESME, KeyUsage.DIGITAL_SIGNING) == current
    assert [c.certificate for c in ks.candidates(ESME, KeyUsage.DIGITAL_SIGNING)] == [current, old.certificate]


def _fingerprint(cred: Credential) -> str:
    return hashlib.sha256(cred.certificate.public_bytes(serialization.Encoding.DER)).hexdigest()[:16]


def test_a_private_key_is_on_disk_before_its_certificate(tmp_path, monkeypatch):
    """Processes sharing an SMKI directory (xdist workers, a run beside the tests) take a certificate on disk as
    issued: its key must already be there, or they load a credential without a key and never issue it again."""
    from harness.pki import keystore
    from harness.pki import smki as smki_module

    written: list[str] = []
    real = keystore.write_file

    def recording(path, data, *, private=False):
        written.append(path.name)
        real(path, data, private=private)

    def keys_first() -> bool:
        stems = {name.rsplit(".", 1)[0] for name in written if name.endswith(".key")}
        return bool(stems) and all(written.index(f"{stem}.key") < written.index(f"{stem}.pem") for stem in stems)

    monkeypatch.setattr(smki_module, "write_file", recording)
    monkeypatch.setattr(keystore, "write_file", recording)
    opened = SMKI.open(tmp_path / "smki")
    assert keys_first(), written
    written.clear()
    write(tmp_path / "copy", [opened.keystore.credential(EntityId("90-B3-D5-1F-30-01-00-00"), KeyUsage.DIGITAL_SIGNING,
                                                         private=True)])
    assert keys_first(), written


def test_per_certificate_reads_each_certificate_object_once(smki):
    """What is remembered is per certificate object: the same object is read once, another object (even with the
    same DER) is read afresh, and the memory is bounded."""
    cert = smki.keystore.credential(SUPPLIER_A, KeyUsage.XML_SIGNING).certificate
    other = x509.load_der_x509_certificate(cert.public_bytes(serialization.Encoding.DER))
    reads: list[x509.Certificate] = []

    def read(c: x509.Certificate) -> str:
        reads.append(c)
        return c.issuer.rfc4514_string()

    remembered = profile.per_certificate(read, size=2)
    assert remembered(cert) == remembered(cert) == cert.issuer.rfc4514_string()
    assert reads == [cert]
    assert remembered(other) == remembered(cert) and [r is other for r in reads] == [False, True]
    third = x509.load_der_x509_certificate(cert.public_bytes(serialization.Encoding.DER))
    remembered(third)                       # over the bound: forgotten, and read again when asked
    remembered(cert)
    assert len(reads) == 4
