# sigharness bench: uWSGI 2.0 timers. The master (at import, before fork) registers signals
# 1..N to the worker pool and arms one timer per signal with a 1-second period: add_timer
# (kernel timerfd) or add_rb_timer (user-space rb-tree), as SIGH_TIMER_KIND says. The handler
# stamps CLOCK_MONOTONIC into the board; the driver compares with arming time + k seconds.
# Board (little-endian int64): [0] arming time ns, [1] N, [2] per-timer capacity,
#   then counts[N], then times[N][capacity].
import mmap
import os
import struct
import time

import uwsgi

N = int(os.environ["SIGH_TIMER_N"])
KIND = os.environ["SIGH_TIMER_KIND"]
BOARD = os.environ["SIGH_BENCH_BOARD"]
Q = struct.Struct("<q")
_mm = None


def board():
    global _mm
    if _mm is None:
        fd = os.open(BOARD, os.O_RDWR)
        _mm = mmap.mmap(fd, 0)
        os.close(fd)
    return _mm


def handler(signum):
    t = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
    b = board()
    n, cap = Q.unpack_from(b, 8)[0], Q.unpack_from(b, 16)[0]
    i = signum - 1
    k = Q.unpack_from(b, 8 * (3 + i))[0]
    if k < cap:
        Q.pack_into(b, 8 * (3 + n + i * cap + k), t)
    Q.pack_into(b, 8 * (3 + i), k + 1)


if uwsgi.worker_id() == 0 and uwsgi.mule_id() == 0:  # the master, at import
    for sig in range(1, N + 1):
        uwsgi.register_signal(sig, "worker", handler)
    Q.pack_into(board(), 0, time.clock_gettime_ns(time.CLOCK_MONOTONIC))
    for sig in range(1, N + 1):
        if KIND == "add_timer":
            uwsgi.add_timer(sig, 1)
        else:
            uwsgi.add_rb_timer(sig, 1)


def application(env, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok\n"]
