"""Sync with the central system: the outbox's records go out, receipts come back.

`protocol.py` holds what both sides share (canonical JSON, the payload hash); `client.py` the
laptop's side (httpx, TLS, backoff, classification); `service.py` runs a sync on a store.
The contract is docs/sync-protocol.md.
"""
