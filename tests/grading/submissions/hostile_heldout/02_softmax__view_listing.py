"""Lists the views of ce_course it can see and tries to write into its own."""

import os

import ce_course

_PKG = os.path.dirname(ce_course.__file__)
_ROOT = os.path.dirname(os.path.dirname(_PKG))
_SEEN = [f"views={sorted(os.listdir(_ROOT))}"]
for _p in (os.path.join(_PKG, "softmax.py"), os.path.join(_ROOT, "planted")):
    try:
        with open(_p, "a", encoding="utf-8") as fh:
            fh.write("planted = True\n")
        _SEEN.append("wrote")
    except OSError as exc:
        _SEEN.append(type(exc).__name__)


def softmax(x):
    raise ValueError(" ".join(_SEEN))
