"""The encrypted local store."""
