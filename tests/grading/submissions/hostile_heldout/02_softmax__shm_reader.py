"""Reads what a concurrently graded sibling published, and echoes it."""

import glob
import socket
import time


def _look():
    found = []
    end = time.monotonic() + 6
    while time.monotonic() < end and not found:
        for p in glob.glob("/dev/shm/*") + glob.glob("/tmp/*") + glob.glob("/tmp/*/ce_shared"):
            try:
                with open(p, "rb") as fh:
                    found.append(fh.read(100).decode("latin1"))
            except OSError:
                pass
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(0.5)
            s.connect("\0ce-course-leak")
            found.append(s.recv(100).decode("latin1"))
        except OSError:
            pass
        time.sleep(0.2)
    return found


_FOUND = " ".join(x for x in _look() if "SIBLING" in x)
print(_FOUND)


def softmax(x):
    raise ValueError(_FOUND or "nothing")
