"""Developer scripts (not shipped): importable so that tests can use what they define."""
