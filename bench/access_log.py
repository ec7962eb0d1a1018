"""Benchmark of appending access records (audit/services.py, docs/adr/0005-access-records.md).

`access_record_write` takes a PostgreSQL advisory lock, reads the last record, computes an HMAC-SHA-256
over the record's canonical JSON (audit/chain.py) and inserts the row, all in one transaction. This
measures what that costs against a plain insert of the same row measured in the same run, the HMAC's
share of it, and what the global lock costs when two writers append at once. As in bench/run.py, the
cases run interleaved round by round with a fixed seed, and the report quotes medians and ratios
(ENGINEERING.md, docs/BENCHMARKS.md). Verifying the chain (`access_log_verify`) is timed once at the
end, for information.

Run:  make bench   or   .venv/bin/python bench/access_log.py [--write] [--rounds R] [--ops K]

It uses the database of bench/run.py, `pcc_bench`. Access records younger than 2 years cannot be
deleted (a trigger refuses), so that database keeps every record a run appends; the appends read the
last record through the unique index on `sequence`, which the report shows with EXPLAIN.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import random
import re
import secrets
import statistics
import sys
import threading
import time
from collections.abc import Callable

# bench/ is on sys.path when this file runs as a script: the shared machinery of the first benchmark.
from run import (
    BENCH_DATABASE,
    BENCHMARKS_MD,
    DEFAULT_DATABASE_URL,
    REPO_ROOT,
    SEED,
    Case,
    bench_database_create,
    benchmarks_md_write,
    case_table,
    database_url_named,
    django_setup,
    holders_ensure,
    run_line,
    timed,
    times,
    us,
)

START_MARKER = "<!-- bench:access-log:start -->"
END_MARKER = "<!-- bench:access-log:end -->"
BENCH_USERNAME = "bench-counter-officer"
IP_ADDRESSES = ("10.20.30.40", "192.0.2.17", "2001:db8::17")  # as the database gives them back (hashed so)


def bench_officer():
    """A counter officer at the first customs office, created once; loaded with profile and office so
    every append reads them from memory, as after `staff_require` in a request."""
    from django.contrib.auth import get_user_model

    from issuance.models import CustomsOffice
    from staff.roles import Role
    from staff.services import staff_account_create

    user_model = get_user_model()
    if not user_model.objects.filter(username=BENCH_USERNAME).exists():
        staff_account_create(
            username=BENCH_USERNAME,
            password=secrets.token_urlsafe(24),  # never used to sign in
            role=Role.COUNTER_OFFICER,
            office=CustomsOffice.objects.order_by("pk").first(),
        )
    return user_model.objects.select_related("staff_profile__office").get(username=BENCH_USERNAME)


def specs_draw(rng: random.Random, holders: list, count: int) -> list[dict]:
    """What a staff page records: a holder shown, changed or printed, with the fields on the page."""
    from audit.models import AccessAction, AccessPurpose
    from staff.counter import HOLDER_RECORD
    from staff.views.people import DETAIL_FIELDS

    specs = []
    for _ in range(count):
        holder = rng.choice(holders)
        specs.append(
            {
                "ip_address": rng.choice(IP_ADDRESSES),
                "action": rng.choice((AccessAction.VIEW, AccessAction.VIEW, AccessAction.CHANGE, AccessAction.PRINT)),
                "purpose": rng.choice(
                    (AccessPurpose.COUNTER_REQUEST, AccessPurpose.CORRECTION, AccessPurpose.DATA_SUBJECT_REQUEST)
                ),
                "record_type": HOLDER_RECORD,
                "record_id": str(holder.pk),
                "holder": holder,
                "fields": rng.sample(DETAIL_FIELDS, rng.randint(3, len(DETAIL_FIELDS))),
            }
        )
    return specs


def record_build(spec: dict, *, user, sequence: int, previous_hash: str, occurred_at):
    """The row `access_record_write` would insert for this spec, without the lock, the read or the HMAC."""
    from audit.models import AccessRecord, ActorType

    profile = user.staff_profile
    return AccessRecord(
        sequence=sequence,
        occurred_at=occurred_at,
        actor_type=ActorType.STAFF,
        actor_user=user,
        actor_username=user.get_username(),
        actor_role=profile.role,
        actor_office=profile.office.code,
        ip_address=spec["ip_address"],
        action=spec["action"],
        purpose=spec["purpose"],
        reason="",
        record_type=spec["record_type"],
        record_id=spec["record_id"],
        holder=spec["holder"],
        fields=sorted(set(spec["fields"])),
        previous_hash=previous_hash,
    )


def chain_continue(specs: list[dict], user) -> list:
    """Unsaved records that continue the chain from its last record, their hashes computed here (not
    timed), so that inserting them all, in any order, leaves a chain `access_log_verify` accepts."""
    from django.utils import timezone

    from audit.chain import GENESIS, record_hash
    from audit.models import AccessRecord

    last = AccessRecord.objects.order_by("-sequence").only("sequence", "hash").first()
    sequence, previous_hash = (last.sequence, last.hash) if last else (0, GENESIS)
    occurred_at = timezone.now().replace(microsecond=0)
    records = []
    for spec in specs:
        sequence += 1
        record = record_build(spec, user=user, sequence=sequence, previous_hash=previous_hash, occurred_at=occurred_at)
        record.hash = previous_hash = record_hash(record)
        records.append(record)
    return records


class Writers:
    """Threads that append side by side, each on its own database connection (Django's connections are
    per thread); the same threads serve every round, so no case pays for connecting."""

    def __init__(self, count: int):
        self.started = threading.Barrier(count + 1)
        self.finished = threading.Barrier(count + 1)
        self.jobs: list[tuple[Callable[[object], object], list] | None] = [None] * count
        self.errors: list[BaseException] = []
        self.threads = [threading.Thread(target=self._work, args=(i,), daemon=True) for i in range(count)]
        for thread in self.threads:
            thread.start()

    def _work(self, index: int) -> None:
        from django.db import connection

        try:
            # A broken barrier is stop(failed=True): the main thread gave up in the middle of a round.
            with contextlib.suppress(threading.BrokenBarrierError):
                while True:
                    self.started.wait()
                    job = self.jobs[index]
                    if job is None:
                        return
                    op, args = job
                    try:
                        for arg in args:
                            op(arg)
                    except BaseException as exc:  # raised by run(), once every writer has finished
                        self.errors.append(exc)
                    self.finished.wait()
        finally:
            connection.close()

    def run(self, op: Callable[[object], object], args_per_writer: list[list]) -> float:
        """Seconds of wall time until every writer has done its share (a writer with none stays idle)."""
        self.jobs = [(op, args) for args in args_per_writer]
        gc.collect()
        gc.disable()  # as in run.timed: no collection billed to whichever case allocates at that moment
        try:
            # The threads are already waiting, so the barrier opens the moment this thread arrives.
            start = time.perf_counter_ns()
            self.started.wait()
            self.finished.wait()
            seconds = (time.perf_counter_ns() - start) / 1e9
        finally:
            gc.enable()
        if self.errors:
            raise self.errors[0]
        return seconds

    def stop(self, *, failed: bool = False) -> None:
        if failed:
            self.started.abort()
            self.finished.abort()
        else:
            self.jobs = [None] * len(self.threads)
            self.started.wait()
        for thread in self.threads:
            thread.join()


def cases_build(ops: int, user) -> tuple[list[Case], list[Case], dict[str, Callable[[list[dict]], list]]]:
    """The cases timed one operation at a time, the cases timed as appends per second by 1 or 2
    writers, and how each pool of arguments is made from a round's specs (just before its case runs:
    the plain inserts continue the chain from the record last written)."""
    from django.utils import timezone

    from audit.chain import GENESIS, record_hash
    from audit.services import access_record_write

    def plain_insert(record):
        record.save(force_insert=True)

    def chained_append(kwargs):
        return access_record_write(user=user, **kwargs)

    def hmac_only(record):
        return record_hash(record)

    preparers = {
        "chain": lambda specs: chain_continue(specs, user),
        "kwargs": lambda specs: specs,
        "unsaved": lambda specs: [
            record_build(spec, user=user, sequence=i, previous_hash=GENESIS, occurred_at=timezone.now())
            for i, spec in enumerate(specs, 1)
        ],
    }
    per_op = [
        Case(
            "plain",
            "plain insert",
            "plain insert: `AccessRecord.save(force_insert=True)`, fields precomputed (no lock, no HMAC)",
            plain_insert,
            "chain",
            ops,
        ),
        Case(
            "chained",
            "chained append",
            "chained append: `access_record_write(…)` (lock, last record, HMAC, insert)",
            chained_append,
            "kwargs",
            ops,
            "plain",
        ),
        Case(
            "hmac",
            "HMAC alone",
            "its HMAC alone: `audit.chain.record_hash(…)` on an unsaved record",
            hmac_only,
            "unsaved",
            ops,
            "chained",
        ),
    ]
    # `ops` appends in all per case, split between the writers: the same work whatever their number.
    # Threads of one process: two writers also share the GIL and the machine's CPUs with PostgreSQL,
    # which is why plain inserts by two writers (no lock) are measured as well.
    throughput = [
        Case("plain_1", "plain, 1 writer", "plain inserts, 1 writer", plain_insert, "chain", ops),
        Case("plain_2", "plain, 2 writers", "plain inserts, 2 writers", plain_insert, "chain", ops, "plain_1"),
        Case("chained_1", "chained, 1 writer", "chained appends, 1 writer", chained_append, "kwargs", ops, "plain_1"),
        Case(
            "chained_2", "chained, 2 writers", "chained appends, 2 writers", chained_append, "kwargs", ops, "chained_1"
        ),
    ]
    return per_op, throughput, preparers


def writers_of(case: Case) -> int:
    """How many writers a throughput case uses: the number its key ends with (`chained_2`)."""
    return int(case.key.rsplit("_", 1)[1])


def measure(
    per_op: list[Case], throughput: list[Case], preparers: dict, *, holders: list, rounds: int, writers: Writers
) -> dict[str, list[float]]:
    """µs per operation (median of a round) for the per-op cases, appends per second for the others."""
    rng = random.Random(SEED)  # noqa: S311 — reproducible draws, not secrets
    results: dict[str, list[float]] = {case.key: [] for case in [*per_op, *throughput]}
    for round_number in range(rounds + 1):
        specs = specs_draw(rng, holders, max(case.ops for case in [*per_op, *throughput]))
        # Interleaved (A, B, C, A, B, C…), so a noisy moment on a shared machine hits every case.
        for case in per_op:
            value = timed(case.op, preparers[case.pool](specs[: case.ops]))
            if round_number > 0:  # round 0 warms caches and connections
                results[case.key].append(value)
        for case in throughput:
            args = preparers[case.pool](specs[: case.ops])
            count = writers_of(case)
            shares = [args[i::count] for i in range(count)] + [[]] * (len(writers.threads) - count)
            seconds = writers.run(case.op, shares)
            if round_number > 0:
                results[case.key].append(len(args) / seconds)
    return results


def last_record_plan() -> str:
    """How PostgreSQL finds the last record, from EXPLAIN of the query `access_record_write` runs."""
    from audit.models import AccessRecord

    plan = AccessRecord.objects.order_by("-sequence").only("sequence", "hash")[:1].explain()
    found = re.search(r"(Index (?:Only )?Scan(?: Backward)? using \S+)", plan)
    return found.group(1) if found else plan.splitlines()[-1].split("(cost")[0].strip(" ->")


def server_durability() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        settings = []
        for name in ("fsync", "synchronous_commit"):
            cursor.execute(f"SHOW {name}")
            settings.append(f"{name}={cursor.fetchone()[0]}")
    return ", ".join(settings)


def per_second(value: float) -> str:
    return f"{value:,.0f}"


def report(*, args, per_op, throughput, results, rows_before, rows_after, holders, plan, verified) -> str:
    medians = {key: statistics.median(values) for key, values in results.items()}
    rows, ratios = case_table(per_op, results)
    by_key = {case.key: case for case in throughput}
    tp_rows = [
        "| writers | median appends/s (total) | per-round min–max | ratio |",
        "| --- | ---: | ---: | --- |",
    ]
    for case in throughput:
        values = results[case.key]
        ratio = "baseline"
        if case.baseline:
            ratio = f"**{times(medians[case.key] / medians[case.baseline])}** {by_key[case.baseline].short}"
        tp_rows.append(
            f"| {case.label} | {per_second(medians[case.key])} | "
            f"{per_second(min(values))}–{per_second(max(values))} | {ratio} |"
        )
    chained = results["chained"]
    half = len(chained) // 2
    checked, seconds, chain = verified
    command = " ".join([".venv/bin/python", "bench/access_log.py", *sys.argv[1:]])
    return "\n".join(
        [
            "## Access-record appends",
            "",
            f"Command: `{command}`  ",
            run_line(),
            f"Data: {rows_before:,} → {rows_after:,} access records in `{BENCH_DATABASE}` (kept: the trigger refuses "
            f"to delete records younger than 2 years); {holders} holders; {args.rounds} rounds × {args.ops} appends "
            f"per case; seed {SEED}; server {server_durability()}",
            "",
            *rows,
            "",
            *tp_rows,
            "",
            *ratios,
            f"- chained append: **{us(medians['chained'] - medians['plain'])} µs** more than a plain insert per "
            "record, one writer at a time",
            f"- two writers appending: **{times(medians['chained_2'] / medians['chained_1'])}** the appends per "
            f"second of one writer (plain inserts, no lock: **{times(medians['plain_2'] / medians['plain_1'])}**). "
            "The advisory lock is held until the commit, so appends to the chain never overlap; the writers are "
            "threads of one process, sharing the GIL and the CPUs with PostgreSQL.",
            f"- Growing table: the last record is read by `{plan}` (EXPLAIN at the end of the run), one B-tree "
            "descent, so the read hardly changes as the table grows, and plain inserts update the same indexes; "
            f"chained-append round medians, first half of the rounds {us(statistics.median(chained[:half]))} µs, "
            f"second half {us(statistics.median(chained[half:]))} µs.",
            f"- `access_log_verify()`: {checked:,} records in {seconds:,.2f} s, "
            f"≈{per_second(checked / seconds)} records/s ({'intact' if chain.intact else 'BROKEN'}; timed once, "
            "informational).",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20, help="measured rounds (default 20)")
    parser.add_argument("--ops", type=int, default=100, help="appends per case per round (default 100)")
    parser.add_argument("--holders", type=int, default=50, help="holders the records point at (default 50)")
    parser.add_argument("--write", action="store_true", help=f"update {BENCHMARKS_MD.relative_to(REPO_ROOT)}")
    args = parser.parse_args()
    if args.rounds < 2 or args.ops < 2:
        parser.error("--rounds and --ops must be at least 2")

    url = database_url_named(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL, BENCH_DATABASE)
    bench_database_create(url)
    django_setup(url)

    from django.db import connection

    from audit.models import AccessRecord
    from audit.services import access_log_verify
    from issuance.models import Holder

    holders_ensure(args.holders)
    # The first issued, so the pool stays the same when bench/run.py issues more (the keys are UUIDs).
    holders = list(Holder.objects.order_by("created_at", "pk").only("pk")[: args.holders])
    user = bench_officer()
    rows_before = AccessRecord.objects.count()
    per_op, throughput, preparers = cases_build(args.ops, user)
    print(f"measuring {args.rounds} rounds ({rows_before} access records in the table)…", file=sys.stderr, flush=True)
    writers = Writers(max(writers_of(case) for case in throughput))
    try:
        results = measure(per_op, throughput, preparers, holders=holders, rounds=args.rounds, writers=writers)
    except BaseException:
        writers.stop(failed=True)
        raise
    writers.stop()

    print("verifying the chain…", file=sys.stderr, flush=True)
    start = time.perf_counter_ns()
    chain = access_log_verify()
    seconds = (time.perf_counter_ns() - start) / 1e9
    if not chain.intact:
        # Every case leaves the chain whole; a break means a bug here or a run cut off mid-round.
        sys.exit(f"the chain in {BENCH_DATABASE} is broken at {chain.broken_at}: {chain.problem}")
    section = report(
        args=args,
        per_op=per_op,
        throughput=throughput,
        results=results,
        rows_before=rows_before,
        rows_after=AccessRecord.objects.count(),
        holders=len(holders),
        plan=last_record_plan(),
        verified=(chain.checked, seconds, chain),
    )
    connection.close()
    print(section)
    if args.write:
        benchmarks_md_write(section, start_marker=START_MARKER, end_marker=END_MARKER)
        print(f"\nwrote {BENCHMARKS_MD.relative_to(REPO_ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
