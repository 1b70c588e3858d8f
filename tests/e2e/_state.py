"""Seed once, restore many: the sandbox's state saved after seeding, put back before each test.

Why: seeding the sample estate over HTTP costs about 8 CPU-seconds (boto3 on one side, moto on
the other, both in the pytest worker), and capturing it about 10 more; most e2e tests start
from that same estate. A :class:`Saved` state is a deep copy of every moto backend in use (and
of the Lightsail fake's lists), taken once per worker; :func:`restore` resets moto and puts a
fresh deep copy of it in place, in about half a CPU-second. A test gets exactly the state it
would have had right after seeding (same ids, bodies, timestamps), and nothing another test did:
the saved copy is never handed to moto, only copies of it.

How: moto keeps all state in ``BackendDict`` objects (service -> account -> region -> backend),
each listed in ``BackendDict._instances`` once used; moto's own reset empties them. One
``copy.deepcopy`` of all of them keeps references between services intact, and the memo maps
each ``BackendDict`` to itself, so a model that refers to a global one keeps referring to it.
moto has no public API for this (``/moto-api/`` offers reset, not save): this relies on moto
5.x's internals and fails loudly (AttributeError, or a test seeing the wrong estate) if they
change.

What restore covers is what moto's reset clears (``BackendDict``s, then its model registry),
so nothing a reset forgot before is remembered now; the Lightsail fake is reset and refilled too.

Three moto details matter:
- moto's SSM ``ParameterDict`` (a defaultdict whose ``__init__`` takes other arguments) cannot
  be deep-copied the default way; :func:`_copy_defaultdict` copies it, while copying only.
- every model instance is appended to its class's ``instances_tracked`` when made (deepcopy
  included), and moto's reset disposes the S3 bodies of every tracked key. The saved copy's
  instances are taken off those lists, or the next reset would close the saved bodies; they
  are disposed by :meth:`Saved.discard` instead.
- ACM issues a pending certificate by itself once ``moto.settings.ACM_VALIDATION_WAIT``
  seconds (60) have passed since the request, read on each describe. A restored certificate is
  as old as the saved one, so the conftest holds that wait at an hour for the session (a test
  may still set it, as tests/e2e/test_drift.py does): a certificate stays pending for the
  whole of a test, as it did when each test seeded its own seconds before.

The Apps Script fake is not the sandbox's: tests that use one make their own, so nothing of it
is shared between tests.

A :class:`Template` adds the capture: a folder (HOME with the keys, the repository) and the
state right after capturing into it, copied per test. A copied repository's files have new
inodes, so its sound cache (gitsnap/store/sound.py) matches nothing and the first capture in a
copy checks stored bodies afresh: the same results, without the cache's shortcut. A test about
that cache must capture itself (tests/e2e/test_repo_integrity.py does).
"""

from __future__ import annotations

import copy
import shutil
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from moto.core.base_backend import BackendDict, backend_lock
from moto.core.common_models import BaseModel
from moto.moto_api._internal.models import moto_api_backend

from gitsnap.sandbox.server import Sandbox

LIGHTSAIL_LISTS = ("instances", "static_ips", "domains", "snapshots", "calls")
_PLAIN = frozenset({"backend", "service_name", "_use_boto3_regions", "_additional_regions", "_id"})


def _model_classes() -> Iterator[type]:
    todo = [BaseModel]
    while todo:
        cls = todo.pop()
        yield cls
        todo.extend(cls.__subclasses__())


def _tracked_lengths() -> dict[type, int]:
    return {cls: len(cls.__dict__["instances_tracked"]) for cls in _model_classes()
            if "instances_tracked" in cls.__dict__}


def _untrack_since(lengths: dict[type, int]) -> list[Any]:
    """Take the instances made since *lengths* off moto's tracking lists; return them."""
    made: list[Any] = []
    for cls in _model_classes():
        tracked = cls.__dict__.get("instances_tracked")
        if tracked is not None:
            start = lengths.get(cls, 0)
            made.extend(tracked[start:])
            del tracked[start:]
    return made


@dataclass
class Saved:
    """A deep copy of the sandbox's state; restore it with :func:`restore`, as often as needed."""

    backends: list[tuple[BackendDict, dict[str, Any], dict[str, Any]]]  # (the BackendDict, its accounts, its other attributes)
    lightsail: dict[str, list[Any]]
    owned: list[Any] = field(repr=False)  # the copy's model instances, untracked

    def discard(self) -> None:
        """Close the saved S3 bodies (moto's reset would have, had they been tracked)."""
        for obj in self.owned:
            dispose = getattr(obj, "dispose", None)
            if callable(dispose):
                dispose()
        self.owned.clear()


