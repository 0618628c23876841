#!/usr/bin/env python3
"""Steady referral forms and personal-link clicks against a running server while a fault is
injected (`FAULT_START` and `FAULT_END`: shell commands run at 8 s and, after `FAULT_HOLD`
seconds, to end it). Standard library only. Prints `key: value` lines: requests,
server_errors (5xx other than 503), unavailable (503, the clear answer during an outage),
acknowledged leads and answered clicks, recovery_s (fault ended → first stored lead and
healthy /healthz), healthz_down (whether /healthz reported the outage)."""
import http.client, json, os, subprocess, sys, threading, time, urllib.parse

BASE = urllib.parse.urlparse(os.environ["SERVER_BASE"])
CODE = os.environ["LINK_CODE"]
RUN_S = float(os.environ.get("FAULT_RUN_S", "30"))
HOLD_S = float(os.environ.get("FAULT_HOLD", "5"))
PREFIX = os.environ.get("PHONE_PREFIX", "137")
stop = threading.Event()
lock = threading.Lock()
stats = {"requests": 0, "server_errors": 0, "unavailable": 0, "clicks_answered": 0}
acknowledged = []  # (time, phone)
health = []  # (time, status)
errors = []

def conn():
    return http.client.HTTPConnection(BASE.hostname, BASE.port, timeout=20)

def note(status, what):
    with lock:
        stats["requests"] += 1
        if status == 503:
            stats["unavailable"] += 1
        elif status >= 500:
            stats["server_errors"] += 1
            if len(errors) < 5:
                errors.append(f"{what} {status}")

def leads(worker):
    c, n = conn(), 0
    while not stop.is_set():
        n += 1
        phone = f"{PREFIX}{worker}{n:07d}"
        body = urllib.parse.urlencode({"name": "压测", "phone": phone, "consent": "1"})
        try:
            c.request("POST", "/c/winter-home/lead", body, {"Content-Type": "application/x-www-form-urlencoded", "Origin": os.environ["SERVER_BASE"]})
            r = c.getresponse(); r.read()
            note(r.status, "lead")
            if r.status == 303 and r.getheader("Location", "").endswith("/thanks"):
                with lock:
                    acknowledged.append((time.time(), "+86" + phone))
        except (OSError, http.client.HTTPException):
            c = conn()
        time.sleep(0.02)

def clicks():
    c = conn()
    while not stop.is_set():
        try:
            c.request("GET", f"/r/{CODE}?ch=moments", headers={"User-Agent": "Mozilla/5.0 (iPhone) MicroMessenger/8.0"})
            r = c.getresponse(); r.read()
            note(r.status, "click")
            if r.status == 302:
                with lock:
                    stats["clicks_answered"] += 1
        except (OSError, http.client.HTTPException):
            c = conn()
        time.sleep(0.005)

def healthz():
    c = conn()
    while not stop.is_set():
        try:
            c.request("GET", "/healthz"); r = c.getresponse(); r.read()
            health.append((time.time(), r.status))
        except (OSError, http.client.HTTPException):
            health.append((time.time(), 0)); c = conn()
        time.sleep(0.25)

def main():
    # Each lead worker keeps under the form's per-address burst limit once all are counted.
    workers = [threading.Thread(target=leads, args=(w,)) for w in range(2)]
    workers += [threading.Thread(target=clicks) for _ in range(4)] + [threading.Thread(target=healthz)]
    for t in workers:
        t.start()
    started = time.time()
    time.sleep(8)
    fault_at = time.time()
    subprocess.run(os.environ["FAULT_START"], shell=True, check=True)
    time.sleep(HOLD_S)
    subprocess.run(os.environ["FAULT_END"], shell=True, check=True)
    ended_at = time.time()
    time.sleep(max(RUN_S - (ended_at - started), 5))
    stop.set()
    for t in workers:
        t.join()
    healthy_again = next((t for t, s in health if t > ended_at and s == 200), None)
    lead_again = next((t for t, _ in acknowledged if t > ended_at), None)
    recovery = max((x - ended_at) for x in [healthy_again or 1e18, lead_again or 1e18])
    down_seen = any(s != 200 for t, s in health if fault_at <= t <= ended_at + 1)
    for k, v in stats.items():
        print(f"{k}: {v}")
    print(f"acknowledged_leads: {len(acknowledged)}")
    print(f"recovery_s: {recovery:.1f}" if recovery < 1e17 else "recovery_s: never")
    print(f"healthz_down: {'yes' if down_seen else 'no'}")
    for e in errors:
        print(f"failure: {e}")
    with open(os.environ["ACK_FILE"], "w") as f:
        f.write("\n".join(p for _, p in acknowledged))

main()
