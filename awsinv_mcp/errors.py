"""Exceptions that carry a message meant for the caller (the model or a user).

Lower layers raise these; the server turns them into MCP tool errors verbatim. Messages must say
what to do next and must never contain secrets.
"""


class UserError(Exception):
    """A failure the caller can fix (bad argument, unknown name, refused statement)."""


class NotFoundError(UserError):
    """A named thing (DB instance, database, table, region) does not exist."""


class UpstreamError(UserError):
    """AWS or a database answered with an error the caller should know about."""
