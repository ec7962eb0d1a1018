"""API clients: keys shown once and stored hashed, the command, the admin, the call log's guard."""

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import DatabaseError, transaction
from django.utils import timezone

from clearance.models import ApiClient, CheckResult, CodeCheck
from clearance.selectors import api_client_by_key
from clearance.services import api_client_create

pytestmark = pytest.mark.django_db


def test_key_is_stored_only_as_its_hash(forwarder, api_key):
    stored = str(list(ApiClient.objects.values()))
    assert api_key not in stored
    assert forwarder.key_hash == hashlib.sha256(api_key.encode()).hexdigest()
    assert api_client_by_key(api_key) == forwarder


@pytest.mark.parametrize(("scopes", "rate"), [(["verify", "admin"], ""), ([], ""), (["verify"], "lots")])
def test_unknown_scopes_and_bad_rates_are_refused(scopes, rate):
    with pytest.raises(ValidationError):
        api_client_create(name="Bad", scopes=scopes, rate_limit=rate)


def test_command_prints_the_key_once_and_it_works(capsys):
    call_command("create_api_client", "Forwarder Lee", "--scopes", "verify,declare")
    output = capsys.readouterr().out
    key = output.split("store it now): ")[1].strip()
    client = api_client_by_key(key)
    assert client.name == "Forwarder Lee" and client.scopes == ["declare", "verify"]
    with pytest.raises(CommandError, match="verify, declare, bulk"):
        call_command("create_api_client", "Other", "--scopes", "everything")


def test_call_log_can_be_sealed_once_but_not_edited_or_deleted(forwarder):
    check = CodeCheck.objects.create(
        client=forwarder, occurred_at=timezone.now(), channel="api", result=CheckResult.MISMATCH
    )
    CodeCheck.objects.filter(pk=check.pk).update(sealed=True)
    for change in ({"result": CheckResult.MATCH}, {"sealed": False}):
        with pytest.raises(DatabaseError), transaction.atomic():
            CodeCheck.objects.filter(pk=check.pk).update(**change)
    with pytest.raises(DatabaseError), transaction.atomic():
        CodeCheck.objects.filter(pk=check.pk).delete()
