"""Benchmark of the verification APIs under gunicorn (issue 7 "Performance"; DOMAIN.md §6).

Measures, in one run, the UNI-PASS-compatible XML check (`GET /ext/rest/persEcmQry/retrievePersEcm`)
and the JSON check (`POST /api/v1/verifications`) against a trivial view of the same server (the
framework floor: the same middleware, no database), at 10,000 and at 1,000,000 holders. Each size has
its own database and its own gunicorn, both running for the whole measurement, so every round visits
every (size, case) pair: the machines are shared and noisy, and interleaving lets a noisy moment hit
every case (as bench/run.py does). The report quotes medians and ratios: a check against the floor
(target ≤ 1.5×), and a check at 1M against the same check at 10k (target ≤ 1.2×).

The holders are written by PostgreSQL COPY, not through the services (a million `code_issue` calls
would take hours): for each person a wrapped data key, a holder whose fields are sealed and blind-
indexed exactly as `EncryptedTextField`/`BlindIndexField` would do it (personal_data/fields.py), one
code in use with a valid check digit, and 0–2 delivery addresses. The people are fictional and
drawn from a seeded RNG per person, so a run can regenerate the (code, name, phone, postcode) of any
holder to send matching requests; tests/bench/test_bench_api_loader.py proves the application reads
what the loader writes.

Run:
  .venv/bin/python bench/api.py run [--sizes 10000 1000000] [--rounds R] [--seconds S] [--write]
  .venv/bin/python bench/api.py load --holders N       # only load (or reuse) pcc_bench_api_<N>
  .venv/bin/python bench/api.py profile --holders N    # queries and time of one check, in process

The databases `pcc_bench_api_<N>` live on the server of DATABASE_URL and are reused while they hold
exactly N holders (otherwise dropped and loaded again); dev and test data are never touched.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import http.client
import json
import multiprocessing
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

# bench/ is on sys.path when this file runs as a script: the shared machinery of the first benchmark.
from run import (
    BENCHMARKS_MD,
    DEFAULT_DATABASE_URL,
    REPO_ROOT,
    benchmarks_md_write,
    database_url_named,
    django_setup,
    run_line,
    times,
)

START_MARKER = "<!-- bench:api:start -->"
END_MARKER = "<!-- bench:api:end -->"
DATABASE_PREFIX = "pcc_bench_api_"
SETTINGS_MODULE = "bench.api_settings"
SEED = 7  # fixed: the same holders, codes and requests in every run
# Bump when person() or rows_build() change what a holder is: a database loaded by another version
# holds other people and is loaded again (see database_prepare).
LOADER_VERSION = 2
MAX_HOLDERS = 4_000_000  # resident numbers are unique by construction up to here (person())
CHUNK = 5_000  # holders per COPY transaction
SAMPLE = 2_000  # distinct holders the requests are drawn from
BENCH_RATE_LIMIT = "1000000/m"  # the per-client limit would otherwise answer 429 within a second

TRIVIAL_PATH = "/bench/trivial"
UNIPASS_PATH = "/ext/rest/persEcmQry/retrievePersEcm"
JSON_PATH = "/api/v1/verifications"
UNIPASS_MATCH = "<tCnt>1</tCnt>"
JSON_MATCH = '"match":true'

# DOMAIN.md §6: records issued or changed from 2025-11-21 are checked with the postcode too. Most
# holders are on the new rule (issued in 2026); the rest are older records imported from UNI-PASS.
POSTCODE_RULE_RECORDS_FROM = datetime.date(2025, 11, 21)
NEW_RULE_SHARE = 0.9
NEW_RULE_ISSUED = (datetime.date(2026, 1, 2), datetime.date(2026, 11, 30))  # fixed: codes stay the same
OLD_RULE_UPDATED = (datetime.date(2018, 1, 1), datetime.date(2025, 11, 20))
CODE_NUMBER_MULTIPLIER = 387_420_489  # 3**18, coprime with 10**9: a bijection of the 9-digit numbers


# --- Fictional people -----------------------------------------------------------------------------

KOREAN_SURNAMES = (
    ("김", "KIM"), ("이", "LEE"), ("박", "PARK"), ("최", "CHOI"), ("정", "JUNG"), ("강", "KANG"),
    ("조", "CHO"), ("윤", "YOON"), ("장", "JANG"), ("임", "LIM"), ("한", "HAN"), ("오", "OH"),
    ("서", "SEO"), ("신", "SHIN"), ("권", "KWON"), ("황", "HWANG"), ("안", "AHN"), ("송", "SONG"),
)  # fmt: skip
KOREAN_SYLLABLES = (
    ("민", "MIN"), ("준", "JUN"), ("서", "SEO"), ("연", "YEON"), ("지", "JI"), ("우", "WOO"),
    ("현", "HYUN"), ("수", "SU"), ("영", "YOUNG"), ("하", "HA"), ("은", "EUN"), ("호", "HO"),
    ("진", "JIN"), ("예", "YE"), ("윤", "YUN"), ("도", "DO"), ("성", "SEONG"), ("혜", "HYE"),
)  # fmt: skip
# Foreign residents: nationality and names as printed on an alien registration card (capitals).
FOREIGN_NAMES = {
    "VN": (("NGUYEN", "TRAN", "LE", "PHAM", "HOANG"), ("VAN AN", "THI MAI", "MINH DUC", "THI LAN", "QUOC BAO")),
    "CN": (("WANG", "LI", "ZHANG", "LIU", "CHEN"), ("WEI", "FANG", "XIU YING", "JING", "LEI")),
    "US": (("SMITH", "JOHNSON", "BROWN", "MILLER", "DAVIS"), ("JOHN", "MARY ANN", "ROBERT", "LINDA", "JAMES")),
    "PH": (("SANTOS", "REYES", "CRUZ", "BAUTISTA", "GARCIA"), ("MARIA", "JOSE", "ANGELICA", "MARK", "JOY")),
    "UZ": (("KARIMOV", "TURSUNOV", "RAHIMOVA", "YUSUPOV", "ALIEVA"), ("BOBUR", "DILNOZA", "AZIZ", "MALIKA", "SARDOR")),
}
FOREIGN_NATIONALITIES = tuple(FOREIGN_NAMES)
STREETS = (
    ("서울특별시 중구 세종대로", "04"), ("서울특별시 강남구 테헤란로", "06"),
    ("부산광역시 해운대구 해운대해변로", "48"), ("인천광역시 연수구 컨벤시아대로", "22"),
    ("대구광역시 중구 동성로", "41"), ("광주광역시 서구 상무중앙로", "61"), ("경기도 수원시 팔달구 효원로", "16"),
    ("대전광역시 서구 둔산로", "35"), ("경기도 안산시 단원구 원곡로", "15"),
)  # fmt: skip


@dataclass(frozen=True)
class DeliveryPlace:
    address: str
    postcode: str


@dataclass(frozen=True)
class Person:
    """One fictional holder, in the form the services store it (clean names, E.164 phones)."""

    index: int
    code: str
    is_legacy: bool
    issued_on: datetime.date
    details_updated_on: datetime.date
    resident_number: str  # 13 digits
    birth_date: datetime.date
    nationality: str
    name: str
    english_name: str
    address: str
    postcode: str
    mobile: str  # E.164
    telephone: str | None  # E.164
    email: str
    language: str
    delivery: tuple[DeliveryPlace, ...]

    @property
    def postcode_rule(self) -> bool:
        return self.details_updated_on >= POSTCODE_RULE_RECORDS_FROM


def _day_between(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rng.randrange((last - first).days + 1))


def _place(rng: random.Random) -> tuple[str, str]:
    street, area = rng.choice(STREETS)
    address = f"{street} {rng.randint(1, 400)} {rng.randint(101, 120)}동 {rng.randint(1, 25)}{rng.randint(1, 8):02d}호"
    return address, f"{area}{rng.randrange(1000):03d}"


def person(index: int, *, seed: int = SEED) -> Person:
    """The holder number `index` of a load with `seed`: the same person every time (no clock, no state).

    Unique by construction: the resident number's digit 7 cycles 1, 2, 5, 6 (Korean and foreign,
    born in the 1900s) and its last six digits count index // 4, so no two of the first 4,000,000
    holders share one (a unique blind index in the database); the code's nine-digit number is
    index × 3**18 mod 10**9, a bijection, so no two share a code either.
    """
    if not 0 <= index < MAX_HOLDERS:
        raise ValueError(f"index must be in [0, {MAX_HOLDERS})")
    rng = random.Random((seed << 32) | index)  # noqa: S311 — fictional data, reproducible by design
    gender_digit = "1256"[index % 4]
    birth_date = _day_between(rng, datetime.date(1950, 1, 1), datetime.date(2005, 12, 31))
    resident_number = f"{birth_date:%y%m%d}{gender_digit}{index // 4 % 1_000_000:06d}"
    if gender_digit in "12":
        nationality, language = "KR", "ko"
        surname, surname_latin = rng.choice(KOREAN_SURNAMES)
        given = rng.choices(KOREAN_SYLLABLES, k=2)
        name = surname + "".join(hangul for hangul, _latin in given)  # 김민준, as on the ID card
        english_name = f"{surname_latin} {''.join(latin for _hangul, latin in given)}"  # KIM MINJUN
    else:
        nationality = FOREIGN_NATIONALITIES[rng.randrange(len(FOREIGN_NATIONALITIES))]
        language = "en" if rng.random() < 0.8 else "ko"
        family_names, given_names = FOREIGN_NAMES[nationality]
        name = english_name = f"{rng.choice(family_names)} {rng.choice(given_names)}"

    if rng.random() < NEW_RULE_SHARE:
        issued_on = _day_between(rng, *NEW_RULE_ISSUED)
        details_updated_on, is_legacy = issued_on, False
    else:  # an older record imported from UNI-PASS, on the rule before 2026 until it is updated
        details_updated_on = _day_between(rng, *OLD_RULE_UPDATED)
        issued_on, is_legacy = details_updated_on, True
    body = f"{issued_on.year % 100:02d}{index * CODE_NUMBER_MULTIPLIER % 10**9:09d}"

    from issuance.codes import CODE_PREFIX, verhoeff_check_digit

    address, postcode = _place(rng)
    # 010-5xxx is left out: phonenumbers' metadata refuses part of it (010-59xx), and a number it
    # refuses cannot match (blind_index._phone). The test checks a large sample against phonenumbers.
    mobile = f"+8210{rng.choice('2346789')}{rng.randrange(10**7):07d}"
    telephone = f"+822{rng.randint(2000_0000, 9999_9999)}" if rng.random() < 0.3 else None  # Seoul, 02
    delivery = tuple(DeliveryPlace(*_place(rng)) for _ in range(rng.choices((0, 1, 2), weights=(4, 4, 2))[0]))
    return Person(
        index=index,
        code=f"{CODE_PREFIX}{body}{verhoeff_check_digit(body)}",
        is_legacy=is_legacy,
        issued_on=issued_on,
        details_updated_on=details_updated_on,
        resident_number=resident_number,
        birth_date=birth_date,
        nationality=nationality,
        name=name,
        english_name=english_name,
        address=address,
        postcode=postcode,
        mobile=mobile,
        telephone=telephone,
        email=f"holder{index}@example.org",
        language=language,
        delivery=delivery,
    )


def national_digits(e164: str) -> str:
    """+821023456789 → 01023456789, as forwarders send it (cralTelno, DOMAIN.md §6)."""
    return "0" + e164.removeprefix("+82")


@dataclass(frozen=True)
class CheckRequest:
    code: str
    name: str
    phone: str
    postcode: str


def request_sample(holders: int, *, seed: int = SEED, count: int = SAMPLE) -> list[CheckRequest]:
    """Requests that match: a seeded sample of the loaded holders, regenerated rather than stored.

    They vary the way forwarders' data does: the Korean or the English name (lower case, or without
    spaces), the mobile or the telephone, the main postcode or a delivery address's — so each
    alternative DOMAIN.md §6 allows is exercised, and each still matches.
    """
    rng = random.Random(seed + 1)  # noqa: S311
    requests = []
    for index in rng.sample(range(holders), min(count, holders)):
        someone = person(index, seed=seed)
        name = someone.name
        if rng.random() < 0.3:
            name = rng.choice((someone.english_name.lower(), someone.english_name.replace(" ", "")))
        phone = someone.telephone if someone.telephone and rng.random() < 0.2 else someone.mobile
        postcode = someone.postcode
        if someone.delivery and rng.random() < 0.3:
            postcode = rng.choice(someone.delivery).postcode
        requests.append(CheckRequest(someone.code, name, national_digits(phone), postcode))
    return requests


# --- Rows, sealed as the model fields seal them, and COPY -----------------------------------------

DATA_KEY_COLUMNS = ("id", "wrapped", "master_key_id", "created_at", "rewrapped_at", "destroyed_at")
HOLDER_COLUMNS = (
    "id", "data_key_id", "identity_document", "resident_number", "passport_number", "nationality", "name",
    "english_name", "birth_date", "address", "postcode", "telephone", "mobile_ownership", "mobile", "email",
    "language", "details_updated_on", "erased_at", "created_at", "updated_at", "resident_number_index",
    "passport_number_index", "name_index", "english_name_index", "mobile_index", "telephone_index",
    "postcode_index",
)  # fmt: skip
CODE_COLUMNS = (
    "number", "holder_id", "status", "issued_at", "expires_on", "channel", "office_id", "is_legacy",
    "suspension_reason", "termination_reason", "replaced_by_id", "status_changed_at",
)  # fmt: skip
DELIVERY_COLUMNS = ("id", "holder_id", "position", "address", "postcode", "postcode_index")
TABLES = (
    ("personal_data_datakey", DATA_KEY_COLUMNS),
    ("issuance_holder", HOLDER_COLUMNS),
    ("issuance_code", CODE_COLUMNS),
    ("issuance_deliveryaddress", DELIVERY_COLUMNS),
)
SEOUL = datetime.timezone(datetime.timedelta(hours=9))


def rows_build(start: int, stop: int, *, seed: int = SEED, now: datetime.datetime | None = None) -> dict[str, list]:
    """The rows of holders start..stop-1 for each table of TABLES, in their column order.

    Sealing and indexing follow personal_data/fields.py: a value is sealed under the holder's data key
    with associated data "<app_label.model>.<field>:<pk>" (delivery addresses under their holder's
    key, with their own label and pk); a blind index is the HMAC of the stored value's canonical form.
    """
    from issuance import validity
    from issuance.models import CodeStatus, DeliveryAddress, Holder
    from personal_data import crypto
    from personal_data.blind_index import blind_index_of
    from personal_data.keyring import get_keyring

    keyring = get_keyring()
    master, index_key = keyring.current, keyring.blind_index_key
    holder_label, delivery_label = Holder._meta.label_lower, DeliveryAddress._meta.label_lower
    now = now or datetime.datetime.now(datetime.UTC)
    rows: dict[str, list] = {table: [] for table, _columns in TABLES}
    data_keys, holders, codes, deliveries = rows.values()

    def phone_index(e164: str | None) -> bytes | None:
        # The canonical form of a valid number is its E.164 (blind_index._phone); calling the crypto
        # directly skips a phonenumbers parse per value. The test compares with blind_index_of.
        return crypto.blind_index(key=index_key, kind="phone", canonical=e164) if e164 else None

    for index in range(start, stop):
        someone = person(index, seed=seed)
        key_id, holder_id = uuid.uuid4(), uuid.uuid4()
        holder_pk = str(holder_id)  # formatted once, not once per sealed field
        material = crypto.new_data_key()
        wrapped = crypto.wrap_data_key(
            master=master, data_key=material, associated_data=f"personal_data.datakey:{key_id}".encode()
        )
        data_keys.append((key_id, wrapped, master.key_id, now, None, None))

        def sealed(label, pk, field, value, key_id=key_id, material=material):
            if value is None:
                return None
            ad = f"{label}.{field}:{pk}".encode()  # pk as str(UUID), as fields._associated_data formats it
            return crypto.seal(data_key_id=key_id, data_key=material, plaintext=value, associated_data=ad)

        holders.append(
            (
                holder_id,
                key_id,
                "resident_number",
                sealed(holder_label, holder_pk, "resident_number", someone.resident_number),
                None,
                someone.nationality,
                sealed(holder_label, holder_pk, "name", someone.name),
                sealed(holder_label, holder_pk, "english_name", someone.english_name),
                sealed(holder_label, holder_pk, "birth_date", someone.birth_date.isoformat()),
                sealed(holder_label, holder_pk, "address", someone.address),
                sealed(holder_label, holder_pk, "postcode", someone.postcode),
                sealed(holder_label, holder_pk, "telephone", someone.telephone),
                "own_name",
                sealed(holder_label, holder_pk, "mobile", someone.mobile),
                sealed(holder_label, holder_pk, "email", someone.email),
                someone.language,
                someone.details_updated_on,
                None,
                now,
                now,
                blind_index_of("resident_number", someone.resident_number),
                None,
                blind_index_of("name", someone.name),
                blind_index_of("name", someone.english_name),
                phone_index(someone.mobile),
                phone_index(someone.telephone),
                blind_index_of("postcode", someone.postcode),
            )
        )
        issued_at = datetime.datetime.combine(someone.issued_on, datetime.time(10), tzinfo=SEOUL)
        expires_on = (
            validity.legacy_first_expiry(someone.birth_date)
            if someone.is_legacy
            else validity.one_year_from(someone.issued_on)
        )
        channel = "system" if someone.is_legacy else "online"
        codes.append(
            (someone.code, holder_id, CodeStatus.ACTIVE.value, issued_at, expires_on, channel, None,
             someone.is_legacy, "", "", None, issued_at)
        )  # fmt: skip
        for position, place in enumerate(someone.delivery, start=1):
            delivery_id = uuid.uuid4()
            delivery_pk = str(delivery_id)
            deliveries.append(
                (
                    delivery_id,
                    holder_id,
                    position,
                    sealed(delivery_label, delivery_pk, "address", place.address),
                    sealed(delivery_label, delivery_pk, "postcode", place.postcode),
                    blind_index_of("postcode", place.postcode),
                )
            )
    return rows


def rows_copy(cursor, rows: dict[str, list]) -> None:
    """COPY the rows in binary format through a psycopg 3 cursor, parents before children (the
    foreign keys are checked row by row). Column types come from the catalogue, so a column whose
    type changes in a migration cannot be written with a stale one."""
    for table, columns in TABLES:
        cursor.execute(
            "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
            "AND NOT attisdropped",
            [table],
        )
        oids = dict(cursor.fetchall())
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)"
        with cursor.copy(statement) as copy:
            copy.set_types([oids[column] for column in columns])
            for row in rows[table]:
                copy.write_row(row)


# --- Loading, in parallel -------------------------------------------------------------------------

_worker_connection = None


def _worker_start(url: str) -> None:
    import psycopg

    global _worker_connection
    _worker_connection = psycopg.connect(url)


def _worker_load(chunk: tuple[int, int]) -> int:
    start, stop = chunk
    rows = rows_build(start, stop)
    with _worker_connection.transaction(), _worker_connection.cursor() as cursor:
        rows_copy(cursor, rows)
    return stop - start


def database_name(holders: int) -> str:
    return f"{DATABASE_PREFIX}{holders}"


def load_label(holders: int) -> str:
    return f"bench/api.py loader {LOADER_VERSION}, seed {SEED}: {holders} holders"


def database_label(server_url: str, name: str) -> str | None:
    """The comment a finished load leaves on its database (None: no database, or a load that never
    finished: the comment is written last)."""
    import psycopg

    with psycopg.connect(database_url_named(server_url, "postgres")) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
    return row[0] if row else None


def database_recreate(server_url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    # CREATE/DROP DATABASE cannot run in a transaction, nor while connected to that database.
    with psycopg.connect(database_url_named(server_url, "postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def holders_load(url: str, holders: int, *, processes: int) -> float:
    """COPY `holders` holders into the (migrated, empty) database at url; returns the seconds taken.

    Two processes on two CPUs: each builds a chunk (Python: AES-GCM, HMAC) and COPYs it in its own
    transaction while PostgreSQL ingests the other's, then VACUUM ANALYZE gives the planner the
    statistics and the visibility map a long-lived table has.
    """
    import psycopg
    from django.db import connections

    from personal_data.keyring import get_keyring

    get_keyring()  # parsed once here, inherited by the forked workers
    connections.close_all()  # a connection must not be shared with forked children
    chunks = [(start, min(start + CHUNK, holders)) for start in range(0, holders, CHUNK)]
    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        indexes = secondary_indexes_drop(conn)
    done, reported = 0, 0
    context = multiprocessing.get_context("fork")
    with context.Pool(processes, initializer=_worker_start, initargs=(url,)) as pool:
        for count in pool.imap_unordered(_worker_load, chunks):
            done += count
            if done * 10 // holders > reported:
                reported = done * 10 // holders
                rate = done / (time.perf_counter() - started)
                print(f"  {done:,} holders ({rate:,.0f}/s)", file=sys.stderr, flush=True)
    print(f"  building {len(indexes)} indexes…", file=sys.stderr, flush=True)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '256MB'")
        for definition in indexes:
            conn.execute(definition)
        for table, _columns in TABLES:
            conn.execute(f"VACUUM (ANALYZE) {table}")
    return time.perf_counter() - started


def secondary_indexes_drop(conn) -> list[str]:
    """Drop the indexes of the loaded tables that no constraint owns (the blind indexes among them)
    and return their definitions: building an index once over a million rows is several times
    faster than updating it a million times. Primary keys and unique constraints stay, since the
    foreign keys checked during COPY need them. The tables are empty here (a fresh database)."""
    found = conn.execute(
        "SELECT index_class.oid::regclass::text, pg_get_indexdef(index_class.oid) FROM pg_index "
        "JOIN pg_class index_class ON index_class.oid = pg_index.indexrelid "
        "WHERE pg_index.indrelid = ANY(%s::regclass[]) "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE pg_constraint.conindid = pg_index.indexrelid)",
        [[table for table, _columns in TABLES]],
    ).fetchall()
    for name, _definition in found:
        conn.execute(f"DROP INDEX {name}")
    return [definition for _name, definition in found]


def database_prepare(holders: int, *, processes: int) -> tuple[str, float | None]:
    """The migrated database of `holders` holders: reused when a finished load of this loader
    version left it, else created afresh and loaded. Returns its URL and the seconds loading took
    (None when reused)."""
    import psycopg
    from psycopg import sql

    if not 0 < holders <= MAX_HOLDERS:
        raise SystemExit(f"--holders must be between 1 and {MAX_HOLDERS:,}")
    base = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    name = database_name(holders)
    url = database_url_named(base, name)
    reuse = database_label(base, name) == load_label(holders)
    if not reuse:
        database_recreate(base, name)
    # Migrations run every time: a reused database gets the tables of apps added since it was loaded.
    try:
        django_setup(url)
    except Exception as error:
        if not reuse:
            raise
        # Migrations rewritten since the load (while a feature is developed) no longer apply to what
        # an earlier version made: load afresh rather than guess at the schema.
        print(f"{name}: migrations do not apply ({error.__class__.__name__}); loading again", file=sys.stderr)
        from django.db import connections

        connections.close_all()
        reuse = False
        database_recreate(base, name)
        django_setup(url)
    if reuse:
        return url, None
    print(f"loading {holders:,} holders into {name}…", file=sys.stderr, flush=True)
    seconds = holders_load(url, holders, processes=processes)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(name), sql.Literal(load_label(holders)))
        )
    return url, seconds


def api_client_create_for_bench() -> str | None:
    """A fresh API client with every scope and a limit no benchmark reaches; returns its key, or None
    while the clearance app (issue 7) has no `api_client_create` yet."""
    try:
        from clearance.services import api_client_create
    except ImportError:
        return None
    # A new client per run: clients that made checks cannot be deleted (the call log protects them).
    name = f"bench {datetime.datetime.now(datetime.UTC):%Y%m%d-%H%M%S} {os.getpid()}"
    _client, key = api_client_create(name=name, scopes=["verify", "declare", "bulk"], rate_limit=BENCH_RATE_LIMIT)
    return key


# --- The server and the load generator ------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    holders: int
    url: str
    port: int
    process: subprocess.Popen
    log: Path


def gunicorn_start(*, holders: int, url: str, workers: int, log_dir: Path) -> Server:
    """gunicorn as in the Dockerfile (sync workers, pcc_portal.wsgi) with the benchmark's settings."""
    port = free_port()
    log = log_dir / f"gunicorn-{holders}.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
        "DATABASE_URL": url,
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(REPO_ROOT),
    }
    command = [
        sys.executable, "-m", "gunicorn", "pcc_portal.wsgi:application", "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers), "--worker-class", "sync", "--chdir", str(REPO_ROOT), "--timeout", "60",
        "--log-level", "warning",
    ]  # fmt: skip
    with log.open("wb") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)  # noqa: S603
    server = Server(holders, url, port, process, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}; see {log}")
        with contextlib.suppress(OSError):
            if http_request(port, "GET", TRIVIAL_PATH)[0] == 200:
                return server
        time.sleep(0.2)
    gunicorn_stop(server)
    raise SystemExit(f"gunicorn did not answer within 60 s; see {log}")


