"""Baseline H: raw Argon2 verifications per second on every core at once.

Uses argon2-cffi directly with the parameters of the configured hasher
(accounts.hashing.IamArgon2PasswordHasher), one process per core, and prints
one JSON line: {"per_second": total verifications / wall seconds}.

Usage: python -m bench.hashrate SECONDS PROCESSES
"""

import json
import multiprocessing
import sys
import time

from argon2 import low_level

PASSWORD = b"bench passphrase that is long enough"


def _parameters() -> dict:
    from accounts.hashing import IamArgon2PasswordHasher as Hasher

    return {
        "time_cost": Hasher.time_cost,
        "memory_cost": Hasher.memory_cost,
        "parallelism": Hasher.parallelism,
    }


def _verify_for(seconds: float, start_at: float, parameters: dict, results) -> None:
    encoded = low_level.hash_secret(
        PASSWORD,
        b"0123456789abcdef",
        hash_len=32,
        type=low_level.Type.ID,
        **parameters,
    )
    while time.time() < start_at:
        time.sleep(0.001)
    count, deadline = 0, start_at + seconds
    while time.time() < deadline:
        low_level.verify_secret(encoded, PASSWORD, low_level.Type.ID)
        count += 1
    results.put((count, time.time() - start_at))


def measure(seconds: float, processes: int) -> dict:
    parameters = _parameters()
    results = multiprocessing.Queue()
    start_at = time.time() + 0.5
    workers = [
        multiprocessing.Process(
            target=_verify_for, args=(seconds, start_at, parameters, results)
        )
        for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    counts = [results.get(timeout=seconds + 30) for _ in workers]
    for worker in workers:
        worker.join()
    total = sum(count for count, _ in counts)
    wall = max(elapsed for _, elapsed in counts)
    return {"per_second": total / wall, "verifications": total, **parameters}


if __name__ == "__main__":
    sys.stdout.write(json.dumps(measure(float(sys.argv[1]), int(sys.argv[2]))) + "\n")
