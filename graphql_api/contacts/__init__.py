"""Contacts of the host, read through the contact store, and the criteria input."""
