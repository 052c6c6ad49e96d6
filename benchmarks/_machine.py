"""How busy the machine was during a benchmark: timings are only comparable on a quiet machine."""

from __future__ import annotations

import os
import time

__all__ = ["BusyMeter"]


def _cpu_counters() -> tuple[float, float, float] | None:
    """(busy, stolen, ours): CPU seconds of the whole machine, of the hypervisor, of this process.

    Read from Linux's /proc/stat; None elsewhere.
    """
    try:
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:9]]
    except (OSError, ValueError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    tick = os.sysconf("SC_CLK_TCK")
    own = os.times()
    return (user + nice + system + irq + softirq) / tick, steal / tick, own.user + own.system


class BusyMeter:
    """Share of the CPUs that other processes used between construction and :meth:`report`."""

    def __init__(self) -> None:
        self.ncpu = os.cpu_count() or 1
        self.load_start = os.getloadavg()[0]
        self.start = _cpu_counters()
        self.wall_start = time.perf_counter()

    def report(self) -> str:
        """Lines describing the load, with a warning when the machine was not quiet."""
        wall = time.perf_counter() - self.wall_start
        end = _cpu_counters()
        load_end = os.getloadavg()[0]
        lines = [f"load average: {self.load_start:.2f} at the start, {load_end:.2f} at the end"]
        others = max(self.load_start, load_end) / self.ncpu  # a rough stand-in off Linux
        if self.start and end:
            busy, stolen, own = (b - a for a, b in zip(self.start, end, strict=True))
            others = max(0.0, busy - own) / (wall * self.ncpu)
            lines.append(
                f"other processes kept {others:.0%} of the {self.ncpu} CPUs busy during the run "
                f"(the hypervisor took another {stolen / (wall * self.ncpu):.0%})"
            )
        if others > 0.1:
            lines.append("WARNING: the machine was not quiet; the figures are noisier than usual.")
        return "\n".join(lines)
