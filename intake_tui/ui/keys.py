"""Key bindings that follow the UI language, and keymap overrides by binding id.

Textual fixes a class's bindings when the class is made (`DOMNode._merged_bindings`), so key
descriptions are written with `N_()` (English, untranslated) and translated here: once at
start and again whenever the caseworker changes the UI language. The English source of each
binding is remembered the first time it is seen, so translating twice never stacks.

Keymap overrides (config.toml `[keys]`, binding id → keys) go through Textual's own
`App.set_keymap`; `check_keymap` refuses unknown ids and keys that one screen would use twice.
Which screens there are is the app's to say (`IntakeApp.screen_classes`): the screens import this
module, so it imports none of them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from textual.binding import Binding, BindingsMap, BindingType
from textual.dom import DOMNode

from intake_tui.i18n import N_, _

if TYPE_CHECKING:
    from textual.app import App

# A translated binding → its (description, tooltip) in English. Keyed by the binding object's
# identity (the entry holds the binding, so the id is never reused), not by key and action
# and not by value: Textual's widgets share keys and actions with different texts (the
# palette's down is "Next command", a table's "Cursor down"), and two English texts can share
# one translation ("Page up" and "Page Up" are both "Pagina omhoog").
_SOURCE: dict[int, tuple[Binding, tuple[str, str]]] = {}

# Textual's own key descriptions that a caseworker meets (the footer shows "Dismiss menu" under
# an open Select) or that F1 help lists for the focused widget; marked here so the catalog has
# them. F1 leaves out every other Textual binding (`worth_showing`).
TEXTUAL_TEXTS: frozenset[str] = frozenset(
    (
        N_("Dismiss menu"),
        N_("Exit the command palette"),
        N_("Show menu"),
        N_("Focus Next"),
        N_("Focus Previous"),
        N_("Cursor up"),
        N_("Cursor down"),
        N_("Up"),
        N_("Down"),
        N_("Select"),
        N_("Submit"),
        N_("Press button"),
        N_("Scroll Up"),
        N_("Scroll Down"),
        N_("Page up"),
        N_("Page down"),
        N_("Page Up"),
        N_("Page Down"),
        N_("First"),
        N_("Last"),
        N_("Top"),
        N_("Bottom"),
        N_("Scroll Home"),
        N_("Scroll End"),
    )
)


def _node_classes(root: type[DOMNode] = DOMNode) -> Iterator[type[DOMNode]]:
    seen: set[type[DOMNode]] = set()
    pending = [root]
    while pending:
        cls = pending.pop()
        if cls in seen:
            continue
        seen.add(cls)
        yield cls
        pending.extend(cls.__subclasses__())


def source_texts(binding: Binding) -> tuple[str, str]:
    """The English (description, tooltip) of a binding, translated or not."""
    found = _SOURCE.get(id(binding))
    return found[1] if found is not None else (binding.description, binding.tooltip)


def worth_showing(binding: Binding) -> bool:
    """Ours (every binding of ours has an id), or one of Textual's that a caseworker uses."""
    return bool(binding.description) and (
        binding.id is not None or source_texts(binding)[0] in TEXTUAL_TEXTS
    )


def _translated(binding: Binding) -> Binding:
    source = source_texts(binding)
    description = _(source[0]) if source[0] else source[0]
    tooltip = _(source[1]) if source[1] else source[1]
    if description == binding.description and tooltip == binding.tooltip:
        _SOURCE.setdefault(id(binding), (binding, source))
        return binding
    translated = dataclasses.replace(binding, description=description, tooltip=tooltip)
    _SOURCE[id(translated)] = (translated, source)
    return translated


def _translate_map(bindings: BindingsMap) -> None:
    for key, entries in bindings.key_to_bindings.items():
        bindings.key_to_bindings[key] = [_translated(b) for b in entries]


class LocalizedBindings:
    """Mixin for every screen of ours: its key descriptions are translated when the class is
    made, so a screen whose module loads late (the interview, after unlocking) shows its keys
    in the language of the moment. List it before Screen/ModalScreen."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        merged = cls.__dict__.get("_merged_bindings")
        if isinstance(merged, BindingsMap):
            _translate_map(merged)


def screen_first(bindings: list[BindingType]) -> list[BindingType]:
    """The same bindings, handled by the screen before the key goes to the focused widget.

    A key the focused widget does not use reaches a screen's binding only after it bubbled up,
    and a hurried caseworker's next keys are by then on their way to the same widget: "n" then
    "Amal" at once lost the name, or even the new intake. A priority binding is handled in turn,
    before the next key is handed out. Screens with a text field let such a key through to it
    with `check_action` (see the cases screen)."""
    return [
        dataclasses.replace(b, priority=True) if isinstance(b, Binding) else b for b in bindings
    ]


def localize_bindings(app: App[Any] | None = None) -> None:
    """Translate every class's key descriptions, and those of the live screens of `app`."""
    for cls in _node_classes():
        merged = cls.__dict__.get("_merged_bindings")
        if isinstance(merged, BindingsMap):
            _translate_map(merged)
    if app is None:
        return
    _translate_map(app._bindings)
    for screen in app.screen_stack:
        for node in screen.walk_children(with_self=True):
            _translate_map(node._bindings)
        screen.refresh_bindings()


def binding_ids(screen_classes: Mapping[str, type[DOMNode]]) -> dict[str, tuple[str, Binding]]:
    """Every binding with an id on the given classes: id → (screen name, binding)."""
    found: dict[str, tuple[str, Binding]] = {}
    for name, cls in screen_classes.items():
        merged = cls._merged_bindings
        if merged is None:
            continue
        for _key, binding in merged:
            if binding.id and binding.id not in found:
                found[binding.id] = (name, binding)
    return found


def check_keymap(
    keymap: Mapping[str, str], screen_classes: Mapping[str, type[DOMNode]]
) -> list[str]:
    """Problems with a keymap: ids nobody has, and an override that gives one screen a key twice.

    The app's own bindings (lock, help, quit) count on every screen."""
    known = binding_ids(screen_classes)
    problems = [
        _("unknown key binding id: {id}").format(id=binding_id)
        for binding_id in keymap
        if binding_id not in known
    ]
    app_bindings = [b for b_id, (name, b) in known.items() if name == "app"]
    for name, cls in screen_classes.items():
        if name == "app" or cls._merged_bindings is None:
            continue
        used: dict[str, Binding] = {}
        for binding in [b for _k, b in cls._merged_bindings] + app_bindings:
            keys = keymap.get(binding.id or "", binding.key)
            for key in (k.strip() for k in keys.split(",") if k.strip()):
                other = used.get(key)
                if (
                    other is not None
                    and other is not binding
                    and (binding.id in keymap or other.id in keymap)
                ):
                    problems.append(
                        _("the key {key} would do two things on one screen: {a} and {b}").format(
                            key=key, a=other.id or other.action, b=binding.id or binding.action
                        )
                    )
                used[key] = binding
    return problems
