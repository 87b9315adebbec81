"""Create or drop a throwaway PostgreSQL database for the test suite: pg_testdb.py create|drop NAME."""
import os
import sys

import psycopg

ADMIN_URL = os.environ.get("PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def main() -> int:
    action, name = sys.argv[1], (sys.argv[2:] or ["postgres"])[0]
    if not name.replace("_", "").isalnum():
        raise SystemExit("bad database name")
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        if action == "create":
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        elif action == "drop":
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        elif action == "check":
            conn.execute("SELECT 1")
        else:
            raise SystemExit(f"unknown action {action}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
