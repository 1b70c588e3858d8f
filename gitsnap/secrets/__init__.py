"""Secrets: finding them, fingerprinting them, sealing them. Nothing here does I/O on the cloud.

This package owns everything gitsnap knows about secret values:

- ``detect``: one detector applied to every string and body gitsnap writes (rules built on
  detect-secrets' plugins plus the assignment, URL, key-block and header forms this estate's
  owners use), with a keyword prefilter so text without a candidate costs one regex pass.
- ``fingerprint``: the HMAC key kept outside the repository, its key id, and the
  ``redacted:hmac-sha256:<hex>`` marker that stands in a document where a value was.
- ``seal``: age encryption (pyrage) to the repository's recipients; capture needs only the
  public recipients, ``restore`` and ``show --reveal`` need the identity.
- ``guard``: the redaction applied to parsed documents and bodies before anything is written,
  collecting what must be sealed.
"""
