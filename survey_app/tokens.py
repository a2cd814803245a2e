"""Personal link tokens.

A token is HMAC-SHA256(secret key, per-invitation random salt), base64url: 256 bits,
URL-safe. The database keeps the salt and a SHA-256 of the token. The salt alone
rebuilds nothing without the secret key, and the hash alone cannot be reversed, so a
copy of the database yields no working link; with the key, `invitations links` can
print the same link again. Lookups go by the hash, so issued links keep working when
SECRET_KEY changes; to print them again, keep the old key in SECRET_KEY_FALLBACKS.

Other one-time links (an admin's password reset) use the same helpers with their own
`purpose`, so a token made for one use can never be taken for another.
"""

import base64
import hashlib
import hmac
import re
import secrets

from flask import current_app


class LinkUnavailable(Exception):
    """The token cannot be rebuilt: SECRET_KEY changed with no fallback for the old key."""


TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{43}\Z")
_PURPOSE = b"survey_app.invitation-link.v1:"


def new_salt() -> bytes:
    return secrets.token_bytes(32)


def derive_token(salt: bytes, key: str | bytes, purpose: bytes = _PURPOSE) -> str:
    key_bytes = key.encode("utf-8") if isinstance(key, str) else key
    digest = hmac.new(key_bytes, purpose + salt, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def is_well_formed(token: str) -> bool:
    return bool(TOKEN_RE.match(token))


def signing_keys() -> list[str]:
    keys = [current_app.config["SECRET_KEY"]]
    keys.extend(current_app.config.get("SECRET_KEY_FALLBACKS") or [])
    return keys


def issue(salt: bytes, purpose: bytes = _PURPOSE) -> tuple[str, str]:
    """A fresh token for this salt under the current key, and the hash to store."""
    token = derive_token(salt, current_app.config["SECRET_KEY"], purpose)
    return token, token_hash(token)


def rebuild(salt: bytes, stored_hash: str, purpose: bytes = _PURPOSE) -> str | None:
    """The token whose hash is stored, if any known key (current or fallback) makes it."""
    for key in signing_keys():
        candidate = derive_token(salt, key, purpose)
        if hmac.compare_digest(token_hash(candidate), stored_hash):
            return candidate
    return None
