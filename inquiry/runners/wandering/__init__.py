"""Wandering solution explorers (Lu et al. 2025, arXiv 2505.20296)."""
