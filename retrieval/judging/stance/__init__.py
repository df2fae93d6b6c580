"""Stance of a text toward a claim: features, the model, and its training command."""
