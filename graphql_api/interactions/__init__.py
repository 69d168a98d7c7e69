"""Interaction groups, templates with their languages, and the interaction log."""
