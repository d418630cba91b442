"""Experiments layer: ensembles, summaries and comparisons (and, later, store, sensitivity, discovery, optimization)."""
