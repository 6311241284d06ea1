#!/usr/bin/env python3
"""Opens a rendered conformance report in headless Chromium, takes a
screenshot and checks that the matrix is there and its cells are coloured by
verdict (green conforms, red violates). Exit 0 pass, 1 fail, 77 skip."""
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

GREEN = (0xB7, 0xE4, 0xB0)  # td.conforms
RED = (0xF4, 0xA7, 0xA7)    # td.violates
GREY = (0xE5, 0xE7, 0xEB)   # td.skipped


def read_png(path):
    """Minimal PNG decoder (8-bit RGB/RGBA, non-interlaced) using only zlib."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width, height, ctype = 8, b"", 0, 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", chunk)
            assert depth == 8 and ctype in (2, 6) and interlace == 0, "unsupported PNG"
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev, i = [], bytearray(stride), 0
    for _ in range(height):
        ftype = raw[i]
        line = bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if ftype == 1:
                line[x] = (line[x] + a) & 0xFF
            elif ftype == 2:
                line[x] = (line[x] + b) & 0xFF
            elif ftype == 3:
                line[x] = (line[x] + (a + b) // 2) & 0xFF
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[x] = (line[x] + pred) & 0xFF
        rows.append(bytes(line))
        prev = line
    return width, height, bpp, rows


def count(rows, bpp, rgb):
    n = 0
    for r in rows:
        for x in range(0, len(r), bpp):
            if abs(r[x] - rgb[0]) <= 2 and abs(r[x + 1] - rgb[1]) <= 2 and abs(r[x + 2] - rgb[2]) <= 2:
                n += 1
    return n


def main():
    renderer = sys.argv[1]
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if not browser:
        print("SKIP: chromium is not installed (apt-get install chromium)")
        return 77
    with tempfile.TemporaryDirectory() as tmp:
        html = os.path.join(tmp, "index.html")
        png = os.path.join(tmp, "shot.png")
        subprocess.run([renderer, html], check=True)
        page = open(html).read()
        if 'id="matrix"' not in page:
            print("FAIL: no matrix table in the report")
            return 1
        if 'id="divergences"' not in page or "docs-fully-reliable" not in page:
            print("FAIL: the report does not list the divergence findings")
            return 1
        cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--hide-scrollbars", f"--user-data-dir={tmp}/profile", f"--screenshot={png}",
               "--window-size=1000,600", "file://" + html]
        subprocess.run(cmd, check=True, timeout=60, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        width, height, bpp, rows = read_png(png)
        green, red, grey = count(rows, bpp, GREEN), count(rows, bpp, RED), count(rows, bpp, GREY)
        print(f"screenshot {width}x{height}: conforms-green={green} violates-red={red} skipped-grey={grey} px")
        if green < 200 or red < 200 or grey < 200:
            print("FAIL: the matrix cells are not coloured by verdict")
            return 1
        print("PASS")
        return 0


if __name__ == "__main__":
    sys.exit(main())
