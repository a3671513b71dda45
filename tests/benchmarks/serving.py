"""gunicorn servers for the benchmarks, and the CPU time they and PostgreSQL use, read from /proc.

CPU seconds per request move less than requests per second with other load on the machine. Where the cores
are shared with other tenants they drift too (tens of per cent between batches on one machine here);
count_instructions counts instructions, which do not.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from tests.benchmarks import seed

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"


@dataclass
class ServerSettings:
    workers: int
    worker_class: str
    threads: int

    def args(self) -> list[str]:
        args = ["-w", str(self.workers), "-k", self.worker_class]
        return [*args, "--threads", str(self.threads)] if self.worker_class == "gthread" else args

    def label(self) -> str:
        if self.worker_class == "gthread":
            return f"{self.workers}x{self.worker_class}({self.threads} threads)"
        return f"{self.workers}x{self.worker_class}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A gunicorn master this benchmark started, stopped by its own pid."""

    def __init__(self, app: str, settings: ServerSettings, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        command = [str(GUNICORN), *settings.args(), "-b", f"127.0.0.1:{self.port}", "--chdir", str(ROOT), app]
        self.log = log.open("w")
        self.process = subprocess.Popen(
            command, env={**os.environ, **env}, stdout=self.log, stderr=subprocess.STDOUT, cwd=ROOT
        )
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log.name}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start within 30 s")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def cpu_busy() -> tuple[int, int]:
    """Return (busy, total) jiffies of the whole machine from /proc/stat."""
    values = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int) -> float:
    """Return the CPU seconds (user + system) ``pid`` has used so far; 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


def database_backends(database: str) -> list[int]:
    """Return the pids of the PostgreSQL backends connected to ``database`` (the server is local)."""
    if not database.replace("_", "").isalnum():
        raise ValueError(f"unsafe database name {database!r}")
    out = subprocess.run(
        [
            "psql",
            "-h",
            seed.PG_HOST,
            "-p",
            str(seed.PG_PORT),
            "-U",
            seed.PG_USER,
            "-d",
            "postgres",
            "-Atc",
            f"SELECT pid FROM pg_stat_activity WHERE datname = '{database}' AND pid <> pg_backend_pid()",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return [int(x) for x in out.stdout.split()]


@dataclass
class CpuUse:
    """CPU seconds a phase cost: the whole machine's busy share, the web server, the database backends."""

    busy_share: float
    server_s: float
    database_s: float


def measured(phase, server: Server, database: str):
    """Run ``phase()``; return (its result, CpuUse of the machine, the gunicorn processes and PostgreSQL)."""

    def snapshot() -> tuple[dict[int, float], dict[int, float]]:
        web = [server.process.pid, *children(server.process.pid)]
        return {p: process_cpu(p) for p in web}, {p: process_cpu(p) for p in database_backends(database)}

    web0, db0 = snapshot()
    busy0, total0 = cpu_busy()
    result = phase()
    busy1, total1 = cpu_busy()
    web1, db1 = snapshot()
    used = CpuUse(
        (busy1 - busy0) / max(1, total1 - total0),
        sum(cpu - web0.get(pid, 0.0) for pid, cpu in web1.items()),
        sum(cpu - db0.get(pid, 0.0) for pid, cpu in db1.items()),
    )
    return result, used
