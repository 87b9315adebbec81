"""MiMi Match: microintegration of migrants and refugees into work."""

__version__ = "0.1.0"
