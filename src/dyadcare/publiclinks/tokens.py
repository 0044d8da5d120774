"""Link tokens: long and random, stored only as a hash (the one implementation is tenancy's,
shared with staff invitations and password resets)."""

from dyadcare.tenancy.tokens import TOKEN_BYTES, looks_like_token, new_token, token_hash

__all__ = ["TOKEN_BYTES", "looks_like_token", "new_token", "token_hash"]
