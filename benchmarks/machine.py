"""The machine a benchmark ran on, and how busy it was."""

from __future__ import annotations

import os
import platform
from dataclasses import asdict, dataclass
from pathlib import Path


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gb() -> float:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return 0.0


@dataclass(frozen=True)
class Machine:
    cores: int
    cpu: str
    ram_gb: float
    python: str
    system: str
    load_before: tuple[float, float, float]

    def describe(self) -> str:
        load = ", ".join(f"{x:.2f}" for x in self.load_before)
        return (f"{self.cores} cores ({self.cpu}), {self.ram_gb} GB RAM, Python {self.python}, {self.system}; "
                f"load average at start {load}")

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def machine() -> Machine:
    return Machine(cores=os.cpu_count() or 1, cpu=_cpu_model(), ram_gb=_ram_gb(), python=platform.python_version(),
                   system=f"{platform.system()} {platform.release()}", load_before=os.getloadavg())