def gunicorn_stop(server: Server) -> None:
    server.process.terminate()  # SIGTERM: gunicorn's graceful shutdown
    try:
        server.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


def http_request(port: int, method: str, path: str, body: bytes | None = None, headers=None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    body: bytes | None
    headers: dict


@dataclass(frozen=True)
class CaseSpec:
    key: str
    label: str
    expect: str | None  # what a matching answer contains


CASES = (
    CaseSpec("trivial", "trivial view (framework floor)", None),
    CaseSpec("unipass", "UNI-PASS XML check", UNIPASS_MATCH),
    CaseSpec("json", "JSON API check", JSON_MATCH),
)


def calls_for(case: str, requests: list[CheckRequest], key: str | None) -> list[Call]:
    if case == "trivial":
        return [Call("GET", TRIVIAL_PATH, None, {})]
    if case == "unipass":
        return [
            Call(
                "GET",
                UNIPASS_PATH
                + "?"
                + urlencode(
                    {"crkyCn": key, "persEcm": r.code, "pltxNm": r.name, "cralTelno": r.phone, "custPsno": r.postcode}
                ),
                None,
                {},
            )
            for r in requests
        ]
    headers = {"Content-Type": "application/json", "Authorization": f"Api-Key {key}"}
    return [
        Call(
            "POST",
            JSON_PATH,
            json.dumps({"pcc": r.code, "name": r.name, "phone": r.phone, "postcode": r.postcode}).encode(),
            headers,
        )
        for r in requests
    ]


def calls_check(port: int, calls: list[Call], expect: str | None, count: int = 20) -> None:
    """Stop before measuring unless every sampled call answers 200 (and matches): the numbers must be
    of matching checks, not of fast refusals."""
    for call in calls[:count]:
        status, body = http_request(port, call.method, call.path, call.body, call.headers)
        text = body.decode("utf-8", "replace")
        if status != 200 or (expect and expect not in text.replace(" ", "").replace("\n", "")):
            raise SystemExit(f"{call.method} {call.path.split('?')[0]} answered {status}: {text[:300]}")


def request_bytes(call: Call, port: int) -> bytes:
    """The whole HTTP/1.1 request, built once: the timed loop only sends it. `Connection: close`,
    because gunicorn's sync workers close after each response anyway (no keep-alive)."""
    body = call.body or b""
    headers = {"Host": f"127.0.0.1:{port}", "Connection": "close", **call.headers}
    if call.body is not None:
        headers["Content-Length"] = str(len(body))
    head = f"{call.method} {call.path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return head.encode("latin-1") + b"\r\n" + body


def answer_is_good(raw: bytes, expect: bytes | None) -> bool:
    status_line, _, rest = raw.partition(b"\r\n")
    if status_line[9:12] != b"200":
        return False
    return expect is None or expect in b"".join(rest.partition(b"\r\n\r\n")[2].split())


@dataclass(frozen=True)
class Sample:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    bad: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


def load_generate(*, port: int, calls: list[Call], expect: str | None, seconds: int, connections: int, offset: int):
    """Closed loop: one thread per connection sends a request, reads the answer to the end (the server
    closes), and sends the next. Every request is timed from connect to the last byte, so the
    percentiles are of real samples. (wrk was tried first: its latency histogram is "corrected" for
    coordinated omission with synthetic samples, which skews percentiles of a closed loop like this.)
    The requests are prepared bytes over a plain socket, so the generator's share of the CPUs stays
    small (tens of microseconds a request) next to the server's."""
    payloads = [request_bytes(call, port) for call in calls]
    marker = expect.encode() if expect else None
    latencies: list[float] = []
    bad = [0]
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def loop(position: int) -> None:
        mine, wrong = [], 0
        while time.perf_counter() < stop_at:
            payload = payloads[position % len(payloads)]
            position += 1
            began = time.perf_counter()
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
                    sock.sendall(payload)
                    chunks = []
                    while chunk := sock.recv(65536):
                        chunks.append(chunk)
            except OSError:
                wrong += 1
                continue
            mine.append(time.perf_counter() - began)
            if not answer_is_good(b"".join(chunks), marker):
                wrong += 1
        with lock:
            latencies.extend(mine)
            bad[0] += wrong

    began = time.perf_counter()
    threads = [
        threading.Thread(target=loop, args=(offset + n * len(calls) // connections,)) for n in range(connections)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    quantiles = statistics.quantiles(latencies, n=20)  # 5 % steps: [9] is the median, [18] the 95th percentile
    return Sample(len(latencies), elapsed, quantiles[9] * 1000, quantiles[18] * 1000, bad[0])


# --- The run --------------------------------------------------------------------------------------


def prepare_in_subprocess(holders: int, processes: int) -> dict:
    """Load (or reuse) one size in a process of its own: Django is set up once per process, for one
    database, and each size has its database."""
    command = [sys.executable, str(Path(__file__)), "load", "--holders", str(holders), "--processes", str(processes)]
    command.append("--json")
    output = subprocess.run(command, capture_output=False, stdout=subprocess.PIPE, text=True, check=True)  # noqa: S603
    return json.loads(output.stdout.strip().splitlines()[-1])


def ms(value: float) -> str:
    return f"{value:,.2f}" if value < 10 else f"{value:,.1f}"


def measure(args) -> None:
    prepared = [prepare_in_subprocess(holders, args.processes) for holders in args.sizes]
    keys = {item["key"] for item in prepared}
    endpoints = None not in keys
    cases = [case for case in CASES if endpoints or case.key == "trivial"]
    if not endpoints:
        print("clearance.services.api_client_create is missing: measuring the trivial view only", file=sys.stderr)
    django_setup(prepared[0]["url"])  # for run_line()'s server version

    log_dir = Path(tempfile.mkdtemp(prefix="pcc-bench-api-"))
    servers: list[Server] = []
    try:
        for item in prepared:
            servers.append(
                gunicorn_start(holders=item["holders"], url=item["url"], workers=args.workers, log_dir=log_dir)
            )
        combos = []  # (server, case, calls)
        for server, item in zip(servers, prepared, strict=True):
            sample = request_sample(server.holders, count=args.sample)
            for case in cases:
                calls = calls_for(case.key, sample, item["key"])
                calls_check(server.port, calls, case.expect)
                combos.append((server, case, calls))

        results: dict[tuple[int, str], list[Sample]] = {(s.holders, c.key): [] for s, c, _ in combos}
        rng = random.Random(SEED)  # noqa: S311
        for round_number in range(args.rounds + 1):
            offset = rng.randrange(args.sample)
            # Rotated each round so no case always follows the same one.
            turn = round_number % len(combos)
            for server, case, calls in combos[turn:] + combos[:turn]:
                sample = load_generate(
                    port=server.port,
                    calls=calls,
                    expect=case.expect,
                    seconds=args.seconds,
                    connections=args.connections,
                    offset=offset,
                )
                if sample.bad:
                    raise SystemExit(
                        f"{case.label} at {server.holders:,} holders: {sample.bad} of {sample.requests} answers "
                        f"were errors or no match; see {server.log}"
                    )
                if round_number > 0:  # round 0 warms workers, connections and caches
                    results[(server.holders, case.key)].append(sample)
            print(f"round {round_number}/{args.rounds} done", file=sys.stderr, flush=True)
    finally:
        for server in servers:
            gunicorn_stop(server)
        redis_leftovers_delete()

    section = report(args=args, prepared=prepared, cases=cases, results=results)
    print(section)
    if args.write:
        benchmarks_md_write(section, start_marker=START_MARKER, end_marker=END_MARKER)
        print(f"\nwrote {BENCHMARKS_MD.relative_to(REPO_ROOT)}", file=sys.stderr)


def redis_leftovers_delete() -> None:
    """The sealing tasks the checks queued for a worker (bench/api_settings.py: a queue no worker
    reads) and the benchmark's cache entries; both are named after it, "bench-api"."""
    import redis

    client = redis.Redis.from_url(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    keys = [*client.scan_iter(match="bench-api*"), *client.scan_iter(match="_kombu.binding*bench-api")]
    if keys:
        client.delete(*keys)


def paired_ratio(numerators: list[Sample], denominators: list[Sample], attribute: str) -> float:
    """Median of the per-round ratios: both samples of a pair ran in the same round, a few seconds
    apart, so a noisy minute moves both."""
    return statistics.median(
        getattr(a, attribute) / getattr(b, attribute) for a, b in zip(numerators, denominators, strict=True)
    )


def report(*, args, prepared, cases, results) -> str:
    command = " ".join([".venv/bin/python", "bench/api.py", *sys.argv[1:]])
    loads = []
    for item in prepared:
        if item["load_seconds"] is None:
            loads.append(f"{item['holders']:,} (reused)")
        else:
            rate = item["holders"] / item["load_seconds"]
            loads.append(
                f"{item['holders']:,} (loaded by COPY in {item['load_seconds']:,.0f} s, {rate:,.0f} holders/s)"
            )
    rows = [
        "| holders | case | median latency ms | p95 ms | requests/s | round medians (ms) min–max | latency × floor |",
        "| ---: | --- | ---: | ---: | ---: | ---: | --- |",
    ]
    lines = []
    for item in prepared:
        holders = item["holders"]
        floor = results[(holders, "trivial")]
        for case in cases:
            samples = results[(holders, case.key)]
            p50 = [s.p50_ms for s in samples]
            ratio = "floor" if case.key == "trivial" else f"**{times(paired_ratio(samples, floor, 'p50_ms'))}**"
            rows.append(
                f"| {holders:,} | {case.label} | {ms(statistics.median(p50))} | "
                f"{ms(statistics.median(s.p95_ms for s in samples))} | "
                f"{statistics.median(s.per_second for s in samples):,.0f} | {ms(min(p50))}–{ms(max(p50))} | {ratio} |"
            )
    for case in cases:
        if case.key == "trivial":
            continue
        for item in prepared:
            holders = item["holders"]
            samples, floor = results[(holders, case.key)], results[(holders, "trivial")]
            latency = paired_ratio(samples, floor, "p50_ms")
            throughput = paired_ratio(floor, samples, "per_second")
            verdict = "met" if latency <= 1.5 else "missed"
            lines.append(
                f"- {case.label}, {holders:,} holders: latency {times(latency)} the floor, throughput "
                f"{times(throughput)} lower (target ≤ 1.5×: {verdict})"
            )
    if len(prepared) > 1:
        small, large = prepared[0]["holders"], prepared[-1]["holders"]
        for case in cases:
            ratio = paired_ratio(results[(large, case.key)], results[(small, case.key)], "p50_ms")
            target = "" if case.key == "trivial" else f" (target ≤ 1.2×: {'met' if ratio <= 1.2 else 'missed'})"
            lines.append(f"- {case.label}: latency at {large:,} holders {times(ratio)} that at {small:,}{target}")
    return "\n".join(
        [
            "## Verification APIs under gunicorn",
            "",
            f"Command: `{command}`  ",
            run_line(),
            f"Server: gunicorn, {args.workers} sync workers, settings `{SETTINGS_MODULE}` (DEBUG off, Redis cache, "
            f"persistent connections); load: {args.connections} connections, closed loop, every request timed  ",
            f"Data: holders {', '.join(loads)}; requests drawn from {args.sample:,} matching holders per size "
            f"(seed {SEED}); {args.rounds} rounds × {args.seconds:g} s per case, interleaved",
            "",
            *rows,
            "",
            *lines,
        ]
    )


# --- Profile of one check, in process -------------------------------------------------------------


def profile(args) -> None:
    """Where one check's time goes: queries (count, SQL, time) and a cProfile of the request, run
    through Django's test client in this process against the size's database."""
    import cProfile
    import pstats

    prepared = prepare_in_subprocess(args.holders, args.processes)
    if prepared["key"] is None:
        raise SystemExit("clearance.services.api_client_create is missing: nothing to profile yet")
    os.environ["DATABASE_URL"] = prepared["url"]
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(REPO_ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    client = Client(SERVER_NAME="127.0.0.1")
    sample = request_sample(args.holders, count=args.sample)
    for case in CASES:
        calls = calls_for(case.key, sample, prepared["key"])

        def send(call, client=client):
            if call.method == "GET":
                return client.get(call.path)
            return client.post(
                call.path,
                data=call.body,
                content_type="application/json",
                headers={"Authorization": call.headers["Authorization"]},
            )

        for call in calls[:20]:
            send(call)  # warm up
        timings = []
        for call in calls[20 : 20 + args.ops] or calls:
            began = time.perf_counter()
            response = send(call)
            timings.append(time.perf_counter() - began)
            assert response.status_code == 200, response.status_code
        queries = []

        def timed_query(execute, sql, params, many, context, queries=queries):
            began = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                queries.append((time.perf_counter() - began, sql))

        began = time.perf_counter()
        with connection.execute_wrapper(timed_query):
            send(calls[-1])
        elapsed = time.perf_counter() - began
        print(
            f"\n## {case.label}: median {statistics.median(timings) * 1e3:.2f} ms in process; one request "
            f"{elapsed * 1e3:.2f} ms, {len(queries)} queries taking {sum(q[0] for q in queries) * 1e3:.2f} ms"
        )
        for seconds, sql in queries:
            print(f"  {seconds * 1e3:6.2f} ms  {sql[:160]}")
        if case.key != "trivial":
            profiler = cProfile.Profile()
            profiler.enable()
            for call in calls[: args.ops]:
                send(call)
            profiler.disable()
            stats = pstats.Stats(profiler, stream=sys.stdout)
            print(f"\n  cProfile over {args.ops} requests: the project's functions by cumulative time")
            stats.sort_stats("cumulative").print_stats(re.escape(f"{REPO_ROOT}/") + r"(?!\.venv|bench)", 20)
            print("  …and every function by own time")
            stats.sort_stats("tottime").print_stats(25)
    redis_leftovers_delete()


# --- Command line ---------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    processes = max(1, min(2, os.cpu_count() or 1))

    load = commands.add_parser("load", help="load (or reuse) the database of N holders")
    load.add_argument("--holders", type=int, required=True)
    load.add_argument("--processes", type=int, default=processes, help=f"row builders (default {processes})")
    load.add_argument("--json", action="store_true", help="also create an API client; print a JSON line")

    run = commands.add_parser("run", help="measure (loads missing sizes first)")
    run.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000], help="holders (default 10k 1M)")
    run.add_argument("--rounds", type=int, default=10, help="measured rounds (default 10)")
    run.add_argument("--seconds", type=int, default=3, help="seconds per case per round (default 3)")
    run.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2: one per CPU)")
    run.add_argument("--connections", type=int, default=2, help="concurrent connections (default 2: one per worker)")
    run.add_argument("--sample", type=int, default=SAMPLE, help=f"holders requests are drawn from (default {SAMPLE})")
    run.add_argument("--processes", type=int, default=processes, help="row builders when loading")
    run.add_argument("--write", action="store_true", help=f"update {BENCHMARKS_MD.relative_to(REPO_ROOT)}")

    prof = commands.add_parser("profile", help="queries and cProfile of one check, in process")
    prof.add_argument("--holders", type=int, default=10_000)
    prof.add_argument("--ops", type=int, default=300, help="requests timed per case (default 300)")
    prof.add_argument("--sample", type=int, default=SAMPLE)
    prof.add_argument("--processes", type=int, default=processes)

    args = parser.parse_args()
    if args.command == "load":
        url, seconds = database_prepare(args.holders, processes=args.processes)
        if args.json:
            key = api_client_create_for_bench()
            print(json.dumps({"holders": args.holders, "url": url, "load_seconds": seconds, "key": key}))
        elif seconds is None:
            print(f"{database_name(args.holders)}: {args.holders:,} holders already loaded", file=sys.stderr)
        else:
            print(
                f"loaded {args.holders:,} holders in {seconds:,.1f} s ({args.holders / seconds:,.0f}/s)",
                file=sys.stderr,
            )
    elif args.command == "run":
        if sorted(args.sizes) != args.sizes:
            parser.error("--sizes must be in increasing order")
        measure(args)
    else:
        profile(args)


if __name__ == "__main__":
    main()
