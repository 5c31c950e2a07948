#!/usr/bin/python3
"""median_time.py N CMD...: run CMD N times (stdout to /dev/null) and print the
median wall time and the median CPU time (user + system, from wait4) in ms.
CPU time is the steadier figure on a shared machine; both are printed."""
import os, subprocess, sys, time, statistics
n, cmd = int(sys.argv[1]), sys.argv[2:]
walls, cpus = [], []
for _ in range(n):
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    walls.append((time.perf_counter() - t0) * 1000)
    cpus.append((ru.ru_utime + ru.ru_stime) * 1000)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("median_time: %s exited with status %d" % (cmd[0], os.waitstatus_to_exitcode(status)))
print("%.1f %.1f" % (statistics.median(walls), statistics.median(cpus)))
