"""Examples of local resources: the raw API shape each type's transform is given.

No round trip on the local AWS: these are files on this machine. Both types are NotRestorable
through a restore plan: a path comes back with ``restore REV local/NAME --to DIR``
(tests/e2e/test_local.py), an env file's values were never captured.
"""

from __future__ import annotations

from . import Example

EXAMPLES = {
    "path": Example(raw={"name": "site", "path": "~/sites/site", "include": ["*.html"]},
                    no_round_trip="local files, not AWS; restored with --to: tests/e2e/test_local.py::"
                                  "test_local_restore_writes_into_a_directory_never_over_the_original"),
    "env": Example(raw={"Name": "site-env", "Path": "~/sites/site/.env",
                        "Variables": [{"name": "STRIPE_KEY", "set": True}]},
                   no_round_trip="only variable names are captured, never values: nothing a restore could write "
                                 "(NotRestorable; its plan line: tests/unit/test_gas_restore.py::"
                                 "test_local_types_say_how_they_are_restored)"),
}
