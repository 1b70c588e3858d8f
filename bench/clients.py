"""S3 client candidates side by side: list a bucket and GET every object into memory.

    .venv/bin/python bench/clients.py --endpoint URL --bucket B --workers N [--only NAME ...]

Prints one JSON line per candidate it can import::

    {"client": ..., "objects": n, "bytes": b, "seconds": s, "cpu_seconds": c}

``cpu_seconds`` is this process's CPU (every thread, native ones too) during the candidate's
run, so on a loaded machine it is the figure to compare; ``seconds`` is wall time. Each
candidate runs in its own process (this script re-runs itself with ``--only``), so one
client's imports, pools and threads do not weigh on the next.

Candidates:

- ``boto3``: ``get_object`` on a shared client, N threads (``max_pool_connections`` N);
- ``botocore-urllib3``: botocore's SigV4 signer and a urllib3 pool, N threads;
- ``gitsnap``: what a capture uses (``gitsnap.collectors.aws.s3http.FastS3``: botocore's
  signer and the client's own urllib3 session, with retries, redirects and gates);
- ``obstore``: Rust object_store, N requests in flight on asyncio;
- ``awscrt``: the AWS CRT S3 client (C), its throughput target raised so it keeps N in flight.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import quote, urlsplit

CANDIDATES = ("boto3", "botocore-urllib3", "gitsnap", "obstore", "awscrt")
REGION = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


def _creds() -> tuple[str, str, str | None]:
    import botocore.session

    frozen = botocore.session.get_session().get_credentials().get_frozen_credentials()
    return frozen.access_key, frozen.secret_key, frozen.token


def _boto_client(endpoint: str, workers: int) -> Any:
    import boto3
    import botocore.config

    return boto3.client("s3", endpoint_url=endpoint, region_name=REGION,
                        config=botocore.config.Config(max_pool_connections=workers + 4))


def _list(endpoint: str, bucket: str, workers: int) -> list[str]:
    client = _boto_client(endpoint, workers)
    return [o["Key"] for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket)
            for o in page.get("Contents", [])]


def _threads(keys: list[str], workers: int, get: Callable[[str], int]) -> int:
    with ThreadPoolExecutor(workers) as pool:
        return sum(pool.map(get, keys))


def run_boto3(endpoint: str, bucket: str, workers: int) -> tuple[int, int]:
    client = _boto_client(endpoint, workers)
    keys = _list(endpoint, bucket, workers)

    def get(key: str) -> int:
        return len(client.get_object(Bucket=bucket, Key=key)["Body"].read())

    return len(keys), _threads(keys, workers, get)


def run_botocore_urllib3(endpoint: str, bucket: str, workers: int) -> tuple[int, int]:
    import urllib3
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    keys = _list(endpoint, bucket, workers)
    creds = Credentials(*_creds())
    pool = urllib3.PoolManager(maxsize=workers, retries=False)
    base = endpoint.rstrip("/")

    def get(key: str) -> int:
        url = f"{base}/{bucket}/{quote(key, safe='/~')}"
        req = AWSRequest("GET", url)
        S3SigV4Auth(creds, "s3", REGION).add_auth(req)
        resp = pool.request("GET", url, headers=dict(req.headers.items()))
        return len(resp.data)

    return len(keys), _threads(keys, workers, get)


def run_gitsnap(endpoint: str, bucket: str, workers: int) -> tuple[int, int]:
    from gitsnap.collectors.aws.clients import AwsAccount
    from gitsnap.collectors.aws.s3http import FAST_READER

    os.environ["AWS_ENDPOINT_URL"] = endpoint
    account = AwsAccount(workers=workers)
    client = account.client("s3", REGION)
    reader = getattr(client, FAST_READER)
    keys = [o["Key"] for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket)
            for o in page.get("Contents", [])]

    def get(key: str) -> int:
        body = reader.get_object(bucket, key)["Body"]
        try:
            return len(body.read())
        finally:
            body.close()

    return len(keys), _threads(keys, workers, get)


def run_obstore(endpoint: str, bucket: str, workers: int) -> tuple[int, int]:
    import obstore
    from obstore.store import S3Store

    key_id, secret, token = _creds()
    store = S3Store(bucket, endpoint=endpoint, region=REGION, access_key_id=key_id, secret_access_key=secret,
                    **({"session_token": token} if token else {}), virtual_hosted_style_request=False,
                    client_options={"allow_http": True, "pool_max_idle_per_host": str(workers)})
    keys = [m["path"] for batch in obstore.list(store, chunk_size=1000) for m in batch]

    async def main() -> int:
        gate = asyncio.Semaphore(workers)

        async def get(key: str) -> int:
            async with gate:
                resp = await obstore.get_async(store, key)
                return len(await resp.bytes_async())

        return sum(await asyncio.gather(*(get(k) for k in keys)))

    return len(keys), asyncio.run(main())


def run_awscrt(endpoint: str, bucket: str, workers: int) -> tuple[int, int]:
    from awscrt.auth import AwsCredentialsProvider
    from awscrt.http import HttpHeaders, HttpRequest
    from awscrt.io import ClientBootstrap, DefaultHostResolver, EventLoopGroup
    from awscrt.s3 import (
        S3Client,
        S3RequestTlsMode,
        S3RequestType,
        create_default_s3_signing_config,
    )

    keys = _list(endpoint, bucket, workers)
    key_id, secret, token = _creds()
    provider = AwsCredentialsProvider.new_static(key_id, secret, token)
    loop = EventLoopGroup()
    bootstrap = ClientBootstrap(loop, DefaultHostResolver(loop))
    parts = urlsplit(endpoint)
    tls = S3RequestTlsMode.ENABLED if parts.scheme == "https" else S3RequestTlsMode.DISABLED
    # the CRT sizes its connections from the throughput target: raise it, or it keeps ~20 in flight
    client = S3Client(bootstrap=bootstrap, region=REGION, tls_mode=tls, throughput_target_gbps=100.0,
                      signing_config=create_default_s3_signing_config(region=REGION, credential_provider=provider))
    total = 0
    lock = threading.Lock()
    gate = threading.Semaphore(workers)

    def on_body(chunk: bytes, **_: Any) -> None:
        nonlocal total
        with lock:
            total += len(chunk)

    futures = []
    for key in keys:
        gate.acquire()
        headers = HttpHeaders([("Host", parts.netloc)])
        request = HttpRequest("GET", f"/{bucket}/{quote(key, safe='/~')}", headers)
        req = client.make_request(type=S3RequestType.GET_OBJECT, request=request, on_body=on_body,
                                  on_done=lambda **_: gate.release())
        futures.append(req.finished_future)
    for fut in futures:
        fut.result()
    return len(keys), total


RUNNERS: dict[str, Callable[[str, str, int], tuple[int, int]]] = {
    "boto3": run_boto3, "botocore-urllib3": run_botocore_urllib3, "gitsnap": run_gitsnap,
    "obstore": run_obstore, "awscrt": run_awscrt,
}


def measure(name: str, endpoint: str, bucket: str, workers: int) -> dict[str, Any] | None:
    """One candidate in this process; None if it cannot be imported."""
    try:
        cpu0, wall0 = time.process_time(), time.perf_counter()
        objects, size = RUNNERS[name](endpoint, bucket, workers)
    except ImportError as exc:
        print(f"clients.py: {name} skipped ({exc})", file=sys.stderr)
        return None
    return {"client": name, "objects": objects, "bytes": size, "seconds": round(time.perf_counter() - wall0, 3),
            "cpu_seconds": round(time.process_time() - cpu0, 3), "workers": workers}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--bucket", required=True)
    parser.add_argument("--workers", type=int, default=64)
    parser.add_argument("--only", action="append", choices=CANDIDATES, help="run only this candidate (repeatable)")
    parser.add_argument("--inline", action="store_true", help=argparse.SUPPRESS)  # run here, not in a child
    args = parser.parse_args()
    names = args.only or list(CANDIDATES)
    if args.inline:
        for name in names:
            result = measure(name, args.endpoint, args.bucket, args.workers)
            if result is not None:
                print(json.dumps(result), flush=True)
        return
    for name in names:
        proc = subprocess.run([sys.executable, __file__, "--endpoint", args.endpoint, "--bucket", args.bucket,
                               "--workers", str(args.workers), "--only", name, "--inline"],
                              capture_output=True, text=True)
        sys.stderr.write(proc.stderr)
        sys.stdout.write(proc.stdout)  # a result printed before a crash at exit still counts
        if proc.returncode != 0:
            print(f"clients.py: {name} exited {proc.returncode}"
                  + ("" if proc.stdout.strip() else " before its result"), file=sys.stderr)
        sys.stdout.flush()


if __name__ == "__main__":
    main()
