"""The generator of the published SC1 test vectors (`docs/test-vectors/`), driven by
`scripts/make_vectors.py`.

It holds TEST ONLY private keys, public on purpose, so it lives outside the shipped package
(`src/opcert`): no install of opcert carries a key that signs credentials a test trust list
accepts (docs/decisions/0019-test-vector-generator-outside-the-package.md).
"""
