"""Reading live state and writing it as a snapshot, in the order the modules are listed:

- :mod:`.finish`: one collected resource normalized, guarded, validated, as stored files;
- :mod:`.units`: the planned units run concurrently, a failure kept to its unit;
- :mod:`.pipeline`: collect -> normalize -> a sink (the store for capture, memory for a live read);
- :mod:`.write`: the new tree, the manifests, the commit, the branch and the tag;
- :mod:`.run`: :class:`~.run.Capture`, one capture (or live read) put together.

:mod:`gitsnap.engine` names the public parts.
"""
