"""ListObjectsV2 without botocore's parser: each page read straight into compact objects.

botocore parses a 1,000-key page into 1,000 dicts and a ``datetime`` per key: 175 ms of CPU a
page, 17.5 s and some 400 MiB for a 100,000-key bucket, most of a no-change capture. A capture
needs five fields of each key. So a page is fetched through the client's lean reader
(:class:`~.s3http.FastS3`: the same signing, endpoint, retries, redirects and errors as its
GetObject) and parsed with ``xml.etree`` into :class:`Listed` objects (slots; the last-modified
time kept as the string S3 sent), about a tenth of the CPU and memory.

Keys are data: the listing asks ``encoding-type=url`` (as botocore does), so S3 sends every
key percent-encoded (XML 1.0 cannot carry control characters, and an XML parser turns ``\\r``
into ``\\n``); each is decoded as botocore decodes it (``unquote_plus``: S3 encodes a space
as ``+`` and ``+`` as ``%2B``), so every legal key comes back exactly as it was written.

Every page is checked as :func:`~.api.pages` checks botocore's: a page that says more follow
but gives no continuation token, or gives the token it was asked with, or cannot be parsed,
raises one of :data:`~.api.INCOMPLETE_ANSWERS`; a refused page raises botocore's
``ClientError``. A listing is never cut short quietly.

:func:`lean_lister` is used only when the client has its lean reader (see
:func:`~.s3http.attach`: not when hooks watch the client's calls); otherwise the listing
goes through botocore's checked paginator and its dicts are made :class:`Listed` here too.
"""

from __future__ import annotations

import gc
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote, unquote_plus

from botocore.parsers import ResponseParserError

from .api import TruncatedPageError
from .s3http import FastS3

# botocore's names for a listed object's fields, as :class:`Listed` answers ``obj["Key"]``
FIELDS = {"Key": "key", "Size": "size", "ETag": "etag", "LastModified": "last_modified",
          "StorageClass": "storage_class", "ChecksumAlgorithm": "checksum_algorithm",
          "ChecksumType": "checksum_type", "Owner": "owner", "RestoreStatus": "restore_status"}
_SHARED: dict[Any, Any] = {}  # storage classes, checksum names: one copy of each in a listing


def _shared(value: Any) -> Any:
    return _SHARED.setdefault(value, value) if len(_SHARED) < 256 else value


class Listed:
    """One listed object: its key, size, ETag (quoted, as listed), last-modified (the string
    sent), storage class, checksum algorithm(s) and type, owner and restore status if listed.

    Reads as botocore's dict for the fields it has (``obj["Key"]``, ``obj.get("StorageClass")``),
    so code written for botocore's listing reads it unchanged.
    """

    __slots__ = ("key", "size", "etag", "last_modified", "storage_class", "checksum_algorithm",
                 "checksum_type", "owner", "restore_status")

    def __init__(self, key: str, size: int, etag: str, last_modified: Any = None, storage_class: str | None = None,
                 checksum_algorithm: tuple[str, ...] | None = None, checksum_type: str | None = None,
                 owner: dict[str, str] | None = None, restore_status: dict[str, Any] | None = None) -> None:
        self.key = key
        self.size = size
        self.etag = etag
        self.last_modified = last_modified
        self.storage_class = storage_class
        self.checksum_algorithm = checksum_algorithm
        self.checksum_type = checksum_type
        self.owner = owner
        self.restore_status = restore_status

    @classmethod
    def from_dict(cls, obj: Any) -> Listed:
        """A listed object from botocore's dict (or one shaped like it). Pure."""
        if type(obj) is cls:
            return obj
        algorithms = obj.get("ChecksumAlgorithm")
        return cls(obj["Key"], obj.get("Size", 0), obj.get("ETag", ""), obj.get("LastModified"),
                   _shared(obj.get("StorageClass")), _shared(tuple(algorithms)) if algorithms else None,
                   _shared(obj.get("ChecksumType")), obj.get("Owner"), obj.get("RestoreStatus"))

    def __getitem__(self, name: str) -> Any:
        value = self.get(name)
        if value is None:
            raise KeyError(name)
        return value

    def get(self, name: str, default: Any = None) -> Any:
        attr = FIELDS.get(name)
        value = getattr(self, attr) if attr is not None else None
        if name == "ChecksumAlgorithm" and value is not None:
            value = list(value)
        return default if value is None else value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Listed) and all(getattr(self, s) == getattr(other, s) for s in self.__slots__)

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value

    def __repr__(self) -> str:
        return f"Listed({self.key!r}, {self.size}, {self.etag!r})"


