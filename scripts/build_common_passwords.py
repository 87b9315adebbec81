"""Build mimi_match/data/common_passwords.txt from the zxcvbn package's frequency list.

Run once by a maintainer (``pip install zxcvbn`` first); the result is committed so that nothing
is downloaded at run time. Only passwords of 8+ characters are kept: shorter ones already fail
the length rule.
"""
from pathlib import Path

from zxcvbn.frequency_lists import FREQUENCY_LISTS  # type: ignore[import-not-found]

TARGET = Path(__file__).resolve().parent.parent / "mimi_match" / "data" / "common_passwords.txt"


def main() -> None:
    words = [w for w in FREQUENCY_LISTS["passwords"] if len(w) >= 8]
    header = (
        "# Common passwords refused at registration (OWASP ASVS 5 V6.2.4).\n"
        "# Source: zxcvbn 4.5.0 frequency list 'passwords' (MIT licence), 8+ characters only.\n"
    )
    TARGET.write_text(header + "\n".join(words) + "\n", encoding="utf-8")
    print(f"wrote {len(words)} passwords to {TARGET}")


if __name__ == "__main__":
    main()
