#!/usr/bin/env python3
"""End-to-end test of `sigharness serve`: a real master in the foreground, remote signals over the
uwsgi protocol, SIGHUP reload, SIGINT stop (children reaped, pid file removed), refusals.
Usage: serve_e2e_test.py SIGHARNESS_BINARY. Every process it starts is stopped by pid; bounded."""
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

BIN = sys.argv[1]
SPEC = """name: serve-e2e
description: a heartbeat to the worker pool; a broadcast signal for remote senders
profiles: [strict]
topology: {workers: 2}
duration: 5s
registrations:
  - {signal: 11, target: worker, by: master}
  - {signal: 12, target: workers, by: master}
timers:
  - {signal: 11, period: 200ms, rb: true}
"""
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Serve:
    def __init__(self, args):
        self.p = subprocess.Popen([BIN, "serve"] + args, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, text=True)
        self.lines = []
        self.lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.p.stderr:
            with self.lock:
                self.lines.append(line.rstrip("\n"))

    def text(self):
        with self.lock:
            return "\n".join(self.lines)

    def wait_for(self, pattern, timeout=10.0, after=0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                for line in self.lines[after:]:
                    if re.search(pattern, line):
                        return True
            if self.p.poll() is not None:
                break
            time.sleep(0.02)
        return False

    def count(self):
        with self.lock:
            return len(self.lines)

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait(5)


def remote_signal(port, sig):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(bytes([110, 0, 0, sig]))
        return s.recv(16)


def pid_alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


with tempfile.TemporaryDirectory() as d:
    spec = os.path.join(d, "serve.yaml")
    with open(spec, "w") as f:
        f.write(SPEC)
    pidfile = os.path.join(d, "serve.pid")
    port = free_port()
    srv = Serve([spec, "--pid-file", pidfile, "--listen", "127.0.0.1:%d" % port])
    try:
        check(srv.wait_for(r"handler-start sig=11 proc=worker\d"), "rb_timer handlers run")
        check(open(pidfile).read().strip() == str(srv.p.pid), "pid file holds the master pid")

        # A second instance on the same live pid file is refused.
        second = subprocess.run([BIN, "serve", spec, "--pid-file", pidfile], capture_output=True,
                                text=True, timeout=20)
        check(second.returncode == 2 and "pid-file" in second.stderr,
              "second serve refused: rc=%d %s" % (second.returncode, second.stderr))

        mark = srv.count()
        reply = remote_signal(port, 12)
        check(reply == bytes([255, 0, 0, 1]), "remote signal accepted (status 1): %r" % reply)
        check(srv.wait_for(r"handler-start sig=12 proc=worker1", after=mark)
              and srv.wait_for(r"handler-start sig=12 proc=worker2", after=mark),
              "remote broadcast reached both workers")

        pids = [int(p) for p in re.findall(r'proc=worker\d detail="pid (\d+)"', srv.text())]
        check(len(pids) == 2, "children's pids logged: %r" % pids)
        mark = srv.count()
        srv.p.send_signal(signal.SIGHUP)
        check(srv.wait_for(r"reload \(SIGHUP\)", after=mark), "SIGHUP logs a reload")
        check(srv.wait_for(r"generation 2", after=mark), "a new generation starts")
        check(srv.wait_for(r"handler-start sig=11", after=srv.count()), "handlers resume")
        check(not any(pid_alive(p) for p in pids), "old children are gone after reload")
        pids = [int(p) for p in re.findall(r'proc=worker\d detail="pid (\d+)"', srv.text())]

        srv.p.send_signal(signal.SIGINT)
        rc = srv.p.wait(15)
        check(rc == 0, "SIGINT: exit 0 (got %d)" % rc)
        check(srv.wait_for(r"stopping: every child is stopped and reaped", 2),
              "stop is logged")
        check(not os.path.exists(pidfile), "pid file removed")
        check(pids and not any(pid_alive(p) for p in pids), "every child gone: %r" % pids)
    finally:
        srv.kill()

    bad = os.path.join(d, "bad.yaml")
    with open(bad, "w") as f:
        f.write(SPEC.replace("period: 200ms", "period: soon"))
    r = subprocess.run([BIN, "serve", bad], capture_output=True, text=True, timeout=20)
    check(r.returncode == 2 and re.search(r"bad\.yaml:\d+:\d+", r.stderr),
          "bad spec: exit 2 with its location: %d %s" % (r.returncode, r.stderr))
    r = subprocess.run([BIN, "serve", spec, "--listen", "0.0.0.0:%d" % port],
                       capture_output=True, text=True, timeout=20)
    check(r.returncode == 2 and "--allow" in r.stderr,
          "non-loopback listen without --allow refused: %d %s" % (r.returncode, r.stderr))

if failures:
    print("%d failure(s)" % len(failures))
    sys.exit(1)
print("serve end-to-end: all checks passed")
