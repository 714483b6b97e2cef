"""The benchmark's ratios, verdicts and printed table."""

import statistics

from bench.processes import CORES

TARGETS = {
    "me_vs_baseline": (">=", 0.9),
    "access_key_vs_baseline": (">=", 0.6),
    "authorize_vs_baseline": (">=", 0.8),
    "login_vs_argon2": (">=", 0.85),
    "pyjwt_vs_raw_es256": (">=", 0.8),
    "tenant_1000_vs_10": ("<=", 1.5),
    "peak_worker_rss_mb": ("<=", 150.0),
}


def spread(values: list[float]) -> dict:
    return {
        "min": min(values),
        "median": statistics.median(values),
        "max": max(values),
    }


def ratios(a: list[float], b: list[float]) -> dict:
    """Ratio of each A round to the B round next to it."""
    return spread([x / y for x, y in zip(a, b, strict=True)])


# --- Report ---------------------------------------------------------------------


def verdict(key: str, value: float | None) -> str:
    if value is None:
        return "not measured"
    op, target = TARGETS[key]
    ok = value >= target if op == ">=" else value <= target
    return "holds" if ok else "MISSED"


def table(report: dict) -> str:
    rows = [("what", "min", "median", "max", "target", "verdict")]
    labels = {
        "me_vs_baseline": "JWT GET /iam/users/me / B",
        "access_key_vs_baseline": "access-key POST /iam/auth/token / B",
        "authorize_vs_baseline": "POST /iam/authorize (5 groups, 500 stmts) / B",
        "login_vs_argon2": "password login / H",
        "pyjwt_vs_raw_es256": "PyJWT + cached JWKS / raw ES256 verify",
        "tenant_1000_vs_10": f"create tenant #{report['tenants']} / #10",
    }
    figures = report["figures"]
    for key, label in labels.items():
        op, target = TARGETS[key]
        found = figures.get(key)
        if found is None:
            rows.append((label, "-", "-", "-", f"{op} {target}", "not measured"))
            continue
        r = found["ratio"]
        rows.append(
            (
                label,
                f"{r['min']:.2f}",
                f"{r['median']:.2f}",
                f"{r['max']:.2f}",
                f"{op} {target}",
                verdict(key, r["median"]),
            )
        )
    rss = report["peak_worker_rss_mb"]
    peak = max(rss) if rss else None
    rows.append(
        (
            "peak RSS per web worker (MB)",
            f"{min(rss):.0f}" if rss else "-",
            "-",
            f"{peak:.0f}" if rss else "-",
            "<= 150",
            verdict("peak_worker_rss_mb", peak),
        )
    )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        lines.append(
            "| "
            + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
            + " |"
        )
        if index == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def absolute_lines(report: dict) -> list[str]:
    figures = report["figures"]
    lines = ["Absolute numbers (indicative of this machine only):"]
    for key, label in (
        ("me_vs_baseline", "GET /iam/users/me"),
        ("access_key_vs_baseline", "access-key exchange"),
        ("authorize_vs_baseline", "POST /iam/authorize"),
        ("login_vs_argon2", "password login"),
    ):
        found = figures.get(key)
        if found:
            rate = statistics.median(found["a_per_second"])
            base = statistics.median(found["b_per_second"])
            unit = "B" if key != "login_vs_argon2" else "H (Argon2 verif.)"
            lines.append(
                f"  {label}: {rate:.0f} req/s ({rate / CORES:.0f} per core); "
                f"{unit}: {base:.0f}/s ({base / CORES:.0f} per core)"
            )
    found = figures.get("pyjwt_vs_raw_es256")
    if found:
        a, b = (statistics.median(found[k]) for k in ("a_per_second", "b_per_second"))
        lines.append(
            f"  downstream PyJWT verify: {a:.0f}/s on one core; raw ES256: {b:.0f}/s"
        )
    found = figures.get("tenant_1000_vs_10")
    if found:
        first, second = (statistics.median(found[k]) for k in ("first_ms", "second_ms"))
        lines.append(
            f"  tenant creation (median): #10 {first:.0f} ms, "
            f"#{found['second']} {second:.0f} ms"
        )
    pool = report.get("connections")
    if pool:
        lines.append(
            "  baseline B with persistent connections: "
            f"{statistics.median(pool['persistent_baseline_per_second']):.0f} req/s; "
            f"with psycopg pool: "
            f"{statistics.median(pool['pool_baseline_per_second']):.0f} req/s"
        )
    return lines
