"""Real `celery worker` subprocesses on a real Redis broker, reading the test database.

`worker_queue`: one worker on the machine's Redis, consuming a queue of its own.
`private_broker` + `notice_workers`: a redis-server of the test's own (it may be stopped and started
again without touching the shared one), the app in this process pointed at it, and workers started
with the settings overrides a test gives them in their environment.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import kombu.pools
import pytest
import redis
from django.conf import settings
from django.db import connection

from pcc_portal.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def wait_for(predicate, *, timeout: float = 30.0, what: str = "condition", interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")


@dataclass
class Worker:
    process: subprocess.Popen
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while "ready." not in self.log_text():
            assert self.process.poll() is None, f"worker exited early:\n{self.log_text()}"
            assert time.monotonic() < deadline, f"worker not ready in {timeout} s:\n{self.log_text()}"
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL to the worker and its pool processes, as a crash of its machine would: no warm
        shutdown, no acknowledgement, nothing given back to the broker."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # warm shutdown: the pool processes end with it
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def _worker_start(
    *, log: Path, broker_url: str, queue: str | None = None, env: dict | None = None, pool: str = "solo"
) -> Worker:
    environment = os.environ | {
        "DJANGO_SETTINGS_MODULE": "pcc_portal.settings.test",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": broker_url,
        **(env or {}),
    }
    # prefork with one process, as deployed: the task runs in a child, so the worker's own loop
    # acknowledges (early) or not (acks_late) while it runs; "solo" would hold every ack to the end.
    pool_options = ["--pool=prefork", "--concurrency=1"] if pool == "prefork" else ["--pool=solo"]
    command = [sys.executable, "-m", "celery", "-A", "pcc_portal", "worker", *pool_options]
    command += ["-Q", queue] if queue else []
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"]
    with log.open("w") as log_file:
        process = subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
        )
    return Worker(process=process, log=log)


@pytest.fixture
def worker_queue(transactional_db, tmp_path):
    """Start a worker consuming a queue of its own; yield the queue name; stop the worker."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    worker = _worker_start(log=tmp_path / "worker.log", broker_url=settings.CELERY_BROKER_URL, queue=queue)
    try:
        worker.wait_ready()
        eager = celery_app.conf.task_always_eager
        celery_app.conf.task_always_eager = False
        yield queue
    finally:
        celery_app.conf.task_always_eager = eager if "eager" in locals() else True
        worker.stop()
        connection.close()  # the worker's connection to the test database is gone; drop ours cleanly


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A redis-server of one test, without persistence: stopping it loses what it held, as a broker
    that crashed would."""

    def __init__(self, directory: Path):
        self.port = _free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        command += ["--appendonly", "no", "--daemonize", "no", "--dir", str(self.directory)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.5)

        def answers() -> bool:
            assert self.process.poll() is None, "redis-server exited"
            try:
                return bool(client.ping())
            except redis.ConnectionError:
                return False

        wait_for(answers, timeout=10, what="the private redis-server", interval=0.05)
        client.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()  # a crash, not a clean shutdown
            self.process.wait(timeout=10)


def _producer_pools_reset() -> None:
    """Drop this process's pooled broker connections so the next publish connects to the broker now
    configured (kombu keeps one pool per connection URL)."""
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    # kombu's global registry keeps a producer pool per connection, bound to the pool just closed.
    kombu.pools.reset()


@pytest.fixture
def private_broker(transactional_db, tmp_path):
    """A redis-server of this test; this process publishes to it, not eagerly, until the test ends."""
    server = RedisServer(tmp_path)
    server.start()
    conf = celery_app.conf
    saved = {"broker_url": conf.broker_url, "task_always_eager": conf.task_always_eager}
    conf.broker_url = server.url
    conf.task_always_eager = False
    _producer_pools_reset()
    try:
        yield server
    finally:
        for name, value in saved.items():
            setattr(conf, name, value)
        _producer_pools_reset()
        server.stop()


@pytest.fixture
def notice_workers(private_broker, tmp_path):
    """Start workers on the private broker's default queue: `start(count, **env)` → list of Worker.
    Every worker is stopped when the test ends."""
    workers: list[Worker] = []

    def start(count: int = 1, **env) -> list[Worker]:
        started = [
            _worker_start(
                log=tmp_path / f"worker-{len(workers) + n}.log",
                broker_url=private_broker.url,
                pool="prefork",
                # The test settings run tasks in-process; these workers queue what they queue (a retry
                # with its countdown) on the broker, as in production.
                env={"CELERY_TASK_ALWAYS_EAGER": "false"} | {name: str(value) for name, value in env.items()},
            )
            for n in range(count)
        ]
        workers.extend(started)
        for worker in started:
            worker.wait_ready()
        return started

    try:
        yield start
    finally:
        for worker in workers:  # all warm shutdowns at once, then wait for each
            if worker.process.poll() is None:
                worker.process.terminate()
        for worker in workers:
            worker.stop()
        connection.close()  # the workers' connections to the test database are gone; drop ours cleanly
