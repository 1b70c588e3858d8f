"""The floor: list a bucket and GET every object with N threads, discarding the bodies."""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor

import boto3
import botocore.config


def main(bucket: str, workers: int) -> None:
    s3 = boto3.client("s3", config=botocore.config.Config(max_pool_connections=workers + 4))
    keys = [o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
            for o in page.get("Contents", [])]

    def get(key: str) -> int:
        body = s3.get_object(Bucket=bucket, Key=key)["Body"]
        n = 0
        for chunk in body.iter_chunks(1024 * 1024):
            n += len(chunk)
        return n

    with ThreadPoolExecutor(workers) as pool:
        total = sum(pool.map(get, keys))
    print(f"{len(keys)} objects, {total} bytes")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
