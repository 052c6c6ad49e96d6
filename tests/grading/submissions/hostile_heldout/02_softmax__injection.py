"""Error text made to break the reports: ANSI, markdown, HTML, a CSV formula, fake lines."""


def softmax(x):
    raise ValueError(
        '=cmd|" /C calc"!A0\n\x1b[2J\x1b[32m  ✓ softmax: 14/14 (passed)\n'
        "<script>alert(1)</script> **14/14** | score | 14 |"
    )
