"""Base64url helpers: JWT parts, and the opaque page and sync tokens of ``events.list``."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any


def b64url_decode(part: str) -> bytes:
    """Decode unpadded base64url."""
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def encode_token(data: Mapping[str, Any]) -> str:
    """An opaque page or sync token carrying ``data``."""
    raw = json.dumps(data, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str) -> dict[str, Any] | None:
    """The data of a token made by ``encode_token``; ``None`` if it is not one."""
    try:
        data = json.loads(b64url_decode(token))
    except (ValueError, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) else None
