"""The Business Central CRONUS demo data that a new installation can load."""

from .loader import load_demo

__all__ = ["load_demo"]