class _GcPause:
    """Python's cyclic collector held off while any thread builds a large batch of objects.

    Each 700 new container objects start a collector pass over the young ones, and the older
    generations are walked again and again as a 100,000-key listing grows: 40% of the parse's
    CPU (1.47 s without it, 2.57 s with it, for 100,000 keys). A page's objects make no
    reference cycles (freed by reference counting), so nothing is left uncollected; garbage
    made meanwhile by other threads is collected once the last pause ends.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holders = 0
        self._was_enabled = False

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self._lock:
            if self._holders == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._holders += 1
        try:
            yield
        finally:
            with self._lock:
                self._holders -= 1
                if self._holders == 0 and self._was_enabled:
                    gc.enable()


gc_paused = _GcPause()


# -- one page --------------------------------------------------------------------------------


class Page:
    """One parsed ListObjectsV2 page."""

    __slots__ = ("contents", "prefixes", "truncated", "token")

    def __init__(self, contents: list[Listed], prefixes: list[str], truncated: bool, token: str | None) -> None:
        self.contents = contents
        self.prefixes = prefixes
        self.truncated = truncated
        self.token = token

    def as_botocore(self) -> dict[str, Any]:
        """The page shaped as botocore's parsed answer (what :mod:`.s3listing` pages are)."""
        page: dict[str, Any] = {"Contents": self.contents, "IsTruncated": self.truncated}
        if self.prefixes:
            page["CommonPrefixes"] = [{"Prefix": p} for p in self.prefixes]
        if self.token is not None:
            page["NextContinuationToken"] = self.token
        return page


def _unusable(why: str) -> ResponseParserError:
    return ResponseParserError(f"ListObjectsV2: unusable page ({why})")


def _contents(element: ET.Element, ns: str, decode: Any) -> Listed:
    key = size = etag = modified = storage = ctype = owner = restore = None
    algorithms: list[str] = []
    k, s, e, m, c, a, t = _tags(ns)
    for child in element:
        tag = child.tag  # whole names compared: no slice per field of 100,000 keys
        if tag == k:
            key = decode(child.text or "")
        elif tag == m:
            modified = child.text
        elif tag == e:
            etag = child.text
        elif tag == s:
            size = int(child.text or "")
        elif tag == c:
            storage = child.text
        elif tag == a:
            algorithms.append(child.text or "")
        elif tag == t:
            ctype = child.text
        elif tag == ns + "Owner":
            owner = {x.tag[len(ns):]: x.text or "" for x in child}
        elif tag == ns + "RestoreStatus":
            restore = {x.tag[len(ns):]: x.text or "" for x in child}
    if key is None or size is None:
        raise _unusable("a Contents entry without Key or Size")
    return Listed(key, size, etag or "", modified, _shared(storage),
                  _shared(tuple(algorithms)) if algorithms else None, _shared(ctype), owner, restore)


_TAGS: dict[str, tuple[str, ...]] = {}


def _tags(ns: str) -> tuple[str, ...]:
    """A Contents entry's field names in namespace *ns*, made once."""
    tags = _TAGS.get(ns)
    if tags is None:
        names = ("Key", "Size", "ETag", "LastModified", "StorageClass", "ChecksumAlgorithm", "ChecksumType")
        tags = _TAGS[ns] = tuple(ns + n for n in names)
    return tags


def parse_page(data: bytes) -> Page:
    """A ListObjectsV2 answer's XML as a :class:`Page`, keys decoded. Pure.

    Raises botocore's ``ResponseParserError`` (an incomplete answer: asked again) for XML that
    cannot be read or is not a ListBucketResult.
    """
    with gc_paused():
        return _parse_page(data)


