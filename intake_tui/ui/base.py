"""A typed view of the app for screens and widgets, instead of `Any` and `getattr(app, …)`.

Screens must not import `ui/app.py` (the app imports the screens): they see the app through
`IntakeAppView`, a Protocol that `IntakeApp` satisfies (a test checks it), and reach it with
`intake_app(node)`. `AppAccess` adds `intake` and `store` properties to a screen or widget.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias, Union, cast

if TYPE_CHECKING:  # for the type checker only: the first frame loads none of these
    from textual.dom import DOMNode

    from intake_tui.core.clock import Clock
    from intake_tui.core.engine import Step
    from intake_tui.i18n.bidi import RtlMode
    from intake_tui.store.keyring import KdfParams
    from intake_tui.store.session import Store


@dataclass(frozen=True)
class TimelinePoint:
    """After an unlock, work goes on at this case's timeline (the lock came there)."""

    case_id: str


# Where work resumes after an unlock: an interview at a step (a follow-up's on top of its
# case's timeline), or a case's timeline.
if TYPE_CHECKING:
    Resume: TypeAlias = tuple[str, Step | None] | TimelinePoint
else:  # at run time (annotations read by tests/test_app_view.py) Step is not imported here
    Resume = Union[tuple, TimelinePoint]  # noqa: UP007


class IntakeAppView(Protocol):
    """What screens and widgets may use of the running app."""

    store: Store | None
    clock: Clock
    ui_language: str
    newcomer_display: str  # below | beside | off
    rtl_rendering: RtlMode
    sync_ca_file: str | None
    sync_problem: str | None
    retention_days: int
    idle_seconds: float  # before the screen locks itself
    preset_user: str | None
    data_dir_option: Path | None
    kdf_floor: KdfParams | None

    def set_ui_language(self, language: str) -> None: ...

    def set_rtl_rendering(self, mode: str) -> None: ...

    def screen_classes(self) -> dict[str, type[DOMNode]]: ...

    def apply_keymap(self, keys: dict[str, str]) -> list[str]: ...

    def unlocked(self, store: Store, resume: Resume | None = None) -> None: ...

    def revoked(self) -> None: ...

    def action_lock(self) -> None: ...


def intake_app(node: Any) -> IntakeAppView:
    """The running app of a mounted screen or widget, typed."""
    return cast(IntakeAppView, node.app)


class AppAccess:
    """Mixin for screens and widgets: `self.intake` (the typed app) and `self.store`."""

    @property
    def intake(self) -> IntakeAppView:
        return intake_app(self)

    @property
    def store(self) -> Store:
        store = intake_app(self).store
        if store is None:  # a screen that needs data is never shown while locked
            raise RuntimeError("the store is locked")
        return store
