# sigharness uwsgi backend: the app loaded by uWSGI (generated run, do not edit).
# Reads config.json beside it, performs the scenario's registrations and event
# sources, records every observable in events.jsonl (one JSON line per write,
# O_APPEND) with CLOCK_MONOTONIC ns; the C++ driver rebases the times.
import json
import os
import time
import urllib.parse

import uwsgi

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "config.json")) as f:
    CFG = json.load(f)
EVENTS = os.path.join(HERE, "events.jsonl")


def who():
    m = uwsgi.mule_id()
    if m:
        return "mule%d" % m
    w = uwsgi.worker_id()
    if w:
        return "worker%d" % w
    if os.getpid() == uwsgi.masterpid():
        return "master"
    # spoolers chdir into their spool dir ("spoolN")
    base = os.path.basename(os.getcwd())
    if base.startswith("spool"):
        return "spooler" + base[5:]
    return "spooler1"


def rec(ev, **kw):
    d = {"t": time.clock_gettime_ns(time.CLOCK_MONOTONIC), "ev": ev, "proc": who()}
    for k, v in kw.items():
        if v is not None:
            d[k] = v
    fd = os.open(EVENTS, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (json.dumps(d) + "\n").encode())
    finally:
        os.close(fd)


def rec_many(ev, sig, stamps):
    me = who()
    lines = "".join(json.dumps({"t": t, "ev": ev, "proc": me, "sig": sig}) + "\n" for t in stamps)
    fd = os.open(EVENTS, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, lines.encode())
    finally:
        os.close(fd)


def make_handler(dur_ns, crash):
    def handler(sig):
        rec("handler-start", sig=sig)
        if dur_ns > 0:
            time.sleep(dur_ns / 1e9)
        if crash:
            rec("handler-end", sig=sig, detail="crash")
            os._exit(70)
        rec("handler-end", sig=sig)
    return handler


def do_register(r):
    try:
        uwsgi.register_signal(r["sig"], r["target"], make_handler(r.get("dur_ns", 0), r.get("crash", False)))
        rec("register", sig=r["sig"], target=r["target"])
    except Exception as e:  # ValueError: refused (mules, re-register, >63 bytes)
        rec("register-error", sig=r["sig"], target=r["target"], detail=str(e))


def add_source(kind, s):
    try:
        if kind == "timer":
            uwsgi.add_timer(s["sig"], s["secs"])
        elif kind == "rb_timer":
            uwsgi.add_rb_timer(s["sig"], s["secs"], s["iterations"])
        elif kind == "cron":
            uwsgi.add_cron(s["sig"], s["minute"], s["hour"], s["day"], s["month"], s["weekday"])
        elif kind == "monitor":
            uwsgi.add_file_monitor(s["sig"], s["path"])
        rec("note", sig=s["sig"], detail="added %s" % kind)
    except Exception as e:
        rec("note", sig=s["sig"], detail="add %s failed: %s" % (kind, e))


def start_sources():
    for kind in ("timer", "rb_timer", "cron", "monitor"):
        for s in CFG["sources"].get(kind, []):
            if s["at0"]:
                add_source(kind, s)


def once(name):
    """True the first time `name` is claimed in this run (survives respawns)."""
    try:
        fd = os.open(os.path.join(HERE, "once-" + name), os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        os.close(fd)
        return True
    except FileExistsError:
        return False


def post_fork():
    me = who()
    rec("spawn", value=os.getpid())
    if me.startswith("worker") and once("start-" + me):
        if CFG["lazy"] and me == "worker1":
            start_sources()
        for r in CFG["registrations"]:
            if r["by"] == me:
                do_register(r)
    if me.startswith("mule") and once("start-" + me):
        for r in CFG["registrations"]:
            if r["by"] == me:
                do_register(r)


uwsgi.post_fork_hook = post_fork

# Import time: the master before fork (non-lazy) or every worker (lazy-apps).
# A programmed mule imports this module again as a library: it does nothing here.
if who() == "master" or (CFG["lazy"] and who().startswith("worker")):
    for _r in CFG["registrations"]:
        if _r["by"] == "master":
            do_register(_r)
    if not CFG["lazy"]:
        start_sources()

# lazy-apps: this module is imported after the fork, too late for post_fork_hook.
if CFG["lazy"] and who().startswith("worker"):
    post_fork()


def wait(sig):
    rec("wait-enter", value=sig)
    try:
        ret = uwsgi.signal_wait() if sig is None else uwsgi.signal_wait(sig)
        got = uwsgi.signal_received()
        rec("wait-return", sig=got, detail=("b''" if ret == b"" else repr(ret)))
    except Exception as e:
        rec("note", detail="signal_wait raised: %r" % (e,))


def application(env, start_response):
    path = env.get("PATH_INFO", "")
    q = {k: v[0] for k, v in urllib.parse.parse_qs(env.get("QUERY_STRING", "")).items()}
    if path == "/raise":
        # Stamps first, one write after: the raise loop stays as fast as a plain app's.
        sig, stamps = int(q["sig"]), []
        for _ in range(int(q.get("count", "1"))):
            stamps.append(time.clock_gettime_ns(time.CLOCK_MONOTONIC))
            uwsgi.signal(sig)
        rec_many("raise", sig, stamps)
    elif path == "/busy":
        rec("request-start")
        if "ms" in q:
            time.sleep(int(q["ms"]) / 1000.0)
        else:
            flag = os.path.join(HERE, q["flag"])
            while not os.path.exists(flag):
                time.sleep(0.002)
        rec("request-end")
    elif path == "/wait":
        wait(None if q.get("sig", "any") == "any" else int(q["sig"]))
    elif path == "/received":
        rec("received", value=uwsgi.signal_received())
    elif path == "/register":
        do_register({"sig": int(q["sig"]), "target": q.get("target", ""),
                     "dur_ns": int(q.get("dur_ns", "0")), "crash": q.get("crash") == "1"})
    elif path == "/source":
        add_source(q["kind"], CFG["sources"][q["kind"]][int(q["i"])])
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]
