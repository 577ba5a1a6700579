"""The example user-profile service."""

from .service import (
    Profile,
    ProfileNotFoundError,
    ProfileService,
    ProfileUnavailableError,
)

__all__ = ["Profile", "ProfileNotFoundError", "ProfileService", "ProfileUnavailableError"]
