# sigharness uwsgi backend: a programmed mule. Takes signals only inside
# signal_wait; the driver drops command files "mule<N>.cmd.<seq>" beside it:
# "wait any", "wait <sig>" or "received".
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sigh_app  # noqa: E402  (recorder, handlers; registrations only run in the master)
import uwsgi  # noqa: E402

me = "mule%d" % uwsgi.mule_id()
seq = 0
while True:
    cmd = os.path.join(sigh_app.HERE, "%s.cmd.%d" % (me, seq))
    if not os.path.exists(cmd):
        time.sleep(0.002)
        continue
    with open(cmd) as f:
        words = f.read().split()
    seq += 1
    if words[:1] == ["wait"]:
        sigh_app.wait(None if words[1] == "any" else int(words[1]))
    elif words[:1] == ["received"]:
        try:
            sigh_app.rec("received", value=uwsgi.signal_received())
        except Exception as e:
            sigh_app.rec("note", detail="signal_received raised: %r" % (e,))
