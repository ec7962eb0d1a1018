"""Writing a demo certificate bundle to disk: readable by its owner only, since it holds the private
key (encrypted under the bundle's password)."""

import json
import os
from pathlib import Path


def certificate_bundle_write(*, bundle: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(bundle, handle, indent=2)
        handle.write("\n")
