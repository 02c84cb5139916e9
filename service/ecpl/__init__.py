"""ecpl: knowledge graph of the safety-guarantee obligations of e-commerce platforms (PRC law)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ecpl")
except PackageNotFoundError:  # running from a checkout without installation
    __version__ = "0.0.0+unknown"
