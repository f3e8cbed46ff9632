"""Test SMKI and keystores: organisation and device certificates, private keys, trust anchors."""

from harness.pki.certificates import KeyUsage, entity_id_of, role_of, usage_of
from harness.pki.keystore import Credential, KeyNotFound, Keystore
from harness.pki.smki import DEFAULT_DEVICES, ORGANISATIONS, SMKI, Organisation, default_directory, derive_private_key

__all__ = ["KeyUsage", "entity_id_of", "role_of", "usage_of", "Credential", "KeyNotFound", "Keystore",
           "DEFAULT_DEVICES", "ORGANISATIONS", "SMKI", "Organisation", "default_directory",
           "derive_private_key"]
