"""Steering runner (issue 8): does adding an activation vector elicit a reasoning mode latent in the base?"""
