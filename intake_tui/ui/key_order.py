"""Keys in the order they were typed: the marker each key sends up behind it, and whether a
node still has work queued (ui/app.py holds the next key until both say the key is done;
docs/decisions.md, "Each key waits for the one before it")."""

from __future__ import annotations

from textual.dom import DOMNode
from textual.message import Message


class KeyHandled(Message):
    """Sent up the screen behind each key: when it reaches the app, so has the key.

    A text field inserts letters itself, but its editing keys (backspace, ctrl+u, arrows) are
    bindings the app resolves once the key has passed up the screen. Without waiting for this,
    the letters typed after ctrl+u in one burst would be in the field before ctrl+u cleared it.
    """


def busy(node: DOMNode) -> bool:
    """A message or callback waits for this node (Textual's own queues: textual is pinned)."""
    queue = node.__dict__.get("_message_queue")  # made on first use: none means none waiting
    return bool(node._next_callbacks) or (queue is not None and not queue.empty())
