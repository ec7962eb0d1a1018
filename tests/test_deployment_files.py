"""The deployment files refer only to things that exist, and the dev scripts keep their promises.

docker-compose.yml, the Dockerfile, .ci/run, the Makefile and .env.example are checked against the code:
every command the containers run names an installed program, a real Django management command, an
importable Celery app or WSGI callable. No database is used; the only sockets are fake servers on
127.0.0.1.
"""

from __future__ import annotations

import base64
import importlib
import importlib.util
import json
import os
import re
import shlex
import shutil
import socket
import stat
import subprocess
import sys
import threading
from pathlib import Path

import click
import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parent.parent
COMPOSE_FILE = REPO / "docker-compose.yml"
DOCKERFILE = REPO / "Dockerfile"
APP_SERVICES = ("migrate", "web", "worker", "beat")
# What production settings refuse to start without, beyond what compose sets itself; .env.production
# (documented in the compose file's header) must provide them.
PRODUCTION_VARIABLES = (
    "DJANGO_SECRET_KEY",
    "PCC_MASTER_KEYS",
    "PCC_BLIND_INDEX_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "SECURE_SSL_REDIRECT",
    "POSTGRES_PASSWORD",
)
# Read by Django itself, not by our settings through django-environ, so .env.example need not list it.
NOT_SETTINGS_VARIABLES = {"DJANGO_SETTINGS_MODULE"}


