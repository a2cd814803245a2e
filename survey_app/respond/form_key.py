"""The respondent form's anti-forgery key: derived from the link, not kept in a session.

A respondent is not logged in: the link's token in the address is what lets a request
in, and a page elsewhere cannot forge a post without knowing it. The key proves no
more than that (anyone holding the link can load the form and its key); it refuses a
post that did not come from a form drawn for that link. Derived (an HMAC of the link
under the app's secret), it needs no session, so the respondent's page sets no cookie
(a session-kept token cost a sixth of each page's time, signing a new cookie for every
visitor without one), and a form left open for days, or restored by the browser after
a restart, still posts.
"""

import hmac
from hashlib import sha256

from flask import current_app

FIELD = "csrf_token"  # the name Flask-WTF gives its own, so clients post it as before


def form_key(token: str, secret: str | bytes | None = None) -> str:
    secret = secret or current_app.config["SECRET_KEY"]
    key = secret if isinstance(secret, bytes) else secret.encode()
    return hmac.new(key, b"respond-form\x00" + token.encode(), sha256).hexdigest()


def holds_form_key(token: str, posted: str | None) -> bool:
    """The key of this link, under the secret or one it replaced (SECRET_KEY_FALLBACKS):
    a form drawn before the secret was changed still posts."""
    if not posted:
        return False
    secrets = [current_app.config["SECRET_KEY"], *current_app.config["SECRET_KEY_FALLBACKS"]]
    return any(
        hmac.compare_digest(posted.encode(), form_key(token, secret).encode()) for secret in secrets
    )
