"""Static analysis: bandit finds nothing of medium severity or above in the package."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bandit_reports_nothing():
    result = subprocess.run([sys.executable, "-m", "bandit", "-r", "mimi_match", "-ll", "-q", "-f", "txt"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-1000:]
