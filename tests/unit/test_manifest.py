"""MANIFEST.md: the human inventory reads the same figures as manifest.json."""

from gitsnap.manifest import human_bytes, render_markdown


def test_markdown_lists_units_with_counts_and_sizes_and_buckets():
    manifest = {
        "captured_at": "2026-01-01T00:00:00Z", "tool": {"version": "0.1.0"},
        "totals": {"bodies": 3, "body_bytes": 3_500_000},
        "units": {"aws/1/us-east-1/s3": {"status": "ok"},
                  "aws/1/us-east-1/lambda": {"status": "failed", "error": "lambda in us-east-1: access denied"}},
        "resources": {
            "s3/a": {"path": "aws/1/us-east-1/s3/bucket/a", "type": "bucket", "region": "us-east-1", "objects": 2, "bytes": 3_000_000},
            "s3/b": {"path": "aws/1/us-east-1/s3/bucket/b", "type": "bucket", "region": "us-east-1", "objects": 1, "bytes": 500_000},
        },
    }
    md = render_markdown(manifest)
    assert "| aws/1/us-east-1/s3 | ok | 2 bucket | 3 | 3.5 MB |" in md
    assert "| aws/1/us-east-1/lambda | failed: lambda in us-east-1: access denied | 0 | 0 | 0 B |" in md
    assert "| s3/a | us-east-1 | 2 | 3.0 MB |" in md
    assert human_bytes(999) == "999 B" and human_bytes(1000) == "1.0 kB" and human_bytes(None) == "-"
