"""Authentication and authorization of the gateway: users, tokens, API keys, passkeys, roles."""

from jts.gateway.auth.principal import ROLE_SCOPES, Principal, Role, Scope

__all__ = ["ROLE_SCOPES", "Principal", "Role", "Scope"]