def _copy_defaultdict(x: defaultdict, memo: dict[int, Any]) -> defaultdict:
    """A deep copy of a defaultdict subclass whose ``__init__`` takes other arguments (moto's SSM
    ``ParameterDict``): the default reduction calls ``cls(default_factory)``, which fails."""
    y = type(x).__new__(type(x))
    memo[id(x)] = y
    defaultdict.__init__(y, x.default_factory)
    vars(y).update(copy.deepcopy(vars(x), memo))
    for key, value in x.items():
        y[copy.deepcopy(key, memo)] = copy.deepcopy(value, memo)
    return y


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


@contextmanager
def _copiers() -> Iterator[None]:
    """While copying: :func:`_copy_defaultdict` for moto's defaultdict subclasses (by exact type,
    as ``copy`` looks them up), then the copy module as it was."""
    dispatch = copy._deepcopy_dispatch  # type: ignore[attr-defined]
    added = [cls for cls in _subclasses(defaultdict) if cls.__module__.startswith("moto.") and cls not in dispatch]
    for cls in added:
        dispatch[cls] = _copy_defaultdict
    try:
        yield
    finally:
        for cls in added:
            dispatch.pop(cls, None)


def _copy_backends(backends: list[tuple[BackendDict, dict[str, Any], dict[str, Any]]]) -> Any:
    memo: dict[int, Any] = {id(bd): bd for bd, _, _ in backends}
    with _copiers():
        return copy.deepcopy(backends, memo)


def save(sandbox: Sandbox) -> Saved:
    """Everything moto and the Lightsail fake hold now. Call with no request in flight."""
    with backend_lock:
        lengths = _tracked_lengths()
        live = [(bd, dict(bd), {k: v for k, v in vars(bd).items() if k not in _PLAIN})
                for bd in BackendDict._instances if bd.service_name != "moto_api"]
        backends = _copy_backends(live)
        owned = _untrack_since(lengths)
    lightsail = copy.deepcopy({name: getattr(sandbox.lightsail, name) for name in LIGHTSAIL_LISTS})
    return Saved(backends, lightsail, owned)


def restore(sandbox: Sandbox, saved: Saved) -> None:
    """Forget everything, then hold a fresh copy of *saved*: as if it had just been seeded."""
    with backend_lock:
        moto_api_backend.reset()  # what POST /moto-api/reset does, here in-process
        for bd, accounts, attributes in _copy_backends(saved.backends):
            dict.update(bd, accounts)
            vars(bd).update(attributes)
            if bd not in BackendDict._instances:
                BackendDict._instances.append(bd)
    sandbox.lightsail.reset()
    for name, items in copy.deepcopy(saved.lightsail).items():
        setattr(sandbox.lightsail, name, items)


class States:
    """Saved states by name, each made on first use by this worker (one sandbox per worker)."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self._saved: dict[str, tuple[Saved, Any]] = {}

    def restore(self, name: str, make: Callable[[], Any]) -> Any:
        """Put state *name* back, making it first with *make* (on a reset sandbox) if it is new.

        Returns a copy of what *make* returned (ids and such), so a test may change it freely.
        """
        if name not in self._saved:
            self.sandbox.reset()
            made = make()
            self._saved[name] = (save(self.sandbox), copy.deepcopy(made))
        saved, made = self._saved[name]
        restore(self.sandbox, saved)
        return copy.deepcopy(made)

    def close(self) -> None:
        for saved, _ in self._saved.values():
            saved.discard()
        self._saved.clear()


@dataclass
class Template:
    """A folder (HOME and the repository) and the sandbox's state right after a capture into it.

    Each test gets its own copy of both (:meth:`copy_to`), so a module captures once and every
    test starts where it would have after seeding and capturing itself.
    """

    root: Path
    saved: Saved
    info: Any  # what the setup returned (ids, generated values)
    result: Any  # the capture's Result

    def copy_to(self, sandbox: Sandbox, tmp_path: Path) -> tuple[Any, Any]:
        """Restore the state, copy the folder into *tmp_path*; return copies of (info, result)."""
        restore(sandbox, self.saved)
        shutil.copytree(self.root, tmp_path, symlinks=True, dirs_exist_ok=True)
        return copy.deepcopy(self.info), copy.deepcopy(self.result)
