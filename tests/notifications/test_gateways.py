"""The file, in-memory and console SMS gateways (issue 6): one message per idempotency key, even when
several workers send at once; never a full code or registration number in a body (DOMAIN.md §8); the
console shows the number masked."""

import json
import multiprocessing
import threading

import pytest

from notifications.gateways import SmsRefused, get_sms_gateway
from notifications.gateways.console import ConsoleGateway
from notifications.gateways.file import FileGateway, file_messages
from notifications.gateways.memory import MemoryGateway

TO = "+821031234567"
BODY = "[PCC] 통관부호(P26******5678)가 발급되었습니다."
FULL_CODE_BODY = "[PCC] Your code P261234565678 was issued."
THREADS = 8
ROUNDS = 10


@pytest.fixture
def sms_file(tmp_path, settings):
    path = tmp_path / "sms" / "outbox.jsonl"  # the folder does not exist yet: the gateway makes it
    settings.SMS_FILE_PATH = path
    return path


def _at_once(count: int, send) -> list:
    """Run send(n) in `count` threads released together; return what each returned."""
    barrier = threading.Barrier(count)
    results: list = [None] * count
    errors: list = []

    def run(n):
        try:
            barrier.wait(timeout=10)
            results[n] = send(n)
        except Exception as error:  # reported below, with the thread number
            errors.append((n, error))

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    return results


def _send_from_a_process(path, key, start, answers):
    start.wait(timeout=10)
    answers.put(FileGateway(path).send(to=TO, body=BODY, idempotency_key=key))


# --- File -------------------------------------------------------------------------------------------


def test_the_file_backend_is_chosen_by_settings_and_writes_to_sms_file_path(settings, sms_file):
    settings.SMS_BACKEND = "file"

    gateway = get_sms_gateway()

    assert isinstance(gateway, FileGateway) and gateway.path == sms_file


def test_the_file_gateway_writes_one_json_line_per_message(sms_file):
    gateway = FileGateway()

    first = gateway.send(to=TO, body=BODY, idempotency_key="event:1:sms")
    second = gateway.send(to="+821098765432", body="[PCC] second", idempotency_key="event:2:sms")

    lines = sms_file.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    assert "통관부호" in lines[0]  # readable UTF-8, not \\u escapes
    messages = [json.loads(line) for line in lines]
    assert messages == file_messages(sms_file) == file_messages()
    assert [m["id"] for m in messages] == [first, second] and first != second
    assert messages[0] | {"at": None} == {
        "id": first,
        "to": TO,
        "body": BODY,
        "idempotency_key": "event:1:sms",
        "at": None,
    }
    assert messages[0]["at"]


def test_the_file_gateway_sends_once_per_idempotency_key(sms_file):
    first = FileGateway().send(to=TO, body=BODY, idempotency_key="event:1:sms")

    again = FileGateway().send(to=TO, body="[PCC] a retried task", idempotency_key="event:1:sms")

    assert again == first
    [message] = file_messages(sms_file)
    assert message["body"] == BODY


def test_eight_threads_sending_the_same_key_write_one_line(sms_file):
    # Several rounds: a race between reading the file and appending to it shows up in one of them.
    for round_ in range(ROUNDS):
        key = f"event:{round_}:sms"
        ids = _at_once(THREADS, lambda n, key=key: FileGateway(sms_file).send(to=TO, body=BODY, idempotency_key=key))

        [message] = [m for m in file_messages(sms_file) if m["idempotency_key"] == key]
        assert set(ids) == {message["id"]}
    assert len(file_messages(sms_file)) == ROUNDS


def test_eight_threads_sending_eight_keys_write_eight_whole_lines(sms_file):
    for round_ in range(ROUNDS):
        _at_once(
            THREADS,
            lambda n, round_=round_: FileGateway(sms_file).send(
                to=TO, body=f"{BODY} {n}", idempotency_key=f"event:{round_}-{n}:sms"
            ),
        )

    messages = file_messages(sms_file)  # every line parses: no two writes interleaved
    assert len(messages) == ROUNDS * THREADS
    assert len({m["idempotency_key"] for m in messages}) == ROUNDS * THREADS
    assert len({m["id"] for m in messages}) == ROUNDS * THREADS


def test_processes_sending_the_same_key_write_one_line(sms_file):
    context = multiprocessing.get_context("fork")
    start, answers = context.Event(), context.Queue()
    processes = [
        context.Process(target=_send_from_a_process, args=(sms_file, "event:9:sms", start, answers)) for _ in range(4)
    ]
    for process in processes:
        process.start()
    start.set()
    for process in processes:
        process.join(timeout=30)

    assert [process.exitcode for process in processes] == [0] * 4
    [message] = file_messages(sms_file)
    assert {answers.get(timeout=5) for _ in processes} == {message["id"]}


@pytest.mark.parametrize(
    ("to", "body"),
    [(TO, FULL_CODE_BODY), (TO, "[PCC] 900101-5123456"), (TO, ""), ("010-3123-4567", BODY)],
)
def test_the_file_gateway_refuses_a_full_code_or_number_and_writes_nothing(sms_file, to, body):
    with pytest.raises(SmsRefused) as refused:
        FileGateway().send(to=to, body=body, idempotency_key="event:1:sms")

    assert file_messages(sms_file) == []
    if body:
        assert body not in str(refused.value)


def test_reading_a_file_not_yet_written_gives_no_messages(sms_file):
    assert file_messages(sms_file) == []


# --- Memory -----------------------------------------------------------------------------------------


def test_the_memory_backend_is_chosen_by_settings(memory_sms):
    assert isinstance(get_sms_gateway(), MemoryGateway)


def test_the_memory_gateway_sends_once_per_idempotency_key(memory_sms):
    first = MemoryGateway().send(to=TO, body=BODY, idempotency_key="event:1:sms")
    again = MemoryGateway().send(to=TO, body="[PCC] a retried task", idempotency_key="event:1:sms")
    other = MemoryGateway().send(to=TO, body=BODY, idempotency_key="event:2:sms")

    assert again == first and other != first
    assert [(m["idempotency_key"], m["body"]) for m in memory_sms] == [("event:1:sms", BODY), ("event:2:sms", BODY)]


def test_eight_threads_sending_the_same_key_to_memory_keep_one_message(memory_sms):
    ids = _at_once(THREADS, lambda n: MemoryGateway().send(to=TO, body=BODY, idempotency_key="event:7:sms"))

    [message] = memory_sms
    assert set(ids) == {message["id"]}


def test_the_memory_gateway_refuses_a_full_code(memory_sms):
    with pytest.raises(SmsRefused):
        MemoryGateway().send(to=TO, body=FULL_CODE_BODY, idempotency_key="event:1:sms")

    assert memory_sms == []


# --- Console ----------------------------------------------------------------------------------------


def test_the_console_gateway_prints_the_number_masked(capsys, settings):
    settings.SMS_BACKEND = "console"

    message_id = get_sms_gateway().send(to=TO, body=BODY, idempotency_key="event:1:sms")

    printed = capsys.readouterr().out
    assert "010-****-4567" in printed
    assert BODY in printed and "event:1:sms" in printed
    for form in ("31234567", "3123-4567", TO):
        assert form not in printed
    assert message_id.startswith("console-")


def test_the_console_gateway_refuses_a_full_code_and_prints_nothing(capsys):
    with pytest.raises(SmsRefused):
        ConsoleGateway().send(to=TO, body=FULL_CODE_BODY, idempotency_key="event:1:sms")

    assert capsys.readouterr().out == ""