def _load_script(name: str):
    """A stdlib-only script from scripts/ (not a package), imported by path."""
    module_name = f"scripts_{name}"
    if module_name not in sys.modules:
        spec = importlib.util.spec_from_file_location(module_name, REPO / "scripts" / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module  # dataclasses resolve annotations through sys.modules
        spec.loader.exec_module(module)
    return sys.modules[module_name]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def dockerfile() -> list[tuple[str, str]]:
    """The Dockerfile's instructions as (INSTRUCTION, arguments), continuation lines joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    instructions = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            instructions.append((keyword.upper(), rest.strip()))
    return instructions


def _command(service: dict) -> list[str]:
    command = service["command"]
    return shlex.split(command) if isinstance(command, str) else list(command)


def _exec_form(arguments: str) -> list[str]:
    """CMD in JSON (exec) form: the shell form would put /bin/sh in front and swallow SIGTERM."""
    return json.loads(arguments)


def _healthcheck_command(dockerfile_instructions) -> list[str]:
    (arguments,) = [rest for keyword, rest in dockerfile_instructions if keyword == "HEALTHCHECK"]
    _, _, command = arguments.partition(" CMD ")
    assert command, "HEALTHCHECK must run a command (CMD [...])"
    return json.loads(command)


def _collectstatic_run(dockerfile_instructions) -> tuple[dict[str, str], list[str]]:
    """The env assignments and the command of the Dockerfile's collectstatic RUN line."""
    (arguments,) = [rest for keyword, rest in dockerfile_instructions if keyword == "RUN" and "collectstatic" in rest]
    first_command = arguments.split("&&")[0]
    env, command = {}, []
    for word in shlex.split(first_command):
        name, equals, value = word.partition("=")
        if equals and not command and re.fullmatch(r"[A-Z_][A-Z0-9_]*", name):
            env[name] = value
        else:
            command.append(word)
    return env, command


# --- every command refers to something that exists --------------------------------------------------


def assert_program_installed(program: str) -> None:
    if program == "python":
        return  # the interpreter running these tests; the image has its own
    venv_bin = Path(sys.prefix) / "bin" / program
    assert venv_bin.is_file() or shutil.which(program), f"{program!r} is not installed in {sys.prefix}"


def assert_manage_py_command(arguments: list[str]) -> None:
    from django.core.management import get_commands, load_command_class

    assert arguments[0] == "manage.py", arguments
    name, options = arguments[1], arguments[2:]
    commands = get_commands()
    assert name in commands, f"manage.py {name}: no such management command"
    parser = load_command_class(commands[name], name).create_parser("manage.py", name)
    parser.parse_args(options)  # exits (SystemExit) on an option the command does not know


def assert_celery_command(arguments: list[str]) -> None:
    from celery import Celery
    from celery.app.utils import find_app
    from celery.bin.base import CLIContext
    from celery.bin.celery import celery as celery_cli

    assert arguments[0] in {"-A", "--app"}, f"celery needs -A <app> first: {arguments}"
    app = find_app(arguments[1])
    assert isinstance(app, Celery), f"-A {arguments[1]} is not a Celery app: {app!r}"
    subcommand, options = arguments[2], arguments[3:]
    context = click.Context(celery_cli, info_name="celery", obj=CLIContext(app=app, no_color=True, workdir=None))
    command = celery_cli.get_command(context, subcommand)
    assert command is not None, f"celery {subcommand}: no such command"
    command.make_context(subcommand, list(options), parent=context)  # raises on an unknown option


def assert_gunicorn_command(arguments: list[str]) -> None:
    from gunicorn.config import Config

    parsed = Config().parser().parse_args(arguments)  # exits (SystemExit) on an unknown option
    (app_path,) = parsed.args
    module_name, _, attribute = app_path.partition(":")
    application = getattr(importlib.import_module(module_name), attribute or "application")
    assert callable(application), f"{app_path} is not a WSGI callable"


def assert_command_exists(command: list[str]) -> None:
    program, arguments = command[0], command[1:]
    assert_program_installed(program)
    if program == "python" and arguments[:1] == ["manage.py"]:
        assert_manage_py_command(arguments)
    elif program == "python" and arguments[:1] == ["-c"]:
        compile(arguments[1], "<healthcheck>", "exec")
    elif program == "celery":
        assert_celery_command(arguments)
    elif program == "gunicorn":
        assert_gunicorn_command(arguments)
    else:
        pytest.fail(f"no check written for {shlex.join(command)}; add one")


# --- docker-compose.yml -----------------------------------------------------------------------------


def test_compose_defines_backing_services_and_one_image_for_the_app(compose):
    services = compose["services"]
    assert {"postgres", "redis", *APP_SERVICES} <= services.keys()
    assert services["postgres"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")
    builds = {json.dumps(services[name]["build"], sort_keys=True) for name in APP_SERVICES}
    images = {services[name]["image"] for name in APP_SERVICES}
    assert len(builds) == 1 and len(images) == 1, "web, worker, beat and migrate must share one image"
    assert services["web"]["build"]["dockerfile"] == "Dockerfile"


def test_compose_app_services_run_production_settings_against_the_compose_servers(compose):
    for name in APP_SERVICES:
        environment = compose["services"][name]["environment"]
        assert environment["DJANGO_SETTINGS_MODULE"] == "pcc_portal.settings.production", name
        assert re.fullmatch(r"postgres://[^@]+@postgres:5432/\w+", environment["DATABASE_URL"]), name
        assert environment["REDIS_URL"].startswith("redis://redis:6379/"), name
        assert compose["services"][name]["env_file"] == [".env.production"], name


def test_compose_healthchecks_use_each_servers_own_probe(compose):
    services = compose["services"]
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert services["redis"]["healthcheck"]["test"][-2:] == ["redis-cli", "ping"]
    web_check = services["web"]["healthcheck"]["test"]
    assert web_check[0] == "CMD" and "/healthz" in web_check[-1]
    assert_command_exists(web_check[1:])
    worker_check = services["worker"]["healthcheck"]["test"]
    assert worker_check[0] == "CMD-SHELL"
    assert_command_exists(shlex.split(worker_check[1].replace("$$HOSTNAME", "celery-host")))
    # The image's HTTP healthcheck would mark processes without an HTTP server unhealthy.
    assert services["beat"]["healthcheck"] == {"disable": True}
    assert services["migrate"]["healthcheck"] == {"disable": True}


def test_compose_app_starts_only_after_migrate_succeeded(compose):
    services = compose["services"]
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}, name
    assert services["migrate"]["depends_on"]["postgres"] == {"condition": "service_healthy"}
    assert services["migrate"]["restart"] == "no"
    for name, service in services.items():
        for dependency, rule in service.get("depends_on", {}).items():
            if rule["condition"] == "service_healthy":
                assert "healthcheck" in services[dependency], f"{name} waits on {dependency}'s missing healthcheck"


def test_compose_keeps_postgres_data_on_a_named_volume(compose):
    (volume,) = compose["services"]["postgres"]["volumes"]
    name, _, target = volume.partition(":")
    assert target == "/var/lib/postgresql/data"
    assert name in compose["volumes"]


@pytest.mark.parametrize("service", APP_SERVICES)
def test_compose_command_refers_to_things_that_exist(compose, service):
    assert_command_exists(_command(compose["services"][service]))


def test_compose_runs_the_expected_processes(compose):
    services = compose["services"]
    assert _command(services["migrate"]) == ["python", "manage.py", "migrate", "--noinput"]
    assert _command(services["web"])[:2] == ["gunicorn", "pcc_portal.wsgi:application"]
    assert _command(services["worker"]) == ["celery", "-A", "pcc_portal", "worker", "--loglevel=INFO"]
    assert _command(services["beat"])[:4] == ["celery", "-A", "pcc_portal", "beat"]


def test_beat_schedule_names_only_registered_tasks():
    from django.conf import settings

    from pcc_portal.celery import app

    app.loader.import_default_modules()  # the autodiscovery a worker does at start
    for entry, schedule in settings.CELERY_BEAT_SCHEDULE.items():
        assert schedule["task"] in app.tasks, f"beat entry {entry!r}: task {schedule['task']!r} is not registered"


# --- Dockerfile and .dockerignore ---------------------------------------------------------------------


def test_dockerfile_builds_from_python_311_slim_and_runs_as_a_non_root_user(dockerfile):
    assert dockerfile[0] == ("FROM", "python:3.11-slim-bookworm")
    users = [rest for keyword, rest in dockerfile if keyword == "USER"]
    assert users and users[-1] not in {"root", "0"}, "the container must not run as root"
    keywords = [keyword for keyword, _ in dockerfile]
    assert keywords.index("USER") < keywords.index("CMD")
    assert ("EXPOSE", "8000") in dockerfile


def test_dockerfile_installs_runtime_dependencies_with_the_constraints(dockerfile):
    installs = [rest for keyword, rest in dockerfile if keyword == "RUN" and "pip install" in rest]
    assert installs and all("-c requirements/constraints.txt" in rest for rest in installs)
    assert not any("[dev]" in rest for rest in installs), "the image takes runtime dependencies only"


def test_dockerfile_cmd_serves_the_wsgi_application_with_gunicorn(dockerfile):
    (arguments,) = [rest for keyword, rest in dockerfile if keyword == "CMD"]
    command = _exec_form(arguments)
    assert command[:2] == ["gunicorn", "pcc_portal.wsgi:application"]
    assert "0.0.0.0:8000" in command
    assert_command_exists(command)


def test_dockerfile_healthcheck_asks_healthz(dockerfile):
    command = _healthcheck_command(dockerfile)
    assert "/healthz" in command[-1]
    assert_command_exists(command)


def test_dockerfile_collectstatic_keys_are_well_formed_throwaways(dockerfile):
    from personal_data.keyring import parse_blind_index_key, parse_master_keys

    env, command = _collectstatic_run(dockerfile)
    assert command == ["python", "manage.py", "collectstatic", "--noinput"]
    assert env["DJANGO_SETTINGS_MODULE"] == "pcc_portal.settings.local"
    parse_master_keys(env["PCC_MASTER_KEYS"])
    parse_blind_index_key(env["PCC_BLIND_INDEX_KEY"])
    secrets = [rest for keyword, rest in dockerfile if keyword in {"ENV", "ARG"} and "KEY" in rest]
    assert not secrets, "build-time keys must stay on the RUN line, never in the image's ENV"


def _dockerignore_rules() -> list[tuple[bool, re.Pattern[str]]]:
    """.dockerignore as (negated, regex) rules, in Docker's meaning: patterns are rooted at the
    context, `*` stays within one path segment, `**/` spans any number of them."""
    rules = []
    for line in (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        pattern = line.removeprefix("!").strip("/")
        regex, i = "", 0
        while i < len(pattern):
            if pattern.startswith("**/", i):
                regex, i = regex + "(?:.*/)?", i + 3
            elif pattern.startswith("**", i):
                regex, i = regex + ".*", i + 2
            elif pattern[i] == "*":
                regex, i = regex + "[^/]*", i + 1
            elif pattern[i] == "?":
                regex, i = regex + "[^/]", i + 1
            else:
                regex, i = regex + re.escape(pattern[i]), i + 1
        rules.append((negated, re.compile(regex + r"\Z")))
    return rules


def _dockerignored(relative: str, rules) -> bool:
    """A path is out of the context if it, or a folder above it, matches; the last matching rule wins."""
    parts = relative.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    excluded = False
    for negated, regex in rules:
        if any(regex.match(prefix) for prefix in prefixes):
            excluded = not negated
    return excluded


def _copy_build_context(destination: Path) -> None:
    rules = _dockerignore_rules()
    for folder, subfolders, files in os.walk(REPO):
        relative_folder = Path(folder).relative_to(REPO)
        subfolders[:] = [d for d in subfolders if not _dockerignored((relative_folder / d).as_posix(), rules)]
        for name in files:
            relative = (relative_folder / name).as_posix()
            if not _dockerignored(relative, rules):
                (destination / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(REPO / relative, destination / relative)


def test_dockerignore_keeps_secrets_and_local_state_out_but_the_app_in():
    rules = _dockerignore_rules()
    for path in (
        ".env",
        ".env.production",
        ".venv/bin/python",
        ".git/HEAD",
        "db.sqlite3",
        ".services/env.sh",
    ):
        assert _dockerignored(path, rules), f"{path} must not be sent to the Docker build"
    for path in (
        "manage.py",
        "pyproject.toml",
        "requirements/constraints.txt",
        "pcc_portal/wsgi.py",
        ".env.example",
    ):
        assert not _dockerignored(path, rules), f"{path} is needed in the image"
    for folder in ("templates", "static", "locale"):
        assert not _dockerignored(f"{folder}/x", rules), f"{folder}/ is needed in the image"


def test_dockerfile_collectstatic_step_succeeds_on_the_build_context(dockerfile, tmp_path):
    """The image build's collectstatic, run as the Dockerfile runs it: on the files .dockerignore lets
    through (no .env), with only the RUN line's throw-away environment."""
    env, command = _collectstatic_run(dockerfile)
    context = tmp_path / "app"
    _copy_build_context(context)
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "LANG": "C.UTF-8", **env}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'collectstatic.sqlite3'}"
    result = subprocess.run(
        [sys.executable, *command[1:]], cwd=context, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (context / "staticfiles" / "staticfiles.json").is_file(), "collectstatic wrote outside the context"


# --- CI, Makefile, constraints, .env.example -----------------------------------------------------------


def test_ci_runs_make_test_and_stops_at_the_first_failure():
    ci = REPO / ".ci" / "run"
    assert ci.stat().st_mode & stat.S_IXUSR, ".ci/run must be executable"
    lines = [line.strip() for line in ci.read_text(encoding="utf-8").splitlines()]
    assert "set -euo pipefail" in lines
    assert lines[-1] == "make test", "CI must run exactly what developers run"


def test_makefile_has_the_interface_targets():
    result = subprocess.run(
        ["make", "-n", "-C", str(REPO), "run", "test", "lint", "format", "bench", "clean", "services-stop"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "pytest" in result.stdout and "scripts/services.py" in result.stdout


def test_constraints_pin_every_dependency_within_pyproject_ranges():
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = {}
    for line in (REPO / "requirements" / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[canonicalize_name(name)] = version
    for dependency in [*project["dependencies"], *project["optional-dependencies"]["dev"]]:
        requirement = Requirement(dependency)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} has no pin; run `make constraints`"
        assert requirement.specifier.contains(pins[name]), f"{name}=={pins[name]} is outside {requirement}"
        if "binary" in requirement.extras:  # psycopg[binary] pulls psycopg-binary
            assert f"{name}-binary" in pins, f"{name}-binary has no pin; run `make constraints`"


def test_env_example_lists_every_variable_the_deployment_files_use(compose, dockerfile):
    compose_text = COMPOSE_FILE.read_text(encoding="utf-8")
    used = set(re.findall(r"(?<!\$)\$\{([A-Z_][A-Z0-9_]*)", compose_text))
    for name in APP_SERVICES:
        used |= set(compose["services"][name]["environment"])
    used |= set(_collectstatic_run(dockerfile)[0])
    used |= set(PRODUCTION_VARIABLES)
    used -= NOT_SETTINGS_VARIABLES
    for variable in PRODUCTION_VARIABLES:
        assert variable in compose_text, f"the compose header must say .env.production needs {variable}"
    example = (REPO / ".env.example").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\s*#?\s*(?:export\s+)?([A-Z][A-Z0-9_]*)=", example, flags=re.MULTILINE))
    assert not used - listed, f".env.example does not list {sorted(used - listed)}"


# --- scripts/make_dotenv.py -----------------------------------------------------------------------------


def _run_make_dotenv(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(REPO / "scripts" / "make_dotenv.py"), "--path", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


def _read_dotenv(path: Path, monkeypatch) -> dict[str, str]:
    import environ

    parsed: dict[str, str] = {}
    monkeypatch.setattr(environ.Env, "ENVIRON", parsed)  # read_env writes here instead of os.environ
    environ.Env.read_env(str(path), overwrite=True)
    return parsed


def test_make_dotenv_writes_fresh_well_formed_keys_readable_by_django_environ(tmp_path, monkeypatch):
    from personal_data.keyring import parse_blind_index_key, parse_master_keys

    path = tmp_path / ".env"
    result = _run_make_dotenv(path)
    assert "wrote" in result.stdout
    assert stat.S_IMODE(path.stat().st_mode) == 0o600, "the file holds secrets"
    values = _read_dotenv(path, monkeypatch)
    assert set(values) == {"DJANGO_SECRET_KEY", "PCC_MASTER_KEYS", "PCC_BLIND_INDEX_KEY", "DEBUG"}
    assert len(values["DJANGO_SECRET_KEY"]) >= 50
    assert re.fullmatch(r"[A-Za-z0-9_-]+", values["DJANGO_SECRET_KEY"])
    key_id, _, secret = values["PCC_MASTER_KEYS"].partition(":")
    assert re.fullmatch(r"dev-\d{8}", key_id)
    assert len(base64.b64decode(secret, validate=True)) == 32
    assert len(base64.b64decode(values["PCC_BLIND_INDEX_KEY"], validate=True)) == 32
    assert values["DEBUG"] == "true"
    parse_master_keys(values["PCC_MASTER_KEYS"])  # the parser production uses accepts them
    parse_blind_index_key(values["PCC_BLIND_INDEX_KEY"])

    other = tmp_path / "other.env"
    _run_make_dotenv(other)
    assert _read_dotenv(other, monkeypatch)["PCC_MASTER_KEYS"] != values["PCC_MASTER_KEYS"], "keys must be random"


def test_make_dotenv_never_overwrites_an_existing_file(tmp_path):
    path = tmp_path / ".env"
    path.write_text("DJANGO_SECRET_KEY=keep-me\n", encoding="utf-8")
    result = _run_make_dotenv(path)
    assert "already exists" in result.stdout
    assert path.read_text(encoding="utf-8") == "DJANGO_SECRET_KEY=keep-me\n"


# --- scripts/services.py: "answers" means a protocol reply ------------------------------------------------


def _serve_once(reply: bytes) -> tuple[int, threading.Thread]:
    """A one-connection fake server on 127.0.0.1 that reads one request and sends `reply`."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)

    def serve():
        with server:
            connection, _ = server.accept()
            with connection:
                connection.recv(1024)
                connection.sendall(reply)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return server.getsockname()[1], thread


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_services_redis_answers_only_on_pong():
    services = _load_script("services")
    port, thread = _serve_once(b"+PONG\r\n")
    assert services.redis_answers(services.RedisTarget("127.0.0.1", port, "", ""))
    thread.join(5)
    port, thread = _serve_once(b"-ERR unknown command\r\n")
    assert not services.redis_answers(services.RedisTarget("127.0.0.1", port, "", ""))
    thread.join(5)
    assert not services.redis_answers(services.RedisTarget("127.0.0.1", _closed_port(), "", ""))


def test_services_postgres_handshake_needs_a_postgres_reply():
    services = _load_script("services")
    port, thread = _serve_once(b"N")  # PostgreSQL's answer to SSLRequest when TLS is off
    assert services._pg_protocol_answers(services.PgTarget("127.0.0.1", port, "postgres", "", "x"))
    thread.join(5)
    port, thread = _serve_once(b"HTTP/1.1 400 Bad Request\r\n\r\n")
    assert not services._pg_protocol_answers(services.PgTarget("127.0.0.1", port, "postgres", "", "x"))
    thread.join(5)


def test_services_reads_database_urls_as_django_environ_does():
    services = _load_script("services")
    target = services.PgTarget.from_url("postgres://app:s%40cret@db.internal:6543/pcc")
    assert (target.host, target.port, target.user, target.password, target.dbname) == (
        "db.internal",
        6543,
        "app",
        "s@cret",
        "pcc",
    )
    socket_target = services.PgTarget.from_url("postgres://postgres@%2Fvar%2Frun%2Fpostgresql/pcc_portal")
    assert socket_target.host == "/var/run/postgresql" and socket_target.is_socket
    with pytest.raises(services.ServiceError):
        services.PgTarget.from_url("sqlite:///db.sqlite3")
