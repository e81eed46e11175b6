"""The SC1 electronic certificate credential (docs: ../shared/spec/credential.md).

Modules, outermost first: `sc1` (the printed string: encode, decode and its
layers), `claims` (the CWT payload), `keys` (algorithms, key ids, signers,
JWKs), `trustlist` and `statuslist` (the signed documents a verifier
fetches), `verifier` (section 6), `qr` (the printed code). Nothing here
touches a database, the network or a clock: time is always a parameter.
"""
