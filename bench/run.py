"""Benchmark of the encrypted personal-data store (docs/adr/0001-personal-data-store.md).

Measures what the store costs on reads, each against a baseline measured in the same run:
a blind-index lookup against a plain unique-index lookup, loading a holder and decrypting its sealed
fields against loading the same row without decrypting, and, for scale, finding a person without a
blind index (decrypting a slice of rows). The machines are shared and noisy, so the cases run
interleaved round by round and the report quotes medians and ratios (ENGINEERING.md, docs/BENCHMARKS.md).

Run:  make bench   or   .venv/bin/python bench/run.py [--write] [--holders N] [--rounds R] [--ops K]

It uses its own database, `pcc_bench`, on the server of DATABASE_URL, so dev and test data are
never touched; holders issued by an earlier run are reused.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import gc
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/pcc_portal"
BENCH_DATABASE = "pcc_bench"
BENCHMARKS_MD = REPO_ROOT / "docs" / "BENCHMARKS.md"
START_MARKER = "<!-- bench:store:start -->"
END_MARKER = "<!-- bench:store:end -->"
SEED = 1  # fixed, so every run draws the same rows and runs stay comparable
SCAN_SLICE = 200
SEALED_FIELDS = (
    "name",
    "english_name",
    "resident_number",
    "birth_date",
    "address",
    "postcode",
    "telephone",
    "mobile",
    "email",
)


def database_url_named(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def bench_database_create(url: str) -> None:
    import psycopg
    from psycopg import sql

    # CREATE DATABASE cannot run inside a transaction, and not while connected to the new database.
    with psycopg.connect(database_url_named(url, "postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DATABASE]).fetchone()
        if exists is None:
            with contextlib.suppress(psycopg.errors.DuplicateDatabase):  # a concurrent run was first
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(BENCH_DATABASE)))


def django_setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    # The test settings carry fixed public keys and demand PostgreSQL: what a benchmark needs.
    os.environ["DJANGO_SETTINGS_MODULE"] = "pcc_portal.settings.test"
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # else one "code issued" line per holder
    sys.path.insert(0, str(REPO_ROOT))

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def holder_details(i: int):
    from issuance.models import MobileOwnership
    from issuance.services import DeliveryAddressInput, HolderDetails

    # Unique by construction from i (the row count when the run starts), so a rerun adds holders
    # without colliding: foreigners born in the 1900s (digit 7 = 5/6) with i as the serial.
    birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=i % 18000)
    letters = "".join(chr(65 + i // 26**k % 26) for k in range(3))
    return HolderDetails(
        name=f"BENCH HOLDER {letters}",
        english_name=f"BENCH HOLDER {letters}",
        nationality="VN",
        resident_number=f"{birth:%y%m%d}-{5 + i % 2}{i:06d}",
        address="서울특별시 중구 세종대로 110 시험동 101호",
        postcode="04524",
        email=f"bench{i}@example.org",
        mobile_ownership=MobileOwnership.OWN_NAME,
        mobile=f"010-5{i // 10000 % 1000:03d}-{i % 10000:04d}",
        telephone="02-2100-2114",
        language="en",
        sms_consent=True,
        delivery_addresses=(DeliveryAddressInput(address="부산광역시 해운대구 해운대해변로 264", postcode="48099"),),
    )


def holders_ensure(n: int) -> tuple[int, float | None]:
    """Issue codes through the real service until n holders exist; returns (issued, codes per second)."""
    from issuance.models import ActorType, Channel, Holder, VerificationMethod
    from issuance.services import Actor, code_issue

    online = Actor(channel=Channel.ONLINE, actor_type=ActorType.HOLDER, method=VerificationMethod.MOBILE)
    existing = Holder.objects.count()
    if existing >= n:
        return 0, None
    print(f"issuing {n - existing} codes ({existing} holders exist)…", file=sys.stderr, flush=True)
    start = time.perf_counter_ns()
    for i in range(existing, n):
        code_issue(details=holder_details(i), actor=online)
    seconds = (time.perf_counter_ns() - start) / 1e9
    return n - existing, (n - existing) / seconds


@dataclass
class Case:
    key: str
    short: str  # how a ratio names it
    label: str
    op: Callable[[object], object]
    pool: str  # which list of arguments it draws from; cases sharing a pool get the same draws
    ops: int
    baseline: str | None = None  # key of the case it is compared with


def cases_build(ops: int, scan_ops: int) -> tuple[list[Case], dict[str, list]]:
    from issuance.models import Code, Holder
    from issuance.selectors import holder_find_by_resident_number
    from personal_data.blind_index import blind_index_of

    holders = list(Holder.objects.select_related("data_key").order_by("pk"))
    pools = {
        "code": list(Code.objects.order_by("number").values_list("number", flat=True)),
        # As a person types it; the selector makes it canonical before the HMAC.
        "rrn": [f"{h.resident_number[:6]}-{h.resident_number[6:]}" for h in holders],
        "pk": [h.pk for h in holders],
        "slice_rrn": [h.resident_number for h in holders[:SCAN_SLICE]],
    }

    def plain_lookup(number):
        return Code.objects.get(number=number)

    def blind_index_lookup(rrn):
        return holder_find_by_resident_number(rrn)

    def hmac_only(rrn):
        return blind_index_of("resident_number", rrn)

    def load_only(pk):
        holder = Holder.objects.select_related("data_key").get(pk=pk)
        return holder.nationality, holder.language

    def load_and_decrypt(pk):
        holder = Holder.objects.select_related("data_key").get(pk=pk)
        return [getattr(holder, name) for name in SEALED_FIELDS]

    def scan_lookup(rrn):
        # Every row is decrypted, no early exit: "does anyone hold this number?" (one code per person)
        # usually has the answer no, which only a full scan can give without a blind index.
        found = None
        for holder in Holder.objects.select_related("data_key").order_by("pk")[:SCAN_SLICE]:
            if holder.resident_number == rrn:
                found = holder
        assert found is not None
        return found

    cases = [
        Case(
            "plain",
            "plain indexed lookup",
            "plain unique-index lookup: `Code.objects.get(number=…)`",
            plain_lookup,
            "code",
            ops,
        ),
        Case(
            "blind",
            "blind-index lookup",
            "blind-index lookup: `holder_find_by_resident_number(…)`",
            blind_index_lookup,
            "rrn",
            ops,
            "plain",
        ),
        Case(
            "hmac",
            "HMAC alone",
            'its HMAC alone: `blind_index_of("resident_number", …)`',
            hmac_only,
            "rrn",
            ops,
            "blind",
        ),
        Case("load", "load only", "load holder + data key, read non-sealed fields", load_only, "pk", ops),
        Case(
            "decrypt",
            "load + decrypt",
            f"load holder + data key, decrypt its {len(SEALED_FIELDS)} sealed fields",
            load_and_decrypt,
            "pk",
            ops,
            "load",
        ),
        Case(
            "scan",
            "no-index scan",
            f"no index: find one RRN by decrypting all {SCAN_SLICE} holders of a slice",
            scan_lookup,
            "slice_rrn",
            scan_ops,
            "blind",
        ),
    ]
    return cases, pools


def timed(op: Callable[[object], object], args: list) -> float:
    """Median µs of one batch, each operation timed alone so a stray pause skews one sample, not all."""
    samples = []
    # The collector off while timing (as timeit does): a collection triggered by garbage of another
    # case would otherwise be billed to whichever case happens to allocate at that moment.
    gc.collect()
    gc.disable()
    try:
        for arg in args:
            start = time.perf_counter_ns()
            op(arg)
            samples.append(time.perf_counter_ns() - start)
    finally:
        gc.enable()
    return statistics.median(samples) / 1000


def measure(cases: list[Case], pools: dict[str, list], rounds: int) -> dict[str, list[float]]:
    rng = random.Random(SEED)  # noqa: S311 — reproducible draws, not secrets
    results: dict[str, list[float]] = {case.key: [] for case in cases}
    for round_number in range(rounds + 1):
        draws = {name: [rng.choice(pool) for _ in range(max(c.ops for c in cases))] for name, pool in pools.items()}
        # Interleaved (A, B, C, A, B, C…), so a noisy moment on a shared machine hits every case.
        for case in cases:
            median = timed(case.op, draws[case.pool][: case.ops])
            if round_number > 0:  # round 0 warms caches and connections
                results[case.key].append(median)
    return results


def server_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


def us(value: float) -> str:
    return f"{value:,.1f}" if value < 10 else f"{value:,.0f}"


def times(ratio: float) -> str:
    if ratio < 0.1:
        return f"{ratio:.1%} of"
    return f"{ratio:.1f}×" if ratio >= 10 else f"{ratio:.2f}×"


def case_table(cases: list[Case], results: dict[str, list[float]]) -> tuple[list[str], list[str]]:
    """The Markdown table of the cases (median µs/op, spread of the round medians, ratio to the
    baseline) and one "- case: ratio" line per case that has a baseline."""
    medians = {key: statistics.median(values) for key, values in results.items()}
    by_key = {case.key: case for case in cases}
    rows = [
        "| operation | median µs/op | round medians min–max | ratio |",
        "| --- | ---: | ---: | --- |",
    ]
    ratios = []
    for case in cases:
        values = results[case.key]
        ratio = "baseline"
        if case.baseline:
            ratio = f"**{times(medians[case.key] / medians[case.baseline])}** {by_key[case.baseline].short}"
            ratios.append(f"- {case.short}: {ratio}")
        rows.append(f"| {case.label} | {us(medians[case.key])} | {us(min(values))}–{us(max(values))} | {ratio} |")
    return rows, ratios


def run_line() -> str:
    """When and where: the ratios are comparable between runs, the absolute numbers only on one machine."""
    return (
        f"Run: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} CPUs "
        f"({platform.machine()}), load average {os.getloadavg()[0]:.1f}; Python {platform.python_version()}; "
        f"PostgreSQL {server_version()}  "
    )


def report(*, args, cases, results, holders, issued, rate) -> str:
    medians = {key: statistics.median(values) for key, values in results.items()}
    rows, ratios = case_table(cases, results)
    decrypt_extra = medians["decrypt"] - medians["load"]
    scan_per_row = medians["scan"] / SCAN_SLICE
    command = " ".join([".venv/bin/python", "bench/run.py", *sys.argv[1:]])
    issuing = (
        f"issued {issued} in this run through `code_issue` at {rate:,.0f} codes/s, informational"
        if issued
        else "reused from an earlier run"
    )
    return "\n".join(
        [
            "## Encrypted personal-data store",
            "",
            f"Command: `{command}`  ",
            run_line(),
            f"Data: {holders} holders ({issuing}); {args.rounds} rounds × {args.ops} operations per case, "
            f"{args.scan_ops} per round for the no-index scan; seed {SEED}",
            "",
            *rows,
            "",
            *ratios,
            # The plain baseline reads a narrow row; loading a holder by primary key reads the same wide
            # row and join as the blind-index lookup, so this ratio isolates the index itself.
            f"- blind-index lookup: **{times(medians['blind'] / medians['load'])}** loading a holder by primary "
            "key (same row and join)",
            f"- Decryption adds {decrypt_extra:,.0f} µs per holder read: one data-key unwrap and "
            f"{len(SEALED_FIELDS)} AES-256-GCM opens, "
            f"≈{decrypt_extra / (len(SEALED_FIELDS) + 1):,.0f} µs each on average.",
            f"- Without the blind index a lookup grows with the table, ≈{scan_per_row:,.0f} µs per holder: "
            f"≈{scan_per_row * holders / 1000:,.0f} ms at {holders} holders, "
            f"≈{scan_per_row:,.0f} s at a million holders.",  # µs per holder × 10⁶ holders = seconds
        ]
    )


def benchmarks_md_write(section: str, *, start_marker: str = START_MARKER, end_marker: str = END_MARKER) -> None:
    """Replace the section between the markers in docs/BENCHMARKS.md (or append it)."""
    text = BENCHMARKS_MD.read_text(encoding="utf-8") if BENCHMARKS_MD.exists() else ""
    block = f"{start_marker}\n{section}\n{end_marker}"
    if start_marker in text and end_marker in text:
        before, rest = text.split(start_marker, 1)
        after = rest.split(end_marker, 1)[1]
        text = before + block + after
    else:
        text = text.rstrip("\n") + ("\n\n" if text else "") + block + "\n"
    BENCHMARKS_MD.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--holders", type=int, default=2000, help="holders in the table (default 2000)")
    parser.add_argument("--rounds", type=int, default=30, help="measured rounds (default 30)")
    parser.add_argument("--ops", type=int, default=200, help="operations per case per round (default 200)")
    parser.add_argument("--scan-ops", type=int, default=10, help="no-index lookups per round (default 10)")
    parser.add_argument("--write", action="store_true", help=f"update {BENCHMARKS_MD.relative_to(REPO_ROOT)}")
    args = parser.parse_args()
    if args.holders < SCAN_SLICE:
        parser.error(f"--holders must be at least {SCAN_SLICE} (the no-index slice)")

    url = database_url_named(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL, BENCH_DATABASE)
    bench_database_create(url)
    django_setup(url)

    from issuance.models import Holder

    issued, rate = holders_ensure(args.holders)
    holders = Holder.objects.count()
    cases, pools = cases_build(args.ops, args.scan_ops)
    print(f"measuring {args.rounds} rounds…", file=sys.stderr, flush=True)
    results = measure(cases, pools, args.rounds)
    section = report(args=args, cases=cases, results=results, holders=holders, issued=issued, rate=rate)
    print(section)
    if args.write:
        benchmarks_md_write(section)
        print(f"\nwrote {BENCHMARKS_MD.relative_to(REPO_ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
