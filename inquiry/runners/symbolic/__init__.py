"""Symbolic vs semantic reasoning (Tang et al. 2023, arXiv 2305.14825)."""
