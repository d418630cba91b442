"""Validation and calibration: empirical anchors, hindcasts against the panel, and fitting the background parameters."""
