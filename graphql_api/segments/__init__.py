"""Segments: the worksheet header, its lines, criteria log and history."""
