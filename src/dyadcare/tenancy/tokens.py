"""Tokens for links sent to people (a family's screening link, a staff invitation or password
reset): long and random, stored only as a hash."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_BYTES = 32  # 256 bits: unguessable


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def looks_like_token(token: str) -> bool:
    return 40 <= len(token) <= 64 and all(c.isalnum() or c in "-_" for c in token)
