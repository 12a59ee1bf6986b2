"""JTS: automated trading for Korean equities.

The curated public API lives in the subpackages (`jts.core`, `jts.krx`, `jts.bus`, ...);
this top level only names the version and those subpackages.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
