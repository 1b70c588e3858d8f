"""The floor: list a bucket and GET every object, as lean as a client can be.

Unsigned raw HTTP/1.1 over asyncio streams, ``--workers`` keep-alive connections, bodies
read and discarded. What is left is the endpoint's latency and the bytes on the wire: a
capture tool cannot beat it, so the bench reports other tools as multiples of it.
The listing (ListObjectsV2 pages, in sequence, like every tool does) is timed on its own:
it is "the listing" a no-change capture is measured against.

Prints one JSON line: objects, bytes, list_seconds, get_seconds, seconds, cpu_seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import resource
import time
from urllib.parse import quote, unquote_plus, urlsplit

_KEY = re.compile(rb"<Key>([^<]*)</Key>")
_TOKEN = re.compile(rb"<NextContinuationToken>([^<]*)</NextContinuationToken>")
_TRUNCATED = b"<IsTruncated>true</IsTruncated>"
READ = 256 * 1024


class Conn:
    """One keep-alive connection: request, then read the answer's body into nothing (or memory)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, target: str, keep: bool = False) -> tuple[int, bytes, int]:
        """GET ``target``: (status, body if ``keep`` else b"", body length)."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port, limit=READ)
        assert self.reader is not None
        self.writer.write(f"GET {target} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n\r\n".encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        m = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
        left = int(m.group(1)) if m else 0
        n, parts = left, []
        while left:
            chunk = await self.reader.read(min(left, READ))
            if not chunk:
                raise ConnectionError("the endpoint closed the connection mid-body")
            left -= len(chunk)
            if keep:
                parts.append(chunk)
        if re.search(rb"(?i)\r\nconnection:\s*close", head):
            self.writer.close()
            self.writer = None
        return status, b"".join(parts), n


async def list_keys(conn: Conn, bucket: str, prefix: str = "") -> list[str]:
    keys: list[str] = []
    token = None
    while True:
        target = f"/{quote(bucket)}?list-type=2&encoding-type=url&prefix={quote(prefix, safe='')}"
        if token:
            target += f"&continuation-token={quote(token, safe='')}"
        status, body, _ = await conn.request(target, keep=True)
        if status != 200:
            raise SystemExit(f"floor: listing {bucket} failed: HTTP {status}: {body[:300]!r}")
        keys += [unquote_plus(k.decode()) for k in _KEY.findall(body)]
        m = _TOKEN.search(body)
        if _TRUNCATED not in body or not m:
            return keys
        token = m.group(1).decode()


async def get_all(host: str, port: int, bucket: str, keys: list[str], workers: int) -> int:
    todo = iter(keys)
    total = 0

    async def worker() -> None:
        nonlocal total
        conn = Conn(host, port)
        for key in todo:
            status, body, n = await conn.request(f"/{quote(bucket)}/{quote(key, safe='/~')}")
            if status != 200:
                raise SystemExit(f"floor: GET {key} failed: HTTP {status}")
            total += n
        if conn.writer is not None:
            conn.writer.close()

    await asyncio.gather(*(worker() for _ in range(workers)))
    return total


async def run(endpoint: str, bucket: str, workers: int, list_only: bool) -> dict[str, float]:
    url = urlsplit(endpoint)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    t0 = time.perf_counter()
    keys = await list_keys(Conn(host, port), bucket)
    t1 = time.perf_counter()
    total = 0 if list_only else await get_all(host, port, bucket, keys, workers)
    t2 = time.perf_counter()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"objects": len(keys), "bytes": total, "list_seconds": round(t1 - t0, 3),
            "get_seconds": round(t2 - t1, 3), "seconds": round(t2 - t0, 3),
            "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 3)}


def main() -> None:
    p = argparse.ArgumentParser(description="List a bucket and GET every object (unsigned), bodies discarded.")
    p.add_argument("--endpoint", required=True)
    p.add_argument("--bucket", required=True)
    p.add_argument("--workers", type=int, default=16)
    p.add_argument("--list-only", action="store_true", help="only the listing (its time is list_seconds)")
    args = p.parse_args()
    try:
        import uvloop  # the leanest loop there is, when installed (the bench extra has it)
    except ImportError:
        result = asyncio.run(run(args.endpoint, args.bucket, args.workers, args.list_only))
    else:
        result = uvloop.run(run(args.endpoint, args.bucket, args.workers, args.list_only))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
