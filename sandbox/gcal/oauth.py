"""Service-account keys, the JWT-bearer token endpoint, and the access-token check of API calls."""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections.abc import Mapping, MutableMapping
from typing import Any, Final

from aiohttp import web
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from sandbox.http_util import json_response

from .encoding import b64url_decode
from .errors import ApiError

_JWT_GRANT: Final = "urn:ietf:params:oauth:grant-type:jwt-bearer"
_TOKEN_LIFETIME: Final = 3600
# google-auth always addresses its grant assertion to Google's token endpoint, whatever token_uri.
_GOOGLE_TOKEN_AUDIENCE: Final = "https://oauth2.googleapis.com/token"


def new_service_account_key(
    client_email: str, *, base_url: str, token_uri: str
) -> tuple[dict[str, Any], rsa.RSAPublicKey]:
    """A fresh service-account key file's contents, and the public half to verify its grants."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_id = secrets.token_hex(20)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    info = {
        "type": "service_account",
        "project_id": "hackbot-sandbox",
        "private_key_id": key_id,
        "private_key": pem,
        "client_email": client_email,
        "client_id": str(int(hashlib.sha1(client_email.encode()).hexdigest()[:15], 16)),
        "auth_uri": f"{base_url}/o/oauth2/auth",
        "token_uri": token_uri,
        "universe_domain": "googleapis.com",
    }
    return info, key.public_key()


async def token_reply(
    request: web.Request,
    *,
    public_keys: Mapping[str, rsa.RSAPublicKey],
    token_uri: str,
    access_tokens: MutableMapping[str, float],
) -> web.Response:
    """Answer a JWT-bearer grant: a new access token, recorded in ``access_tokens``."""
    form = await request.post()
    if form.get("grant_type") != _JWT_GRANT:
        return json_response(
            {"error": "unsupported_grant_type", "error_description": "Invalid grant_type."}, 400
        )
    assertion = str(form.get("assertion", ""))
    problem = check_assertion(assertion, public_keys, token_uri)
    if problem is not None:
        return json_response({"error": "invalid_grant", "error_description": problem}, 400)
    token = "ya29.local-" + secrets.token_urlsafe(32)
    access_tokens[token] = time.time() + _TOKEN_LIFETIME
    return json_response(
        {"access_token": token, "expires_in": _TOKEN_LIFETIME - 1, "token_type": "Bearer"}
    )


def check_assertion(
    assertion: str, public_keys: Mapping[str, rsa.RSAPublicKey], token_uri: str
) -> str | None:
    """What is wrong with a grant's signed JWT, or ``None`` if it is good."""
    parts = assertion.split(".")
    if len(parts) != 3:
        return "Invalid JWT."
    try:
        header = json.loads(b64url_decode(parts[0]))
        claims = json.loads(b64url_decode(parts[1]))
        signature = b64url_decode(parts[2])
    except (ValueError, json.JSONDecodeError):
        return "Invalid JWT."
    if header.get("alg") != "RS256":
        return "Invalid JWT Signature."
    public_key = public_keys.get(str(claims.get("iss")))
    if public_key is None:
        return "Invalid grant: account not found"
    try:
        public_key.verify(
            signature,
            f"{parts[0]}.{parts[1]}".encode(),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
    except InvalidSignature:
        return "Invalid JWT Signature."
    # JWTs are stamped with the real clock by the client library, not the sandbox clock.
    real_now = time.time()
    if claims.get("aud") not in (_GOOGLE_TOKEN_AUDIENCE, token_uri):
        return "Invalid JWT: Token must be a short-lived token and in a reasonable timeframe."
    if not (float(claims.get("iat", 0)) - 300 <= real_now <= float(claims.get("exp", 0)) + 300):
        return "Invalid JWT: Token must be a short-lived token and in a reasonable timeframe."
    return None


def authorize(request: web.Request, access_tokens: Mapping[str, float]) -> None:
    """Refuse an API call without a live access token from ``token_reply``."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    expiry = access_tokens.get(token.strip()) if scheme.lower() == "bearer" else None
    if expiry is None or expiry < time.time():
        raise ApiError(
            401,
            "authError",
            "Request had invalid authentication credentials.",
            location="Authorization",
            locationType="header",
        )
