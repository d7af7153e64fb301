"""The one signature of everything we send: `sha256=<hex HMAC-SHA256 of the body with the secret>`.

Webhook receivers and the platform check it the same way (README "Connecting the 12345 platform"):
compute the HMAC of the raw body with the shared secret and compare in constant time.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Hotline-Signature"


def body_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def signature_matches(secret: str, body: bytes, header: str) -> bool:
    return hmac.compare_digest(body_signature(secret, body), header or "")
