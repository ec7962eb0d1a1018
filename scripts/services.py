#!/usr/bin/env python3
"""Make sure PostgreSQL and Redis answer for the test suite, and say where (for `make test`).

Order, for each service:
  1. the URL in the environment (DATABASE_URL / REDIS_URL), if set — it must answer, or we stop;
  2. the machine's own server on the usual local port;
  3. a private server started from the locally installed binaries, kept under `.services/`
     (git-ignored) on a high port and bound to 127.0.0.1 only; one already started by an earlier run
     is reused. `--private` skips 1 and 2; `--stop` stops the private servers.

"Answers" means a protocol reply, not an open port: `pg_isready` (or the PostgreSQL SSLRequest
handshake when it is missing) and a Redis PING that gets +PONG. The database named in DATABASE_URL is
created if missing, and its user must be allowed to create databases (pytest-django creates
`test_<name>` itself).

The result is printed as `export NAME=value` lines on stdout (everything else goes to stderr), or
written to the file given by --env-file, for the Makefile to `source`. Standard library only.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import glob
import hashlib
import os
import pwd
import shlex
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
SERVICES_DIR = REPO_ROOT / ".services"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/pcc_portal"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
PRIVATE_PG_PORT = 55432
PRIVATE_REDIS_PORT = 56379
PG_SYSTEM_USER = "postgres"  # initdb and postgres refuse to run as root
INSTALL_HINT = "apt-get update && apt-get install -y postgresql redis-server"
START_TIMEOUT = 60


class ServiceError(Exception):
    """A service cannot be made to answer; the message says what to do."""


def log(message: str) -> None:
    print(f"services: {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------------
# PostgreSQL
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PgTarget:
    host: str  # a hostname/IP, or an absolute socket directory
    port: int
    user: str
    password: str
    dbname: str

    @classmethod
    def from_url(cls, url: str) -> PgTarget:
        parts = urlsplit(url)
        if parts.scheme not in {"postgres", "postgresql", "pgsql", "postgis"}:
            raise ServiceError(f"DATABASE_URL must be a postgres:// URL for the tests, not {parts.scheme}://")
        # django-environ accepts a percent-encoded socket directory as the host (postgres://%2Frun%2F...);
        # urlsplit's .hostname would lower-case it, so take it from the raw netloc.
        raw_host = parts.netloc.rpartition("@")[2].rsplit(":", 1)[0]
        host = unquote(raw_host) if raw_host.lower().startswith("%2f") else (parts.hostname or "")
        return cls(
            host=host or "/var/run/postgresql",
            port=parts.port or 5432,
            user=unquote(parts.username or "postgres"),
            password=unquote(parts.password or ""),
            dbname=unquote(parts.path.lstrip("/")) or "pcc_portal",
        )

    @property
    def is_socket(self) -> bool:
        return self.host.startswith("/")

    def describe(self) -> str:
        where = f"{self.host}/.s.PGSQL.{self.port}" if self.is_socket else f"{self.host}:{self.port}"
        return f"PostgreSQL at {where}"


def _pg_protocol_answers(target: PgTarget, timeout: float = 3.0) -> bool:
    """Send the SSLRequest message; a PostgreSQL server answers with one byte, 'S' or 'N'."""
    try:
        if target.is_socket:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(timeout)
            sock.connect(f"{target.host}/.s.PGSQL.{target.port}")
        else:
            sock = socket.create_connection((target.host, target.port), timeout=timeout)
    except OSError:
        return False
    with sock:
        try:
            sock.sendall(struct.pack("!ii", 8, 80877103))
            return sock.recv(1) in {b"S", b"N"}
        except OSError:
            return False


def pg_answers(target: PgTarget, bin_dir: Path | None = None) -> bool:
    pg_isready = shutil.which("pg_isready") or (bin_dir and shutil.which("pg_isready", path=str(bin_dir)))
    if pg_isready:
        # 0 = accepting connections; 1 = up but rejecting (starting/stopping); 2 = no answer.
        result = subprocess.run(
            [pg_isready, "-q", "-t", "3", "-h", target.host, "-p", str(target.port)],
            check=False,
            timeout=15,
        )
        return result.returncode == 0
    return _pg_protocol_answers(target)


def _pg_server_bin_dir() -> Path | None:
    """Where initdb, pg_ctl and postgres live together (Debian: /usr/lib/postgresql/<major>/bin)."""
    candidates = []
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(os.path.realpath(on_path)).parent)

    def major(path: str) -> int:
        try:
            return int(Path(path).parent.name)
        except ValueError:
            return 0

    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=major, reverse=True)]
    for candidate in candidates:
        if all((candidate / name).is_file() for name in ("initdb", "pg_ctl", "postgres")):
            return candidate
    return None


def _psql_path(bin_dir: Path | None) -> str | None:
    if bin_dir and (bin_dir / "psql").is_file():
        return str(bin_dir / "psql")
    return shutil.which("psql")


def _as_pg_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    if shutil.which("runuser"):
        return ["runuser", "-u", PG_SYSTEM_USER, "--", *command]
    if shutil.which("setpriv"):
        user = PG_SYSTEM_USER
        return ["setpriv", f"--reuid={user}", f"--regid={user}", "--init-groups", *command]
    raise ServiceError("running as root, but neither runuser nor setpriv is installed to drop to 'postgres'")


def _pg_user_can_reach(path: Path) -> bool:
    if os.geteuid() != 0:
        return True
    result = subprocess.run(_as_pg_user(["test", "-x", str(path)]), check=False, timeout=15)
    return result.returncode == 0


def _private_pg_roots() -> list[Path]:
    """`.services/postgres`, or a /tmp folder when the 'postgres' user cannot walk into the checkout
    (a clone under /root, mode 0700): postgres must reach its own data directory."""
    digest = hashlib.sha256(str(REPO_ROOT).encode()).hexdigest()[:12]
    return [
        SERVICES_DIR / "postgres",
        Path(tempfile.gettempdir()) / f"pcc-portal-services-{digest}" / "postgres",
    ]


def _running_private_pg_port(root: Path) -> int | None:
    """The port of a private server started earlier from `root`, if its postmaster is alive."""
    pid_file = root / "data" / "postmaster.pid"
    try:
        lines = pid_file.read_text().splitlines()
        pid, port = int(lines[0]), int(lines[3])
    except (OSError, ValueError, IndexError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # alive, owned by another user (we are not root)
    return port


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_port(preferred: int) -> int:
    if _port_is_free(preferred):
        return preferred
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(command: list[str], *, cwd: Path | None = None, timeout: float = 120) -> None:
    log("$ " + shlex.join(command))
    result = subprocess.run(
        command, cwd=cwd, check=False, timeout=timeout, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    if result.returncode != 0:
        output = result.stdout.decode(errors="replace").strip()
        raise ServiceError(f"{command[0]} failed (exit {result.returncode}):\n{output}")


def start_private_pg(preferred_port: int) -> PgTarget:
    bin_dir = _pg_server_bin_dir()
    if bin_dir is None:
        raise ServiceError(f"no PostgreSQL server binaries (initdb, pg_ctl). Install them: {INSTALL_HINT}")
    for root in _private_pg_roots():
        port = _running_private_pg_port(root)
        if port is not None:
            target = PgTarget("127.0.0.1", port, "postgres", "", "pcc_portal")
            if pg_answers(target, bin_dir):
                log(f"reusing the private PostgreSQL in {root} (port {port})")
                return target

    if os.geteuid() == 0:
        try:
            pg_uid, pg_gid = pwd.getpwnam(PG_SYSTEM_USER)[2:4]
        except KeyError:
            raise ServiceError(
                f"running as root, and there is no '{PG_SYSTEM_USER}' user to run PostgreSQL. {INSTALL_HINT}"
            ) from None
    SERVICES_DIR.mkdir(exist_ok=True)
    root = _private_pg_roots()[0] if _pg_user_can_reach(SERVICES_DIR) else _private_pg_roots()[1]
    data, run_dir, log_file = root / "data", root / "run", root / "postgres.log"
    root.mkdir(parents=True, exist_ok=True)
    run_dir.mkdir(exist_ok=True)
    if os.geteuid() == 0:
        for path in (root, run_dir, *([data] if data.exists() else [])):
            os.chown(path, pg_uid, pg_gid)
    os.chmod(root, 0o700)

    if not (data / "PG_VERSION").is_file():
        log(f"creating a private PostgreSQL cluster in {data}")
        _run(
            _as_pg_user(
                [
                    str(bin_dir / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    "postgres",
                    "--auth=trust",  # bound to 127.0.0.1 and a private socket dir: test use only
                    "--encoding=UTF8",
                    "--locale=C",
                ]
            ),
            cwd=root,
        )
        with (data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write(
                "\n# Added by scripts/services.py: a throw-away test server, local only.\n"
                "listen_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{run_dir}'\n"
                # Durability buys nothing for a test database that is recreated every run.
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                "max_connections = 100\n"
            )

    port = _free_port(preferred_port)
    log(f"starting the private PostgreSQL on 127.0.0.1:{port}")
    _run(
        _as_pg_user(
            [
                str(bin_dir / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(log_file),
                "-o",
                f"-p {port}",
                "-w",
                "-t",
                str(START_TIMEOUT),
                "start",
            ]
        ),
        cwd=root,
        timeout=START_TIMEOUT + 30,
    )
    target = PgTarget("127.0.0.1", port, "postgres", "", "pcc_portal")
    if not pg_answers(target, bin_dir):
        raise ServiceError(f"the private PostgreSQL did not answer on port {port}; see {log_file}")
    return target


def stop_private_pg() -> None:
    bin_dir = _pg_server_bin_dir()
    for root in _private_pg_roots():
        if _running_private_pg_port(root) is None:
            continue
        if bin_dir is None:
            raise ServiceError(f"a private PostgreSQL runs from {root}, but pg_ctl is gone; stop it by pid")
        log(f"stopping the private PostgreSQL in {root}")
        pg_ctl = str(bin_dir / "pg_ctl")
        _run(_as_pg_user([pg_ctl, "-D", str(root / "data"), "-m", "fast", "-w", "stop"]), cwd=root)
        return
    log("no private PostgreSQL is running")


def pg_ensure_database(target: PgTarget) -> None:
    """Create the named database if missing; check that its user may create the test database."""
    psql = _psql_path(_pg_server_bin_dir())
    if psql is None:
        raise ServiceError(f"psql is not installed. Install it: {INSTALL_HINT}")
    env = {**os.environ, "PGCONNECT_TIMEOUT": "5"}
    if target.password:
        env["PGPASSWORD"] = target.password

    def query(sql: str, dbname: str) -> str:
        # The SQL goes on stdin so psql substitutes :'name' (literal) and :"name" (identifier) itself.
        command = [psql, "-X", "-w", "-q", "-v", "ON_ERROR_STOP=1", "-At", "-v", f"name={target.dbname}"]
        command += ["-h", target.host, "-p", str(target.port), "-U", target.user, "-d", dbname]
        result = subprocess.run(command, input=sql, env=env, check=False, timeout=30, capture_output=True, text=True)
        if result.returncode != 0:
            refusal = result.stderr.strip()
            raise ServiceError(f"{target.describe()} refused {target.user!r} on {dbname!r}: {refusal}")
        return result.stdout.strip()

    exists_sql = "SELECT 1 FROM pg_database WHERE datname = :'name';"
    maintenance_db = "postgres" if target.dbname != "postgres" else "template1"
    try:
        exists = query(exists_sql, maintenance_db)
    except ServiceError:
        maintenance_db = "template1"
        exists = query(exists_sql, maintenance_db)
    if exists != "1":
        log(f"creating database {target.dbname!r}")
        query('CREATE DATABASE :"name";', maintenance_db)
    may_create = query("SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user;", target.dbname)
    if may_create != "t":
        raise ServiceError(f"{target.user!r} may not create databases; pytest-django must create test_{target.dbname}")


# --------------------------------------------------------------------------------------------------
# Redis
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RedisTarget:
    host: str  # hostname/IP, or a unix socket path
    port: int
    password: str
    username: str

    @classmethod
    def from_url(cls, url: str) -> RedisTarget:
        parts = urlsplit(url)
        if parts.scheme == "unix":
            return cls(host=parts.path, port=0, password=unquote(parts.password or ""), username="")
        if parts.scheme != "redis":
            raise ServiceError(f"REDIS_URL must be redis:// or unix:// for the tests, not {parts.scheme}://")
        return cls(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 6379,
            password=unquote(parts.password or ""),
            username=unquote(parts.username or ""),
        )

    def describe(self) -> str:
        return f"Redis at {self.host}" + (f":{self.port}" if self.port else "")


def _resp(*words: str) -> bytes:
    encoded = [word.encode() for word in words]
    return f"*{len(encoded)}\r\n".encode() + b"".join(b"$%d\r\n%s\r\n" % (len(w), w) for w in encoded)


def redis_answers(target: RedisTarget, timeout: float = 3.0) -> bool:
    try:
        if target.port == 0:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(timeout)
            sock.connect(target.host)
        else:
            sock = socket.create_connection((target.host, target.port), timeout=timeout)
    except OSError:
        return False
    with sock:
        try:
            if target.password:
                credentials = (target.username, target.password) if target.username else (target.password,)
                sock.sendall(_resp("AUTH", *credentials))
                if not sock.recv(512).startswith(b"+OK"):
                    return False
            sock.sendall(_resp("PING"))
            return sock.recv(64).startswith(b"+PONG")
        except OSError:
            return False


def _redis_root() -> Path:
    return SERVICES_DIR / "redis"


def _private_redis_pid() -> int | None:
    try:
        pid = int((_redis_root() / "redis.pid").read_text().strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return None
    return pid if b"redis-server" in cmdline else None


def start_private_redis(preferred_port: int) -> RedisTarget:
    root = _redis_root()
    port_file = root / "port"
    if _private_redis_pid() is not None:
        with contextlib.suppress(OSError, ValueError):
            target = RedisTarget("127.0.0.1", int(port_file.read_text()), "", "")
            if redis_answers(target):
                log(f"reusing the private Redis in {root} (port {target.port})")
                return target
    server = shutil.which("redis-server")
    if server is None:
        raise ServiceError(f"redis-server is not installed. Install it: {INSTALL_HINT}")
    root.mkdir(parents=True, exist_ok=True)
    port = _free_port(preferred_port)
    log(f"starting the private Redis on 127.0.0.1:{port}")
    _run(
        [
            server,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",  # nothing on disk: the test data is disposable
            "--appendonly",
            "no",
            "--daemonize",
            "yes",
            "--dir",
            str(root),
            "--pidfile",
            str(root / "redis.pid"),
            "--logfile",
            str(root / "redis.log"),
        ]
    )
    port_file.write_text(str(port))
    target = RedisTarget("127.0.0.1", port, "", "")
    deadline = time.monotonic() + START_TIMEOUT
    while not redis_answers(target):
        if time.monotonic() > deadline:
            raise ServiceError(f"the private Redis did not answer on port {port}; see {root / 'redis.log'}")
        time.sleep(0.2)
    return target


def stop_private_redis() -> None:
    pid = _private_redis_pid()
    if pid is None:
        log("no private Redis is running")
        return
    log(f"stopping the private Redis (pid {pid})")
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 30
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    if Path(f"/proc/{pid}").exists():
        raise ServiceError(f"the private Redis (pid {pid}) did not stop within 30 s")
    (_redis_root() / "port").unlink(missing_ok=True)


# --------------------------------------------------------------------------------------------------
# Choosing, and the command line
# --------------------------------------------------------------------------------------------------


def pg_url(target: PgTarget) -> str:
    return f"postgres://postgres@127.0.0.1:{target.port}/{target.dbname}"


def choose_database_url(*, private: bool, port: int) -> str:
    from_env = os.environ.get("DATABASE_URL", "")
    if from_env and not private:
        target = PgTarget.from_url(from_env)
        if not pg_answers(target, _pg_server_bin_dir()):
            raise ServiceError(f"DATABASE_URL is set, but {target.describe()} does not answer")
        log(f"using DATABASE_URL from the environment ({target.describe()})")
        pg_ensure_database(target)
        return from_env
    if not private:
        target = PgTarget.from_url(DEFAULT_DATABASE_URL)
        if pg_answers(target, _pg_server_bin_dir()):
            log(f"using the machine's {target.describe()}")
            pg_ensure_database(target)
            return DEFAULT_DATABASE_URL
        log(f"no answer from {target.describe()}; falling back to a private server")
    target = start_private_pg(port)
    pg_ensure_database(target)
    return pg_url(target)


def choose_redis_url(*, private: bool, port: int) -> str:
    from_env = os.environ.get("REDIS_URL", "")
    if from_env and not private:
        target = RedisTarget.from_url(from_env)
        if not redis_answers(target):
            raise ServiceError(f"REDIS_URL is set, but {target.describe()} does not answer PING")
        log(f"using REDIS_URL from the environment ({target.describe()})")
        return from_env
    if not private:
        target = RedisTarget.from_url(DEFAULT_REDIS_URL)
        if redis_answers(target):
            log(f"using the machine's {target.describe()}")
            return DEFAULT_REDIS_URL
        log(f"no answer from {target.describe()}; falling back to a private server")
    target = start_private_redis(port)
    return f"redis://127.0.0.1:{target.port}/0"


@contextlib.contextmanager
def _lock():
    """Two `make test` runs at once must not both initdb the same folder."""
    SERVICES_DIR.mkdir(exist_ok=True)
    with (SERVICES_DIR / ".lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--env-file", type=Path, help="write the export lines here instead of to stdout")
    parser.add_argument("--private", action="store_true", help="skip the environment and the machine's servers")
    parser.add_argument("--stop", action="store_true", help="stop the private servers of this checkout")
    parser.add_argument("--pg-port", type=int, default=PRIVATE_PG_PORT, help="preferred private PG port")
    parser.add_argument("--redis-port", type=int, default=PRIVATE_REDIS_PORT, help="preferred private Redis port")
    args = parser.parse_args(argv)
    try:
        with _lock():
            if args.stop:
                stop_private_pg()
                stop_private_redis()
                return 0
            urls = {
                "DATABASE_URL": choose_database_url(private=args.private, port=args.pg_port),
                "REDIS_URL": choose_redis_url(private=args.private, port=args.redis_port),
            }
    except ServiceError as error:
        log(f"error: {error}")
        return 1
    lines = "".join(f"export {name}={shlex.quote(value)}\n" for name, value in urls.items())
    if args.env_file:
        args.env_file.parent.mkdir(parents=True, exist_ok=True)
        args.env_file.write_text(lines)
        log(f"wrote {args.env_file}")
    else:
        sys.stdout.write(lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
