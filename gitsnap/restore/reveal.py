"""Sealed values back into live state: the only way a restore reads a secret.

Every restore client carries one botocore hook: each string parameter about to be sent is
searched for fingerprint markers, and each marker is replaced by the value sealed under it
(with the identity), or the call is refused before it is sent (without it). So no restorer can
write a fingerprint to live state, whatever it builds. Sealed bodies and files are opened here
too, and checked against the sha256 the snapshot recorded.
"""

from __future__ import annotations

import hashlib
import json
import threading
from typing import Any

from ..layout import SEALED_SIDECAR
from ..secrets.fingerprint import MARKER, PREFIX, has_marker
from ..secrets.seal import Unsealer, body_path, value_path
from ..store.snapshot import Snapshot
from .ops import IDENTITY_HINT, RestoreError


class NeedsIdentityError(RestoreError):
    """A sealed value or body would be written, and this machine has no identity to open it."""


def sealed_files(snapshot: Snapshot, address: str) -> dict[str, dict[str, Any]]:
    """A resource's sidecar: its files that were sealed (size, sha256, findings), by path."""
    blob = snapshot.resource_files(address).get(SEALED_SIDECAR) if address in snapshot.resources else None
    return json.loads(snapshot.read(blob)) if blob else {}


class Revealer:
    """Opens what a snapshot sealed, for the restore of that snapshot."""

    def __init__(self, snapshot: Snapshot, unsealer: Unsealer | None) -> None:
        self.snapshot = snapshot
        self.unsealer = unsealer
        self._values: dict[str, Any] = {}
        self._lock = threading.Lock()

    @property
    def available(self) -> bool:
        return self.unsealer is not None

    def _open(self, path: str, what: str) -> bytes:
        if self.unsealer is None:
            raise NeedsIdentityError(f"{what} is sealed in the snapshot: {IDENTITY_HINT}; nothing was written")
        blob = self.snapshot.files.get(path)
        if blob is None:
            raise RestoreError(f"{what}: {path} is missing from the snapshot: run 'gitsnap verify'")
        return self.unsealer.open(self.snapshot.read(blob), f"{what} ({path})")

    def value(self, fp_hex: str, what: str = "a sealed value") -> Any:
        with self._lock:
            if fp_hex in self._values:
                return self._values[fp_hex]
        raw = self._open(value_path(fp_hex), what)
        try:
            value = json.loads(raw)["v"]
        except (ValueError, KeyError, TypeError) as exc:
            raise RestoreError(f"{what}: sealed value {fp_hex} is not gitsnap's format (damaged?)") from exc
        with self._lock:
            self._values[fp_hex] = value
        return value

    def text(self, text: str, what: str = "a sealed value") -> Any:
        """A string with its markers replaced; a string that is one whole marker gives the
        value as it was sealed (a number stays a number)."""
        whole = MARKER.fullmatch(text)
        if whole:
            return self.value(whole.group(1), what)
        return MARKER.sub(lambda m: str(self.value(m.group(1), what)), text)

    def deep(self, obj: Any, what: str = "a sealed value") -> Any:
        if isinstance(obj, str):
            return self.text(obj, what) if PREFIX in obj else obj
        if isinstance(obj, dict):
            return {k: self.deep(v, what) for k, v in obj.items()}
        if isinstance(obj, list):
            return [self.deep(v, what) for v in obj]
        return obj

    def body(self, sha256: str, what: str) -> bytes:
        data = self._open(body_path(sha256), what)
        if hashlib.sha256(data).hexdigest() != sha256:
            raise RestoreError(f"{what}: the sealed body does not hash to the snapshot's sha256 (damaged)")
        return data

    def sealed_files(self, address: str) -> dict[str, dict[str, Any]]:
        return sealed_files(self.snapshot, address)

    def file(self, address: str, rel: str) -> bytes | None:
        """A resource file as it was captured: the sealed original if it was sealed, else the
        stored file; None if the snapshot has neither."""
        entry = self.sealed_files(address).get(rel)
        if entry is not None:
            return self.body(entry["sha256"], f"{address} {rel}")
        blob = self.snapshot.resource_files(address).get(rel)
        return self.snapshot.read(blob) if blob else None

    # -- the client hook -------------------------------------------------------------------

    def install(self, client: Any) -> None:
        """Reveal (or refuse) every marker in every parameter this client sends."""
        def reveal_params(params: Any, model: Any = None, **_: Any) -> None:
            if not has_marker(params):
                return
            op = getattr(model, "name", "a call")
            revealed = self.deep(params, f"{client.meta.service_model.service_name}:{op}")
            params.clear()
            params.update(revealed)

        client.meta.events.register("before-parameter-build", reveal_params)
