"""Run a command and print its exit code, wall time, peak RSS and CPU time, measured with wait4.

A tiny launcher on purpose: a child's ru_maxrss also counts what it inherited before
exec, so the measured command must be spawned from a small process, not from one
that holds a local AWS endpoint's data. The last stderr line is
``<exit code> <wall seconds> <peak RSS MiB> <CPU seconds (user + system)>``.
"""

import os
import sys
import time

start = time.perf_counter()
pid = os.posix_spawnp(sys.argv[1], sys.argv[1:], os.environ)
_, status, usage = os.wait4(pid, 0)
print(f"{os.waitstatus_to_exitcode(status)} {time.perf_counter() - start:.3f} {usage.ru_maxrss / 1024:.1f} "
      f"{usage.ru_utime + usage.ru_stime:.3f}", file=sys.stderr)
sys.exit(os.waitstatus_to_exitcode(status))
