"""Holders: their certificates, documents, real-name login, identity review and phone."""
