"""Identity providers (``OPCERT_IDENTITY_PROVIDER``): ``development`` and ``none``. The
government provider plugs in here as a third adapter."""

from opcert.adapters.identity.development import DevelopmentIdentityProvider
from opcert.adapters.identity.unconfigured import UnconfiguredIdentityProvider

__all__ = ["DevelopmentIdentityProvider", "UnconfiguredIdentityProvider"]
