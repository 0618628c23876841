#!/usr/bin/env python3
"""Random input against every public form and every server function of a running server
(python3's standard library only). Server functions and their arguments are read from the
source (`#[server(endpoint = ...)]`), so a new one is fuzzed without editing this file.
Prints `key: value` lines: requests, server_errors (5xx), lost (acknowledged lead
submissions not stored), stored_invalid (leads stored that were not acknowledged)."""
import glob, http.client, http.cookiejar, json, os, random, re, sqlite3, subprocess, sys, time, urllib.parse, urllib.request

BASE = os.environ["SERVER_BASE"]
DB_URL = os.environ["DATABASE_URL"]
PG_SCHEMA = os.environ.get("PG_SCHEMA", "")
REQUESTS = int(os.environ.get("FUZZ_REQUESTS", "3000"))
SEED = int(os.environ.get("FUZZ_SEED", "20261203"))
rng = random.Random(SEED)
HOST = urllib.parse.urlparse(BASE)

# Functions that end this client's own session: fuzzing them would only fuzz 401s after.
SKIP = {"sign_out"}

def server_functions():
    out = []
    for f in glob.glob("app/src/**/*.rs", recursive=True):
        s = open(f, encoding="utf-8").read()
        for m in re.finditer(r'#\[server\(endpoint = "([a-z_]+)"\)\]\s*pub async fn \w+\((.*?)\)\s*->', s, re.S):
            args = re.findall(r'(?:#\[server\(default\)\]\s*)?(\w+):\s*([^,]+)', m.group(2))
            if m.group(1) not in SKIP:
                out.append((m.group(1), [(a, t.strip()) for a, t in args]))
    return sorted(out)

WORDS = ["", "0", "-1", "1", "9223372036854775808", "1e309", "NaN", "null", "true", "[]", "{}", "2026-02-30",
         "2026-11", "2026-Q5", "¥1,234.56", "-¥5", "１３８００１３８０００", "+86 138 0013 8000", "13800138000",
         "' OR 1=1 --", "\"; DROP TABLE leads; --", "<script>alert(1)</script>", "=HYPERLINK(\"http://x\")",
         "../../etc/passwd", "%00", "\u0000", "\u202e", "😀" * 10, "最" * 60, "a" * 70_000, "\t\n\r",
         "employee", "valid", "bank", "approve", "paid", "poster", "phone", "deals", "custom", "month"]

def text():
    r = rng.random()
    if r < 0.5:
        return rng.choice(WORDS)
    if r < 0.8:
        return "".join(chr(rng.choice([rng.randrange(32, 127), rng.randrange(0x4e00, 0x9fff), rng.randrange(0, 0x2fff)]))
                       for _ in range(rng.randrange(0, 40)))
    return str(rng.randrange(-2**40, 2**40))

API_FIELDS = ["order_no", "customer_phone", "amount_fen", "currency", "signed_on", "lead_id", "payment", "cost_fen"]
FIELDS = ["order_no", "customer_phone", "amount", "signed_on", "lead_id", "referral_code", "cost", "due_on",
          "range", "from", "to", "campaign_id", "channel", "department_id", "promoter_kind", "slug", "name",
          "product", "title", "body", "publish_on", "starts_on", "ends_on", "boosts", "action", "subject", "id"]

def form(args):
    f = []
    for name, kind in args:
        if rng.random() < 0.1:
            continue  # left out
        if kind.startswith("Vec"):
            for i in range(rng.randrange(0, 4)):
                f.append((f"{name}[{i}]", text()))
        elif kind[0].isupper() and not kind.startswith(("String", "Option", "Sent")):
            for field in rng.sample(FIELDS, rng.randrange(1, 8)):
                f.append((f"{name}[{field}]", text()))
        else:
            f.append((name, text()))
    for _ in range(rng.randrange(0, 2)):
        f.append((text()[:20] or "x", text()))
    return f

