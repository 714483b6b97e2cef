"""Profile the gunicorn workers under one scenario's load with py-spy.

py-spy samples every worker (`--subprocesses`) while wrk drives the
scenario, writes collapsed stacks to var/bench/profile-NAME.txt, and this
module prints the functions with the largest inclusive share of samples,
the view a reviewer needs to decide what to fix first.
"""

import collections
import shutil
import subprocess
import sys
from pathlib import Path

TOP = 40


def record(server, scenario, seconds: int, connections: int, out: Path) -> None:
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    recorder = subprocess.Popen(
        [
            spy,
            "record",
            "--pid",
            str(server.process.pid),
            "--subprocesses",
            "--duration",
            str(seconds + 1),
            "--rate",
            "250",
            "--format",
            "raw",
            "--output",
            str(out),
            "--nonblocking",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        scenario.wrk(server, seconds, connections)
    finally:
        recorder.wait(timeout=seconds + 30)


PROJECT = ("accounts/", "audit/", "credentials/", "iam_project/", "tenants/", "bench/")


def summarize(path: Path, top: int = TOP) -> list[str]:
    """Inclusive shares of project frames and self shares of leaf frames."""
    inclusive, leaves, total = collections.Counter(), collections.Counter(), 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        # Only samples inside a request count; the rest is gunicorn waiting.
        if not any("WSGIHandler.__call__" in frame for frame in frames):
            continue
        samples = int(count)
        total += samples
        leaves[frames[-1]] += samples
        for frame in set(frames):
            if any(f"({prefix}" in frame for prefix in PROJECT):
                inclusive[frame] += samples
    lines = [f"{total} samples inside requests ({path.name})", "inclusive, ours:"]
    for frame, samples in inclusive.most_common(top):
        lines.append(f"  {100 * samples / max(total, 1):5.1f}%  {frame}")
    lines.append("self, any code:")
    for frame, samples in leaves.most_common(top // 2):
        lines.append(f"  {100 * samples / max(total, 1):5.1f}%  {frame}")
    return lines
