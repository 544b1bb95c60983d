"""Gradio's state of each browser session, without its eager copy of the page's config.

Gradio 6 builds, at a session's first event (a page load), a config dict of every block of the page
(``SessionState.config_values``: 510 blocks here), and then notes in it the last value of every input and output
the session's events touch. It keeps them for one thing only: a "deep link" (``gr.DeepLinkButton``, the
``/gradio_api/deep_link`` route) that reopens the page as the session left it. Building them took 0.2 s of CPU
with the GIL held and kept 0.89 MB, per session (bench/sessions_memory.md): a class of 50 opening the page stopped
every other request for 10 s and kept 45 MB, and every reload added as much.

``lean_sessions()`` makes a session build them only when a deep link is asked for: a session keeps the configs
Gradio replaced and the values it noted (references, as before), and ``components`` makes the rest on demand. A
deep link comes out as before (tests/test_core_sessions.py compares both with Gradio's own on this app). Gradio is
pinned; if its ``SessionState`` no longer has the shape this relies on, nothing is changed.
"""
from __future__ import annotations

import copy
import logging
import os

log = logging.getLogger("mldemo")

#: The parts of gradio.state_holder.SessionState this module replaces or relies on.
_RELIES_ON = ("__init__", "components", "_update_value_in_config", "_update_config", "__setitem__")
#: Gradio's own methods of those, kept when ``lean_sessions`` replaces them (the tests' oracle).
GRADIO_SESSION: dict = {}


class _Replaced(dict):
    """A lean session's ``config_values``: only the configs Gradio made anew for a block (its ``__setitem__`` and
    ``_update_config``). A new config drops the value noted for the block before it, as Gradio's replaced dict did."""

    def __init__(self, noted: dict):
        super().__init__()
        self.noted = noted  # not ``values``: that would hide dict.values()

    def __setitem__(self, key, config):
        self.noted.pop(key, None)
        super().__setitem__(key, config)


def _init(self, blocks) -> None:
    """Gradio's ``SessionState.__init__`` without building ``config_values``."""
    self.blocks_config = copy.copy(blocks.default_config)
    self._app_blocks = blocks
    self._noted: dict = {}  # block id -> the last value an event noted for it
    self.config_values = _Replaced(self._noted)
    self.state_data = {}
    self._state_ttl = {}
    self.is_closed = False
    self.STATE_TTL_WHEN_CLOSED = 1 if os.getenv("GRADIO_IS_E2E_TEST", None) else 3600


def _config(self, key: int) -> dict:
    """The block's config as Gradio's eager session holds it: the one made anew, else the page's own."""
    if key in self.config_values:
        return self.config_values[key]
    return self.blocks_config.config_for_block(key, [], self._app_blocks.default_config.blocks[key])


def _update_value_in_config(self, key: int, value) -> None:
    if key not in self.config_values and not _began_with(self._app_blocks, key):
        # a block the page did not have when the session began: Gradio made its config from the session's block
        self.config_values[key] = self.blocks_config.config_for_block(key, [], self.blocks_config.blocks[key])
    self._noted[key] = value


def _began_with(blocks, key: int) -> bool:
    """Whether Gradio's eager session began with a config of this block."""
    return key in blocks.default_config.blocks and key in blocks.blocks


def _first_ids(blocks) -> list[int]:
    """The blocks Gradio's eager session began with, in its order."""
    return [key for key in blocks.default_config.blocks if _began_with(blocks, key)]


def _components(self):
    """Every block's config with the value last noted for it, in Gradio's order: the first blocks, then the others."""
    first = _first_ids(self._app_blocks)
    seen = set(first)
    for key in [*first, *(key for key in self.config_values if key not in seen)]:
        config = _config(self, key)
        if key in self._noted and "props" in config:
            config = {**config, "props": {**config["props"], "value": self._noted[key]}}
        if config:
            yield config


def lean_sessions() -> bool:
    """Makes every Gradio session lean (see the module); True when it is (again: nothing more to do)."""
    from gradio import state_holder

    session = state_holder.SessionState
    if getattr(session, "_lean", False):
        return True
    if not all(hasattr(session, name) for name in _RELIES_ON) or not isinstance(session.components, property):
        log.warning("gradio's SessionState has changed: sessions keep their eager config")
        return False
    GRADIO_SESSION.update({name: session.__dict__[name] for name in _RELIES_ON if name in session.__dict__})
    session.__init__ = _init
    session._update_value_in_config = _update_value_in_config
    session.components = property(_components)
    session._lean = True
    return True
