"""gitsnap: version a whole cloud estate in git.

The package is layered; each layer imports only the ones listed before it:

- ``errors``, ``canonical``, ``fieldpath``, ``redact``, ``layout``, ``schemas`` — pure helpers.
- ``config`` — the TOML configuration, validated against ``schemas/config.json``.
- ``store`` — the only importer of dulwich: blobs, trees, commits, refs, tags.
- ``collectors`` — one declarative spec per resource type, grouped by provider (``aws``).
- ``engine`` — runs collectors, redacts, normalizes and writes one snapshot commit.
- ``diff`` and ``render`` — Change records between two snapshots, and their printing.
- ``cli`` — thin click commands; maps every error to an exit code in one place.
"""

__version__ = "0.1.0"
