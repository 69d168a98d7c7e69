"""Segments and Interactions: a plugin module for ERP and CRM hosts.

The module builds segments of host contacts by criteria, sets up an interaction for
each segment and logs it as one interaction log entry per contact.
"""

__version__ = "0.1.0"
