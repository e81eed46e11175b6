"""Registering the parties: authorities, institutions, exam points, officers; the public directory."""
