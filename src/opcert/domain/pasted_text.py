"""Text pasted from somewhere else: a QR code's content (``SC1:…``) copied out of a chat, a mail or
a scanner app arrives wrapped over lines, with a trailing newline or a full-width space.

Base45 (RFC 9285), the alphabet of the SC1 text, has the ASCII space but no line break, tab or
other white space: those are removed wherever they are, and spaces only at the two ends (a space
inside is one of Base45's characters and stays). The offline verifier's page does the same
(``static/offline/app.js``, ``pastedQrText``).
"""

from __future__ import annotations


def qr_text(text: str) -> str:
    """``text`` without line breaks, tabs and non-ASCII white space, and without spaces at its
    ends: the QR content as the code carries it."""
    kept = "".join(char for char in text if char == " " or not char.isspace())
    return kept.strip(" ")
