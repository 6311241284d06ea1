# sigharness bench: uWSGI 2.0 side of the dispatch benchmark. Imported by the master before
# fork (not lazy), so the handler is registered in the master's table and every process has it.
# Shared board: a file the C++ driver creates and maps (little-endian int64 words):
#   [0] go (driver -> raiser)   [1] done (raiser -> driver)   [2] n raises   [3] interval ns (0:
#   closed loop)   [4] window   [5] per_raise   [6] slots   [7] per_slot   [8] first_send_ns
#   [9] start_at_ns   [10] raised   [11..15] spare
#   then counts[slots], then times[slots][per_slot]
# Slots: worker w -> w-1, mule m -> workers + m - 1, spooler -> workers + mules.
import mmap
import os
import struct
import time

import uwsgi

SIG = int(os.environ["SIGH_BENCH_SIG"])
TARGET = os.environ["SIGH_BENCH_TARGET"]
BOARD = os.environ["SIGH_BENCH_BOARD"]
WORKERS = int(os.environ["SIGH_BENCH_WORKERS"])
MULES = int(os.environ["SIGH_BENCH_MULES"])
HDR = 16
Q = struct.Struct("<q")
now = time.clock_gettime_ns
MONO = time.CLOCK_MONOTONIC

_mm = None
_slot = -1


def board():
    global _mm
    if _mm is None:
        fd = os.open(BOARD, os.O_RDWR)
        _mm = mmap.mmap(fd, 0)
        os.close(fd)
    return _mm


def word(i):
    return Q.unpack_from(board(), 8 * i)[0]


def set_word(i, v):
    Q.pack_into(board(), 8 * i, v)


def my_slot():
    wid = uwsgi.worker_id()
    if wid > 0:
        return wid - 1
    mid = uwsgi.mule_id()
    if mid > 0:
        return WORKERS + mid - 1
    return WORKERS + MULES  # the spooler


def handler(signum):
    t = now(MONO)
    global _slot
    if _slot < 0:
        _slot = my_slot()
    slots, per_slot = word(6), word(7)
    if _slot >= slots:
        return
    count_at = HDR + _slot
    k = word(count_at)
    if k < per_slot:
        set_word(HDR + slots + _slot * per_slot + k, t)
    set_word(count_at, k + 1)


if uwsgi.worker_id() == 0 and uwsgi.mule_id() == 0:  # the master, at import, before fork
    uwsgi.register_signal(SIG, TARGET, handler)


def handled():
    slots = word(6)
    return sum(Q.unpack_from(board(), 8 * (HDR + s))[0] for s in range(slots))


def raise_loop():
    """Waits for the driver's go, raises n signals (windowed, optionally paced), then waits
    until every delivery is handled (or 60 s) and flags done."""
    while word(0) == 0:
        time.sleep(0.001)
    n, interval, window, per_raise = word(2), word(3), word(4), word(5)
    start_at = now(MONO) + 20_000_000
    set_word(9, start_at)
    while now(MONO) < start_at:
        pass
    set_word(8, now(MONO))
    for k in range(n):
        if interval:
            due = start_at + k * interval
            left = due - now(MONO)
            if left > 200_000:
                time.sleep((left - 100_000) / 1e9)
            while now(MONO) < due:
                pass
        while k - handled() // per_raise >= window:
            pass
        uwsgi.signal(SIG)
        set_word(10, k + 1)
    deadline = now(MONO) + 60_000_000_000
    while handled() < n * per_raise and now(MONO) < deadline:
        time.sleep(0.0005)
    set_word(1, 1)


def application(env, start_response):
    # The `mules` target raises from a worker (a raising mule would be one of its recipients).
    if env.get("PATH_INFO") == "/raise":
        raise_loop()
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok\n"]
