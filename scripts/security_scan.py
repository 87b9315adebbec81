"""Drive wapiti (as each role) and sqlmap against a running MiMi Match; print findings; exit 1 on medium+.

Run through ``scripts/security_scan``, which starts the service with demo data. Uses only the scanners'
own environment (.venv-scan) and the standard library.
"""
from __future__ import annotations

import argparse
import http.cookiejar
import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

PASSWORD = "mimi-demo-2026"
ROLES = {  # admin last: it can deactivate accounts the others log in with
    "anonymous": None,
    "participant": "participant001@demo.mimi-match.org",
    "coach": "coach1@demo.mimi-match.org",
    "hr": "hr1@demo.mimi-match.org",
    "admin": "admin@demo.mimi-match.org",
}
# pages that end the scan's own session or delete data it needs
EXCLUDE = ["/logout", "/account/delete", "/account/password", "/account/email", "/admin/users/*/erase",
           "/admin/users/*/active", "/language"]
MODULES = "xss,permanentxss,sql,exec,file,redirect,crlf,csrf,http_headers,cookieflags,csp,methods"
LEVELS = {0: "info", 1: "low", 2: "medium", 3: "high", 4: "critical"}


def login(base: str, email: str | None) -> str:
    """The session cookie of a fresh login (empty for anonymous)."""
    if email is None:
        return ""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or \
        re.search(r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', page)
    data = urllib.parse.urlencode({"email": email, "password": PASSWORD,
                                   "csrf_token": token.group(1) if token else ""}).encode()
    opener.open(f"{base}/login", data)
    cookie = next((c for c in jar if c.name == "session"), None)
    if cookie is None:
        sys.exit(f"could not log in as {email}")
    return f"session={cookie.value}"


UNFINISHED: list[str] = []


def wapiti(base: str, role: str, cookie: str, work: Path, minutes: float) -> list[dict]:
    report = work / f"wapiti-{role}.json"
    cmd = [str(Path(sys.executable).parent / "wapiti"), "-u", f"{base}/", "--scope", "folder", "-m", MODULES,
           "--max-scan-time", str(int(minutes * 60)), "--max-attack-time", str(int(minutes * 60 / 4)),
           "-d", "4", "--max-links-per-page", "40", "--max-files-per-dir", "40", "--flush-session",
           "-f", "json", "-o", str(report), "-v", "0", "--no-bugreport", "-t", "10"]
    for path in EXCLUDE:
        cmd += ["-x", f"{base}{path}"]
    if cookie:
        cmd += ["-C", cookie]
    started = time.time()
    try:
        subprocess.run(cmd, capture_output=True, text=True, timeout=int(minutes * 60 * 2 + 120),
                       stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:  # a leg that overruns must not cost the roles after it their scan
        print(f"wapiti as {role:<11} did not finish within {int(minutes * 60 * 2 + 120)} s: no verdict for this role")
        UNFINISHED.append(role)
        return []
    data = json.loads(report.read_text()) if report.exists() else {}
    found = []
    for section in ("vulnerabilities", "anomalies"):
        for category, items in (data.get(section) or {}).items():
            for item in items:
                found.append({"role": role, "tool": "wapiti", "category": category, "level": item.get("level", 0),
                              "path": item.get("path", ""), "method": item.get("method", ""),
                              "info": item.get("info", "")[:200]})
    crawled = (data.get("infos") or {}).get("crawled_pages_nbr", 0)
    print(f"wapiti as {role:<11} {time.time() - started:5.0f} s, {crawled} pages crawled, "
          f"{len(found)} findings ({sum(f['level'] >= 2 for f in found)} medium or above)")
    return found


CSRF_REFUSED = "The form was open too long or was sent twice"


def recheck_csrf(base: str, findings: list[dict]) -> None:
    """wapiti flags "CSRF token not properly checked" when a form replayed with its crawled token and with a
    wrong one get the same answer — which also happens when the crawl itself started a new session (it
    registers an account, logs in), so that both tokens are stale and both are refused. Each such finding is
    checked again here: a POST with a wrong token in a live session of the role must be refused with the CSRF
    message (400). Confirmed refusals become information; anything else stays a finding."""
    for finding in findings:
        if finding["tool"] != "wapiti" or "not properly checked" not in finding["info"]:
            continue
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        email = ROLES.get(finding["role"])
        if email:
            opener.addheaders = [("Cookie", login(base, email))]
        opener.open(f"{base}/").read()
        data = urllib.parse.urlencode({"csrf_token": "wapiti"}).encode()
        try:
            opener.open(base + finding["path"], data)
            status, body = 200, ""
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read().decode(errors="replace")
        if status == 400 and CSRF_REFUSED in body:
            finding["level"] = 0
            finding["info"] += " (re-checked: a wrong token is refused with 400)"


def sqlmap(base: str, work: Path, name: str, url: str, cookie: str, params: str, data: str | None = None,
           seconds: int = 240) -> list[dict]:
    """sqlmap on the named parameters, bounded to ``seconds`` (its verdict so far counts)."""
    cmd = [str(Path(sys.executable).parent / "sqlmap"), "-u", url, "-p", params, "--batch", "--level", "1",
           "--risk", "1", "--technique", "BEUST", "--time-sec", "2", "--timeout", "10", "--retries", "0",
           "--threads", "4", "--disable-coloring", "--flush-session", "--output-dir", str(work / "sqlmap"),
           "--skip-waf", "--text-only"]
    if cookie:
        cmd += ["--cookie", cookie, "--skip", "session"]
    if data is not None:  # a form: a fresh CSRF token for every request (sqlmap allows one thread then)
        cmd = [c for c in cmd if c not in ("--threads", "4")]
        cmd += ["--data", data, "--csrf-token", "csrf_token", "--csrf-url", url]
    started = time.time()
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds).stdout
    except subprocess.TimeoutExpired as error:
        out = (error.stdout or b"").decode() if isinstance(error.stdout, bytes) else (error.stdout or "")
    injectable = re.findall(r"parameter '([^']+)' (?:is|appears to be) [^\n]*injectable", out)
    clean = "do not appear to be injectable" in out or "does not seem to be injectable" in out
    print(f"sqlmap {name:<28} {time.time() - started:5.0f} s: "
          + (f"INJECTABLE {sorted(set(injectable))}" if injectable else ("clean" if clean else "no verdict")))
    return [{"role": name, "tool": "sqlmap", "category": "SQL injection", "level": 3, "path": url,
             "method": "POST" if data else "GET", "info": p} for p in set(injectable)]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--work", required=True, type=Path)
    parser.add_argument("--minutes", type=float, default=2)
    args = parser.parse_args()
    base, work = args.base.rstrip("/"), args.work
    findings: list[dict] = []
    cookies = {role: login(base, email) for role, email in ROLES.items()}
    for target in (("search (anonymous)", f"{base}/opportunities/?q=cleaning&sort=newest", "", "q,sort"),
                   ("skills API (participant)", f"{base}/api/skills?q=clean", cookies["participant"], "q"),
                   ("review filter (coach)", f"{base}/coach/review?q=a&field=1&sort=score", cookies["coach"],
                    "q,field,sort"),
                   ("talent search (hr)", f"{base}/hr/talent?q=clean&field=1", cookies["hr"], "q,field"),
                   ("audit search (admin)", f"{base}/admin/audit?action=login&person=demo", cookies["admin"],
                    "action,person")):
        findings += sqlmap(base, work, *target)
    findings += sqlmap(base, work, "login form (anonymous)", f"{base}/login", "", "email,password",
                       data="email=someone%40example.org&password=secret&csrf_token=x")
    for role in ROLES:
        findings += wapiti(base, role, login(base, ROLES[role]), work, args.minutes)
    recheck_csrf(base, findings)
    serious = [f for f in findings if f["level"] >= 2]
    print(f"\n{len(findings)} findings in all: " + ", ".join(
        f"{sum(f['level'] == n for f in findings)} {LEVELS[n]}" for n in sorted(LEVELS)))
    for f in sorted(findings, key=lambda f: -f["level"]):
        print(f"  [{LEVELS[f['level']]}] {f['tool']} as {f['role']}: {f['category']} {f['method']} {f['path']} "
              f"{f['info']}")
    print(f"reports: {work}")
    if UNFINISHED:
        print(f"roles without a verdict (the scan overran): {', '.join(UNFINISHED)}")
    return 1 if serious or UNFINISHED else 0


if __name__ == "__main__":
    sys.exit(main())
