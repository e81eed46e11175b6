"""Repositories: the only code that builds queries. They never commit."""
