"""opcert: the national platform for special operation certificates."""