class Client:
    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *a, **k):
                return None
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def send(self, method, path, data=None, headers=None):
        h = {"Origin": BASE, "Accept": "application/json"}
        h.update(headers or {})
        body = None
        if data is not None:
            body = data if isinstance(data, bytes) else urllib.parse.urlencode(data).encode()
            h.setdefault("Content-Type", "application/x-www-form-urlencoded")
        req = urllib.request.Request(BASE + path, data=body, headers=h, method=method)
        try:
            with self.opener.open(req, timeout=30) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()
        except (urllib.error.URLError, http.client.HTTPException, ConnectionError) as e:
            # A request head over hyper's limit is answered 414/431 and the connection closed
            # while the client may still be sending: refused, not a server error. Anything
            # else that drops the connection is one.
            if len(path) > 64 * 1024:
                return 431, {}, b""
            return 599, {}, repr(e).encode()

def count(table):
    if DB_URL.startswith("postgres"):
        base = DB_URL.split("?")[0]
        out = subprocess.run(["psql", base, "-Atc", f"select count(*) from {PG_SCHEMA}.{table}"], capture_output=True, text=True)
        return int(out.stdout.strip())
    path = DB_URL.replace("sqlite://", "")
    return sqlite3.connect(path).execute(f"select count(*) from {table}").fetchone()[0]

def main():
    fns = server_functions()
    logins = ["admin", "marketing", "sales", "finance", "employee", "customer", "partner"]
    clients = [Client()]  # anonymous
    for who in logins:
        c = Client()
        status, _, body = c.send("POST", "/api/sign_in", {"login": f"{who}@demo.allhands.cn", "password": "demo1234"})
        if status != 200:
            sys.exit(f"could not sign in as {who}: {status} {body[:200]}")
        clients.append(c)
    # The JSON API takes an API key (admin makes one); half the pushes carry it.
    status, _, body = clients[1].send("POST", "/api/create_api_key", [("name", "fuzz"), ("scopes[0]", "deals:write"), ("scopes[1]", "payments:write")])
    if status != 200:
        sys.exit(f"could not make an API key: {status} {body[:200]}")
    key = json.loads(body)["secret"]
    leads_before = count("leads")
    requests = server_errors = acknowledged = 0
    failures = []
    started = time.time()
    while requests < REQUESTS:
        c = rng.choice(clients)
        r = rng.random()
        if r < 0.70:
            name, args = rng.choice(fns)
            status, _, body = c.send("POST", f"/api/{name}", form(args))
            what = f"POST /api/{name}"
        elif r < 0.82:
            fields = [("name", text()), ("phone", rng.choice([text(), f"139{rng.randrange(10**8):08d}"])), ("consent", rng.choice(["1", ""]))]
            fields += [("demand_tags", text()) for _ in range(rng.randrange(0, 3))] + [("note", text()), ("ref", text())]
            fields = [(k, v) for k, v in fields if rng.random() > 0.1]
            status, headers, body = c.send("POST", "/c/winter-home/lead", fields, {"Accept": "text/html"})
            what = "POST /c/winter-home/lead"
            if status == 303 and headers.get("Location", "").endswith("/thanks"):
                acknowledged += 1
        elif r < 0.90:
            path = rng.choice(["/r/", "/qr/", "/c/", "/lang/", "/media/", "/settlement/1/", "/dashboard/export.csv?table="]) + urllib.parse.quote(text(), safe="")
            if path.startswith("/lang/"):
                path += "?next=" + urllib.parse.quote(text(), safe="")
            status, _, body = c.send("GET", path, headers={"Accept": "text/html"})
            what = f"GET {path[:60]}"
        else:
            payload = json.dumps([{k: text() for k in rng.sample(API_FIELDS, rng.randrange(0, 6))}]) if rng.random() < 0.7 else text()
            auth = {"Authorization": f"Bearer {key}"} if rng.random() < 0.5 else {}
            status, _, body = c.send("POST", "/api/v1/deals", payload.encode("utf-8", "surrogatepass"), {"Content-Type": "application/json", **auth})
            what = "POST /api/v1/deals"
        requests += 1
        if status >= 500:
            server_errors += 1
            if len(failures) < 5:
                failures.append(f"{what} → {status} {body[:160]!r}")
    leads_after = count("leads")
    stored = leads_after - leads_before
    print(f"requests: {requests}")
    print(f"seconds: {time.time() - started:.1f}")
    print(f"server_errors: {server_errors}")
    print(f"acknowledged_leads: {acknowledged}")
    print(f"stored_leads: {stored}")
    print(f"lost: {max(acknowledged - stored, 0)}")
    print(f"stored_invalid: {max(stored - acknowledged, 0)}")
    for f in failures:
        print(f"failure: {f}")

main()
