"""Offline data sets that the bundled models are trained on."""
