#!/usr/bin/env python3
"""Write a local `.env` with fresh random keys for the embedded development run (`make run`).

Never overwrites: an existing file is left exactly as it is, because replacing PCC_MASTER_KEYS or
PCC_BLIND_INDEX_KEY would make every encrypted row in the local database unreadable. The file is
created with mode 0600 (it holds secrets). Standard library only: it runs before any install.

Formats (read by pcc_portal/settings/base.py through django-environ; see .env.example):
  DJANGO_SECRET_KEY    secrets.token_urlsafe(50)
  PCC_MASTER_KEYS      "key_id:base64(32 random bytes)", first entry = current key
  PCC_BLIND_INDEX_KEY  base64(32 random bytes)
"""

from __future__ import annotations

import argparse
import base64
import datetime
import os
import re
import secrets
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
KEY_ID_PATTERN = re.compile(r"[A-Za-z0-9_.-]{1,32}")
KEY_BYTES = 32


def _random_key() -> str:
    return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


def dotenv_text(*, key_id: str) -> str:
    if not KEY_ID_PATTERN.fullmatch(key_id):
        raise ValueError(f"key id {key_id!r} must match {KEY_ID_PATTERN.pattern}")
    return (
        "# Written by scripts/make_dotenv.py for the embedded development run (`make run`).\n"
        "# Fresh random keys for this checkout only: never commit this file, never copy these keys\n"
        "# to another environment. Every variable is described in .env.example.\n"
        f"DJANGO_SECRET_KEY={secrets.token_urlsafe(50)}\n"
        f"PCC_MASTER_KEYS={key_id}:{_random_key()}\n"
        f"PCC_BLIND_INDEX_KEY={_random_key()}\n"
        "DEBUG=true\n"
    )


def dotenv_write(*, path: Path, key_id: str) -> bool:
    """Create `path` with fresh keys; return False (and touch nothing) if it already exists."""
    text = dotenv_text(key_id=key_id)
    try:
        # O_EXCL: the existence check and the creation are one step, so a race cannot overwrite.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, 0o600)  # the umask may have narrowed the mode further; never wider than 0600
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--path", type=Path, default=REPO_ROOT / ".env", help="file to write (%(default)s)")
    parser.add_argument(
        "--key-id",
        default=f"dev-{datetime.datetime.now(datetime.UTC):%Y%m%d}",
        help="id of the master key (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    try:
        written = dotenv_write(path=args.path, key_id=args.key_id)
    except ValueError as error:
        parser.error(str(error))
    if written:
        print(f"make_dotenv: wrote {args.path} (mode 0600) with fresh keys; master key id {args.key_id}")
    else:
        # New keys could not read what the old ones encrypted, so the file is never replaced.
        print(f"make_dotenv: {args.path} already exists; left unchanged")
    return 0


if __name__ == "__main__":
    sys.exit(main())
