"""The ``ce-course`` command line: ``info`` in process and through the installed console script."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import ce_course
from ce_course.cli import build_parser, main


def test_info_in_process(capsys):
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == f"ce-course {ce_course.__version__}"
    assert f"numpy:    {np.__version__}" in out
    assert str(Path(ce_course.__file__).parent) in out
    listed = out.split("reference functions: ")[1].strip().split(", ")
    assert "softmax" in listed and "cross_entropy" in listed and "make_spiral" in listed
    assert all(name in ce_course.__all__ and name[0].islower() for name in listed)
    assert "TwoLayerNet" not in listed


def test_no_command_prints_help_and_returns_2(capsys):
    assert main([]) == 2
    assert "usage: ce-course" in capsys.readouterr().out


def test_version_flag(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"ce-course {ce_course.__version__}"


def test_unknown_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        main(["no-such-command"])
    assert info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
    assert build_parser().prog == "ce-course"


def test_installed_console_script():
    script = shutil.which("ce-course", path=str(Path(sys.executable).parent))
    if script is None:
        pytest.skip("the ce-course console script is not installed next to this Python")
    proc = subprocess.run([script, "info"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == f"ce-course {ce_course.__version__}"
    assert "reference functions: " in proc.stdout
