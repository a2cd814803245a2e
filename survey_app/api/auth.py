"""Bearer API tokens: `Authorization: Bearer <token>` and nothing else (no cookie, no
session), so a browser that is logged in to the admin's web carries no API rights."""

import re

from flask import Request

from ..auth.accounts import admin_for_api_token
from ..models import Admin

# RFC 6750's b64token; `admins token` prints URL-safe base64 (43 characters).
_BEARER_RE = re.compile(r"Bearer +([A-Za-z0-9\-._~+/]+=*)", re.IGNORECASE)
MAX_HEADER = 512


class Unauthorized(Exception):
    """No valid token. `error` is RFC 6750's code for WWW-Authenticate (None: no
    credentials were sent at all, so the client is only told the scheme)."""

    def __init__(self, message: str, error: str | None = "invalid_token"):
        super().__init__(message)
        self.error = error

    def challenge(self) -> str:
        if self.error is None:
            return 'Bearer realm="api"'
        return f'Bearer realm="api", error="{self.error}"'


def authenticated_admin(request: Request) -> Admin:
    """The admin whose live token the request carries, or Unauthorized."""
    header = request.headers.get("Authorization")
    if header is None:
        raise Unauthorized("an API token is required (Authorization: Bearer <token>)", None)
    match = _BEARER_RE.fullmatch(header.strip()) if len(header) <= MAX_HEADER else None
    if match is None:
        raise Unauthorized("the Authorization header must be 'Bearer <token>'")
    admin = admin_for_api_token(match.group(1))
    if admin is None:
        raise Unauthorized("the API token is not valid (unknown or revoked)")
    return admin
