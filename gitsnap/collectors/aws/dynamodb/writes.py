"""Restoring a table's items: BatchWriteItem from the snapshot's ``items.jsonl``.

Items the snapshot has and live lacks (or holds differently) are put back, 25 to a batch, with
``UnprocessedItems`` sent again after a growing pause. Items live has and the snapshot does not
are deleted only with ``--delete``. Values the capture sealed travel as fingerprints until the
restore client's hook opens them (or refuses, without the identity), as everywhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ....secrets.fingerprint import PREFIX
from ...restoring import IDENTITY_HINT, NEEDS_IDENTITY, Operation, RestoreContext, RestoreError
from .items import ITEMS, Item, from_json_item, key_names, key_of, load_items

BATCH = 25  # BatchWriteItem takes at most 25 requests
TRIES = 8  # sendings of one batch while DynamoDB leaves some of it unprocessed
MAX_PAUSE = 20.0  # seconds, the longest pause between two sendings

# as restore.reveal says it (restore sits above the collectors: its copy cannot be imported here)


def _marked(value: Any) -> bool:
    if isinstance(value, str):
        return PREFIX in value
    if isinstance(value, dict):
        return any(_marked(v) for v in value.values())
    if isinstance(value, list):
        return any(_marked(v) for v in value)
    return False


def captured(doc: dict[str, Any] | None) -> bool | None:
    """Whether a table document says its items were captured: True, False (over the cap), or
    None (the table is not among ``[aws.dynamodb] items``). Pure."""
    marker = (doc or {}).get("Items")
    return None if not isinstance(marker, dict) else bool(marker.get("Captured"))


def _blob(side: Any, address: str) -> str | None:
    return side.resource_files(address).get(ITEMS) if address in side.resources else None


def items_of(ctx: RestoreContext, side: Any, address: str) -> list[Item] | None:
    """One side's items as stored (fingerprints in place of sealed values), None if it has none."""
    if address not in side.resources:
        return None
    blob = side.resource_files(address).get(ITEMS)
    return load_items(side.read(blob)) if blob else None


def send_batches(ddb: Any, table: str, requests: list[dict[str, Any]], ctx: RestoreContext, what: str) -> None:
    """BatchWriteItem, 25 requests at a time; what DynamoDB leaves unprocessed (throttling, a
    full partition) is sent again after a pause that doubles, up to :data:`TRIES` sendings."""
    waits = ctx.waits
    for start in range(0, len(requests), BATCH):
        pending: dict[str, Any] = {table: requests[start:start + BATCH]}
        for attempt in range(TRIES):
            left = ddb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
            if not left.get(table):
                break
            pending = left
            waits.sleep(min(waits.delay * 2 ** attempt, MAX_PAUSE))
        else:
            raise RestoreError(
                f"{what}: DynamoDB left {len(pending[table])} items unprocessed after {TRIES} sendings "
                f"(throttled); {start} items were written before this batch: restore again to finish")


def plan_items(ctx: RestoreContext, address: str, table: str, want_doc: dict[str, Any],
               have_doc: dict[str, Any] | None, ddb: Callable[[], Any]) -> list[Operation]:
    """The operations that put a table's items back (*have_doc* None: the table is being
    created, so live has none). *ddb* makes the client, only when an operation runs."""
    state = captured(want_doc)
    if state is None:
        return []
    if state is False:
        why = (want_doc.get("Items") or {}).get("Why", "")
        return [Operation(address, "cannot-restore", ITEMS, f"the snapshot did not capture this table's items ({why})")]
    if have_doc is not None and _blob(ctx.snapshot, address) == _blob(ctx.live, address):
        return []  # the same items on both sides
    reveal = ctx.reveal
    sealed = reveal is not None and ITEMS in reveal.sealed_files(address)
    want = items_of(ctx, ctx.snapshot, address) or []
    keys = key_names(want_doc.get("Table"))
    have = None if have_doc is None else items_of(ctx, ctx.live, address)
    live_known = have is not None or have_doc is None
    theirs = {key_of(i, keys): i for i in have or []}
    ours = {key_of(i, keys): i for i in want}
    puts = [i for k, i in ours.items() if theirs.get(k) != i] if not sealed else want
    ops: list[Operation] = []
    if puts:
        if (sealed or _marked(puts)) and not (reveal is not None and reveal.available):
            return [Operation(address, NEEDS_IDENTITY, ITEMS, f"items hold sealed values; {IDENTITY_HINT}")]
        new = sum(1 for i in puts if key_of(i, keys) not in theirs)
        detail = (f"{new} items missing live, {len(puts) - new} changed (BatchWriteItem)" if live_known and not sealed
                  else f"all {len(puts)} items of the snapshot (BatchWriteItem)")

        def put() -> None:
            items = load_items(reveal.file(address, ITEMS)) if sealed else puts
            send_batches(ddb(), table, [{"PutRequest": {"Item": from_json_item(i)}} for i in items], ctx,
                         f"{address} {ITEMS}")

        ops.append(Operation(address, "put", ITEMS, detail, run=put))
    extra = [i for k, i in theirs.items() if k not in ours]
    if extra and not ctx.delete:
        ops.append(Operation(address, "kept", ITEMS, f"{len(extra)} items live only; --delete removes them"))
    elif extra:
        unkeyed = [i for i in extra if _marked({k: i.get(k) for k in keys})]
        if unkeyed:
            ops.append(Operation(address, "cannot-restore", ITEMS,
                                 f"{len(unkeyed)} live-only items have a key the secrets guard redacted: delete them by hand"))
        gone = [{"DeleteRequest": {"Key": from_json_item({k: i[k] for k in keys})}} for i in extra if i not in unkeyed]
        if gone:
            ops.append(Operation(address, "delete", ITEMS, f"{len(gone)} items live only (BatchWriteItem)",
                                 run=lambda: send_batches(ddb(), table, gone, ctx, f"{address} {ITEMS}")))
    if not live_known and state:
        ops.append(Operation(address, "kept", ITEMS, "live items were not read (over items_max_bytes): "
                                                     "live-only items cannot be found"))
    return ops
