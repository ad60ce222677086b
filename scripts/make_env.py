#!/usr/bin/env python3
"""Print .env.example with every CHANGE_ME replaced by a fresh secret:  python3 scripts/make_env.py > .env

The Fernet key is a real Fernet key (32 random bytes, url-safe base64); the others are random tokens.
Only the standard library is used, so it runs before any virtual environment exists.
"""

from __future__ import annotations

import base64
import secrets
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[1] / ".env.example"


def fill(text: str) -> str:
    lines = []
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and value == "CHANGE_ME":
            if key == "AIRFLOW__CORE__FERNET_KEY":
                value = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
            else:
                value = secrets.token_urlsafe(32)
        lines.append(f"{key}{sep}{value}" if sep else line)
    return "\n".join(lines) + "\n"


def main() -> int:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else EXAMPLE
    sys.stdout.write(fill(source.read_text(encoding="utf-8")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
