"""The RLVR runner: does RL with verifiable rewards expand what a model can solve, or only sharpen it?

Yue et al. 2025 (pass@k), with configurations for one-example RL (Wang et al.), spurious rewards
(Shao et al.) and parameter-update sparsity (Mukherjee et al.). See :mod:`.runner`.
"""
