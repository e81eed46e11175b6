"""Untrusted files (result sheets, photos) read in a child process under hard limits.

``limits`` holds the numbers and the errors a person reads, ``worker`` runs a parser in a
separate process that is killed when it runs out of time or memory, ``archives`` checks an
.xlsx zip before any XML of it is parsed, ``images`` reads an image's size from its header
before any pixel is decoded. See docs/security/uploads.md.
"""
