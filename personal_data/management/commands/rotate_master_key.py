from django.core.management.base import BaseCommand

from personal_data.keyring import get_keyring
from personal_data.services import data_key_counts_by_master_key, data_keys_rewrap


class Command(BaseCommand):
    help = (
        "Re-wrap every data key under the current (first) master key of PCC_MASTER_KEYS, in committed "
        "batches; safe to interrupt and run again while the site runs. Remove an old key from the "
        "keyring only after this reports that no data key uses it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--max-batches", type=int, default=None, help="stop after this many batches")
        parser.add_argument("--check", action="store_true", help="only report data keys per master key")

    def handle(self, *args, batch_size, max_batches, check, **options):
        current = get_keyring().current.key_id
        if not check:
            count = data_keys_rewrap(batch_size=batch_size, max_batches=max_batches)
            self.stdout.write(f"Re-wrapped {count} data keys under master key {current}.")
        counts = data_key_counts_by_master_key()
        for key_id, n in sorted(counts.items()):
            marker = " (current)" if key_id == current else ""
            self.stdout.write(f"  {key_id}{marker}: {n} data keys")
        stale = sum(n for key_id, n in counts.items() if key_id != current)
        self.stdout.write(
            "All data keys use the current master key." if stale == 0 else f"{stale} data keys still to re-wrap."
        )
