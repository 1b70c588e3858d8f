"""Listing a bucket's objects: one page for a small bucket, fanned out over prefixes for a big one.

ListObjectsV2 returns 1,000 keys a page, each page asking for the next: at 25 ms a page a
10-million-key bucket takes 250 s to list in sequence. A bucket whose first page is the
whole listing costs that one page (the bucket's configuration calls overlap it). A bigger
one is split by its key prefixes, discovered with ``Delimiter='/'``:

1. the root is listed with the delimiter: the keys with no ``/`` and the top-level prefixes;
   a bucket without prefixes (no ``/`` in any key) is then already listed whole, in order;
2. each prefix is listed on its own, :data:`LIST_WORKERS` at once: a prefix whose first
   page is its whole listing is done; a larger one is split once more by its own prefixes
   (down to :data:`MAX_DEPTH` levels), and the prefixes of the last level are listed plainly;
3. the pieces are merged in key order (code point order, which for valid UTF-8 is S3's
   byte order), so the result is exactly the plain listing: the same keys, in the same order.

A key holding the delimiter is listed under its prefix (``a/`` is in the ``a/`` prefix, as
is ``a//b``; ``/`` alone is the ``/`` prefix), so no key is lost or listed twice. Every
page is checked (a page that says more follow but gives no token is an error); any failed
page fails the listing, never a partial listing recorded as complete.

Pages are read through the client's lean reader and parsed into compact objects
(:mod:`.s3list`), or through botocore's checked paginator when the client has no lean reader.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import botocore.exceptions as bx

from ..errors import IncompleteAnswerError
from ..spec import Raw
from .clients import INCOMPLETE_ANSWERS, TruncatedPageError, pages, translate
from .s3http import FAST_READER, fast_capable
from .s3list import from_botocore, lean_lister

LIST_WORKERS = 16  # prefix listings at once
MAX_DEPTH = 2  # prefix levels split by the delimiter; deeper prefixes are listed plainly
PAGE_KEYS = 1000  # keys per page (S3's most)
MAX_PREFIXES = 2000  # more prefixes than this at one level: listing each costs more than it saves
DELIMITER = "/"
ANSWER_TRIES = 2  # a listing with an unusable page is listed again once, then is an error

Lister = Callable[..., list[dict[str, Any]]]  # one ListObjectsV2 listing, all its pages


def _contents(listing: list[dict[str, Any]]) -> list[Raw]:
    return [o for page in listing for o in page.get("Contents") or ()]


def _prefixes(listing: list[dict[str, Any]]) -> list[str]:
    return [p["Prefix"] for page in listing for p in page.get("CommonPrefixes") or ()]


class Fanout:
    """One bucket's listing, fanned out over prefixes (see the module docstring)."""

    def __init__(self, lister: Lister, workers: int = LIST_WORKERS, max_depth: int = MAX_DEPTH,
                 page_keys: int = PAGE_KEYS) -> None:
        self.lister = lister
        self.workers = workers
        self.max_depth = max_depth
        self.page_keys = page_keys
        self.listings = 0  # listings made (for tests and logs)

    def _list(self, **params: Any) -> list[dict[str, Any]]:
        self.listings += 1
        if self.page_keys != PAGE_KEYS:  # S3's own page size is asked by not asking
            params["MaxKeys"] = self.page_keys
        return self.lister(**params)

    def split(self, prefix: str, depth: int) -> tuple[list[Raw], list[tuple[str, int]]]:
        """One prefix: its keys if one page holds them, or those directly in it (by the delimiter)
        and its sub-prefixes to list next; at the last level, all its keys."""
        if depth >= self.max_depth:
            return _contents(self._list(Prefix=prefix)), []
        first = self._list(Prefix=prefix, single_page=True)
        if not first[-1].get("IsTruncated"):
            return _contents(first), []
        found = self._list(Prefix=prefix, Delimiter=DELIMITER)
        return _contents(found), [(p, depth + 1) for p in _prefixes(found)]

    def listing(self) -> list[Raw]:
        """The whole listing: its first plain page, and if that is not all, the fan-out."""
        first = self._list(single_page=True)[0]
        if not first.get("IsTruncated"):
            return list(first.get("Contents") or ())
        root = self._list(Delimiter=DELIMITER)
        keys = _contents(root)
        todo = [(p, 1) for p in _prefixes(root)]
        if not todo:
            return keys  # no key holds the delimiter: the root listing is the plain listing
        if len(todo) > MAX_PREFIXES:  # thousands of small prefixes: the plain listing is cheaper
            return _contents(self._list())
        with ThreadPoolExecutor(min(self.workers, len(todo)), thread_name_prefix="gitsnap-s3-list") as pool:
            while todo:  # one level at a time: no task waits on another
                done = list(pool.map(lambda item: self.split(*item), todo))
                todo = []
                for found, more in done:
                    keys.extend(found)
                    todo.extend(more)
                if len(todo) > MAX_PREFIXES:  # too many to split further: each listed plainly
                    todo = [(p, self.max_depth) for p, _ in todo]
        keys.sort(key=lambda o: o["Key"])
        return keys


def make_lister(client: Any, bucket: str) -> Lister:
    """ListObjectsV2 of *bucket* through *client*: all pages, or the first with ``single_page``;
    objects as :class:`~.s3list.Listed`. Through the client's lean reader when it has one
    (:mod:`.s3list`), else through botocore's checked pages."""
    fast = getattr(client, FAST_READER, None)
    if fast is not None and fast_capable(client, bucket):
        return lean_lister(fast, bucket)

    def lister(single_page: bool = False, **params: Any) -> list[dict[str, Any]]:
        listing = pages(client, "list_objects_v2", Bucket=bucket, **params)
        if single_page:  # through the checked pages all the same: the first one only
            page = next(iter(listing))
            if page.get("IsTruncated") and not page.get("NextContinuationToken"):
                raise TruncatedPageError("a page says IsTruncated but gives no NextContinuationToken")
            return [from_botocore(page)]
        return [from_botocore(page) for page in listing]

    return lister


def get_objects(ctx: Any, raw: Raw) -> list[Raw]:
    """A bucket's objects in key order (the ``Objects`` detail)."""
    bucket = raw["Name"]
    fanout = Fanout(make_lister(ctx.client("s3"), bucket))
    problem = ""
    for _ in range(ANSWER_TRIES):
        try:
            return fanout.listing()
        except INCOMPLETE_ANSWERS as exc:
            problem = str(exc)
        except (bx.BotoCoreError, bx.ClientError) as exc:
            raise translate(exc, f"s3/{bucket}: s3:ListBucket") from exc
    raise IncompleteAnswerError(
        f"s3/{bucket}: s3:ListBucket answered incompletely twice ({problem}); nothing was recorded "
        "from it: capture again (report it if it persists)")
