# sigharness bench: a programmed mule that raises the benchmark's signals (see bench_app.py).
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_app  # noqa: E402

bench_app.raise_loop()
while True:  # stay up until the driver stops uWSGI
    time.sleep(1)
