"""Logged segments and their interaction log entries."""
