"""Verification: online checks, the public query, photo checks, officer search and fraud clues."""
