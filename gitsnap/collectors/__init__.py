"""Collectors: what to read from each provider, declared as small specs.

Each resource type is a :class:`~gitsnap.collectors.spec.ResourceType`: how to
list it, its id, the detail calls that complete it, a pure ``transform`` to the
stored document, and its volatile, secret and unordered fields. One generic
runner (:mod:`gitsnap.collectors.run`) executes every spec; adding a service
means one module under ``aws/``, one schema under ``schemas/`` and one line in
:mod:`gitsnap.collectors.registry`.
"""
