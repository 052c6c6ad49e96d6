"""Forges a reply of 6 million floats (24 MB of JSON, ~200 MB once parsed) on every fd."""

import os
import struct


def softmax(x):
    body = b"[" + b"1.5," * (6 * 2**20 - 40) + b"1.5]"
    msg = b'{"type": "result", "seq": 1, "status": "ok", "value": ' + body + b', "error": null}'
    for fd in range(3, 12):
        try:
            os.write(fd, struct.pack(">I", len(msg)))
            view = memoryview(msg)
            while view:
                n = os.write(fd, view)
                view = view[n:]
        except OSError:
            pass
    return x
