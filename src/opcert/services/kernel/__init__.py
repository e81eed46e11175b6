"""The kernel every capability uses: context, principals, accounts and sessions, ledger, keys, status lists."""