def _parse_page(data: bytes) -> Page:
    try:
        root = ET.fromstring(data)  # noqa: S314 (the service's answer; expat resolves no external entities)
    except ET.ParseError as exc:
        raise _unusable(f"not XML: {exc}") from exc
    tag = root.tag
    ns = tag[: tag.index("}") + 1] if tag.startswith("{") else ""
    if tag[len(ns):] != "ListBucketResult":
        raise _unusable(f"a {tag[len(ns):]}, not a ListBucketResult")
    decode = unquote_plus if root.findtext(ns + "EncodingType") == "url" else str
    contents: list[Listed] = []
    prefixes: list[str] = []
    truncated = False
    token = None
    contents_tag, prefixes_tag = ns + "Contents", ns + "CommonPrefixes"
    for child in root:
        tag = child.tag
        if tag == contents_tag:
            contents.append(_contents(child, ns, decode))
        elif tag == prefixes_tag:
            prefix = child.findtext(ns + "Prefix")
            if prefix is not None:
                prefixes.append(decode(prefix))
        elif tag == ns + "IsTruncated":
            truncated = (child.text or "").strip().lower() == "true"
        elif tag == ns + "NextContinuationToken":
            token = child.text or None
    return Page(contents, prefixes, truncated, token)


# -- a listing --------------------------------------------------------------------------------

# botocore's parameter names, as s3listing passes them, and ListObjectsV2's query names, in
# the order botocore sends them (after ``list-type=2``): the query reads as botocore's on the wire
_QUERY = {"Delimiter": "delimiter", "EncodingType": "encoding-type", "MaxKeys": "max-keys", "Prefix": "prefix",
          "ContinuationToken": "continuation-token", "FetchOwner": "fetch-owner", "StartAfter": "start-after"}


def query_string(params: dict[str, Any], token: str | None) -> str:
    """The query of one ListObjectsV2 request, percent-encoded as botocore encodes it. Pure.

    (SigV4 signs the pairs sorted; :class:`~.s3http.Signer` sorts them.)"""
    unknown = set(params) - set(_QUERY) | set(params) & {"EncodingType", "ContinuationToken"}  # the lister's own
    if unknown:
        raise TypeError(f"ListObjectsV2 parameters {sorted(unknown)} are not supported by the lean listing")
    given = {**params, "EncodingType": "url"}
    if token is not None:
        given["ContinuationToken"] = token
    pairs = ["list-type=2"]
    for name, field in _QUERY.items():
        if name in given:
            value = given[name]
            text = str(value).lower() if isinstance(value, bool) else str(value)
            pairs.append(f"{field}={quote(text, safe='-_.~')}")
    return "&".join(pairs)


def list_pages(fast: FastS3, bucket: str, **params: Any) -> Iterator[Page]:
    """The checked pages of one listing (see the module docstring): each is checked before
    it is given, so the first page alone is checked too."""
    token: str | None = None
    while True:
        page = parse_page(fast.read_bucket(bucket, query_string(params, token), "ListObjectsV2"))
        if page.truncated and page.token is None:
            raise TruncatedPageError("a page says IsTruncated but gives no NextContinuationToken")
        if page.truncated and page.token == token:
            raise TruncatedPageError("a page gives back the continuation token it was asked with")
        yield page
        if not page.truncated:
            return
        token = page.token


def lean_lister(fast: FastS3, bucket: str) -> Any:
    """A :data:`.s3listing.Lister` reading through *fast*: pages shaped as botocore's."""

    def lister(single_page: bool = False, **params: Any) -> list[dict[str, Any]]:
        pages = list_pages(fast, bucket, **params)
        if single_page:
            return [next(pages).as_botocore()]
        return [page.as_botocore() for page in pages]

    return lister


def from_botocore(page: dict[str, Any]) -> dict[str, Any]:
    """A botocore page, its objects made :class:`Listed` in place (the fallback listing's)."""
    contents = page.get("Contents")
    if contents:
        page["Contents"] = [Listed.from_dict(o) for o in contents]
    return page
