#!/usr/bin/env python3
"""bench/run dashboard's two halves (standard library only):
- `gen ENGINE MONTHS_BACK` prints SQL that adds one month of activity (PROMOTERS, CLICKS,
  LEADS, DEALS) MONTHS_BACK months before this one (0 = this month, up to now), through the
  database's own inserts, so that the triggers keep the counters as they do in production
  (clicks, which the click writer counts a batch at a time, are counted as it counts them);
- `load` signs in as marketing at SERVER_BASE and times LOADS dashboard loads of each kind,
  printing p95 figures in ms."""
import http.client, json, os, sys, time, urllib.parse
from datetime import datetime, timedelta, timezone

TZ = timezone(timedelta(hours=8))  # the demo organization: Asia/Shanghai
P = int(os.environ.get("PROMOTERS", "5000"))
CLICKS = int(os.environ.get("CLICKS", "1000000"))
LEADS = int(os.environ.get("LEADS", "50000"))
DEALS = int(os.environ.get("DEALS", "5000"))
WINDOW_MS = 24 * 3600 * 1000
CHANNELS = ["moments", "group", "qr", "sms", "poster", "other"]


def month_bounds(back):
    now = datetime.now(TZ)
    y, m = now.year, now.month - back
    while m <= 0:
        y, m = y - 1, m + 12
    start = datetime(y, m, 1, tzinfo=TZ)
    nxt = datetime(y + (m == 12), m % 12 + 1, 1, tzinfo=TZ)
    end = min(nxt, now) if back == 0 else nxt
    return int(start.timestamp() * 1000), int(end.timestamp() * 1000), start.date()


def series(engine, n, select):
    """INSERT … SELECT over n = 0..count-1. On PostgreSQL in statements of CHUNK rows: each
    counter row a statement updates keeps a version per update until it commits, so one
    statement of a million clicks would walk ever longer version chains."""
    if engine == "postgres":
        chunk = 20000
        return ";\n".join(select.replace("{FROM}", f"FROM generate_series(CAST({a} AS BIGINT), {min(a + chunk, n) - 1}) AS s(n)")
                          for a in range(0, n, chunk))
    return f"WITH RECURSIVE s(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < {n - 1}) " + select.replace("{FROM}", "FROM s")


def gen(engine, back):
    start, end, first_day = month_bounds(back)
    now_ms = int(datetime.now(TZ).timestamp() * 1000)
    span = max(end - start - 1, 1)
    tag = f"m{back}"
    out = []
    ch = "CASE n % 6 " + " ".join(f"WHEN {i} THEN '{c}'" for i, c in enumerate(CHANNELS)) + " END"
    link = f"(SELECT MIN(id) FROM promo_links WHERE code LIKE 'BENCH%') + (n * 7919) % {P}"
    out.append(series(engine, CLICKS,
        "INSERT INTO clicks (link_id, channel, visitor, ip_hash, ua_class, at, unique_visit, own) "
        f"SELECT {link}, {ch}, 'v' || (n % 200000), 'ip', CASE WHEN n % 25 = 0 THEN 'bot' ELSE 'wechat' END, "
        f"{start} + (n * {span // max(CLICKS, 1)}), CASE WHEN n % 3 = 0 THEN 1 ELSE 0 END, 0 {{FROM}}"))
    out.append(counted_clicks(start, end))
    status = "CASE n % 10 WHEN 0 THEN 'pending' WHEN 1 THEN 'held' WHEN 2 THEN 'duplicate' WHEN 3 THEN 'invalid' ELSE 'valid' END"
    promoter = f"(SELECT promoter_id FROM promo_links WHERE id = {link})"
    at = f"{start} + (n * {span // max(LEADS, 1)})"
    out.append(series(engine, LEADS,
        "INSERT INTO leads (campaign_id, link_id, promoter_id, name, phone, demand_tags, note, status, visitor, ip_hash, "
        "submitted_at, assigned_at, first_contact_at, channel, overdue_at) "
        f"SELECT (SELECT campaign_id FROM promo_links WHERE id = {link}), {link}, {promoter}, 'bench', "
        f"'+86139' || (10000000 + n) || '{tag}', '[]', '', {status}, 'v' || (n % 200000), 'ip', {at}, "
        f"CASE WHEN n % 10 >= 4 THEN {at} + 60000 END, CASE WHEN n % 10 >= 5 THEN {at} + 3600000 END, "
        f"CASE WHEN n % 5 = 0 THEN NULL ELSE {ch} END, "
        # A lead never contacted was flagged overdue by the minute's check once its first-contact
        # window (the demo's 24 hours) had passed; the check flags only what is newly overdue.
        f"CASE WHEN n % 10 = 4 AND {at} + 60000 + {WINDOW_MS} < {now_ms} THEN {at} + 60000 + {WINDOW_MS} END {{FROM}}"))
    days = max((datetime.fromtimestamp(end / 1000, TZ).date() - first_day).days, 1)
    signed = ("to_char(DATE '{d}' + CAST(n % {days} AS INTEGER), 'YYYY-MM-DD')" if engine == "postgres"
              else "date('{d}', '+' || (n % {days}) || ' days')").format(d=first_day.isoformat(), days=days)
    out.append(series(engine, DEALS,
        "INSERT INTO deals (order_no, customer_phone, promoter_id, campaign_id, amount_fen, cost_fen, signed_on, source, created_at) "
        f"SELECT 'B{tag}-' || n, '+86138' || (10000000 + n), {promoter}, (SELECT campaign_id FROM promo_links WHERE id = {link}), "
        f"100000 + (n % 97) * 1000, 40000, {signed}, 'manual', 0 {{FROM}}"))
    return ";\n".join(out) + ";\n"


ACTIVE_COLUMNS = [("", "shares_days")] + [(c, f"{c}_days") for c in CHANNELS] + [("direct", "direct_days")]


def counted_clicks(start, end):
    """The month's generated clicks counted as the click writer counts a batch
    (dashboard::store::counted_clicks): by the organization's day, campaign, channel,
    department and promoter kind, and as each promoter's active days of the month."""
    day = ("COALESCE((SELECT d.day FROM org_days d WHERE d.start_ms <= c.at ORDER BY d.start_ms DESC LIMIT 1), "
           "'0000-00-01')")
    facts = ("FROM clicks c JOIN promo_links pl ON pl.id = c.link_id JOIN promoter_facets f ON f.id = pl.promoter_id "
             f"WHERE c.at >= {start} AND c.at < {end} AND c.ua_class <> 'bot' AND pl.code LIKE 'BENCH%'")
    key = "day, campaign_id, channel, department_id, promoter_kind"
    figures = (f"INSERT INTO figure_counts ({key}, clicks, unique_visitors) "
               f"SELECT {day}, pl.campaign_id, c.channel, f.department_id, f.promoter_kind, COUNT(*), SUM(c.unique_visit) "
               f"{facts} GROUP BY 1, 2, 3, 4, 5 ON CONFLICT ({key}) DO UPDATE SET "
               "clicks = figure_counts.clicks + excluded.clicks, "
               "unique_visitors = figure_counts.unique_visitors + excluded.unique_visitors")
    bits = ", ".join(f"SUM(CASE a.channel WHEN '{ch}' THEN CAST(1 AS BIGINT) << (CAST(substr(a.day, 9, 2) AS INTEGER) - 1) "
                     "ELSE 0 END)" for ch, _ in ACTIVE_COLUMNS)
    columns = ", ".join(col for _, col in ACTIVE_COLUMNS)
    ored = ", ".join(f"{col} = promoter_months.{col} | excluded.{col}" for _, col in ACTIVE_COLUMNS)
    months = ("INSERT INTO promoter_months (month, promoter_id, campaign_id, department_id, promoter_kind, "
              f"{columns}) SELECT substr(a.day, 1, 7), a.promoter_id, a.campaign_id, a.department_id, a.promoter_kind, "
              f"{bits} FROM (SELECT DISTINCT {day} AS day, pl.promoter_id AS promoter_id, pl.campaign_id AS campaign_id, "
              "c.channel AS channel, f.department_id AS department_id, f.promoter_kind AS promoter_kind "
              f"{facts}) a WHERE true GROUP BY substr(a.day, 1, 7), a.promoter_id, a.campaign_id, a.department_id, "
              "a.promoter_kind ON CONFLICT (month, promoter_id, campaign_id, department_id, promoter_kind) "
              f"DO UPDATE SET {ored}")
    return figures + ";\n" + months


def people(engine):
    """PROMOTERS people in 20 departments (employees, one in ten a partner, one in ten a
    customer), each with a link to the demo's running campaign."""
    out = [series(engine, 20, "INSERT INTO departments (name, created_at) SELECT 'Bench ' || n, 0 {FROM}")]
    out.append(series(engine, P,
        "INSERT INTO users (display_name, email, password_hash, department_id, active, created_at) "
        "SELECT 'P' || n, 'p' || n || '@bench.example', 'x', "
        "(SELECT MIN(id) FROM departments WHERE name LIKE 'Bench %') + n % 20, 1, 0 {FROM}"))
    out.append("INSERT INTO user_roles (user_id, role) SELECT id, CASE WHEN id % 10 = 0 THEN 'partner' "
               "WHEN id % 10 = 1 THEN 'customer' ELSE 'employee' END FROM users WHERE email LIKE '%@bench.example'")
    out.append("INSERT INTO promo_links (code, campaign_id, promoter_id, created_at) SELECT 'BENCH' || u.id, "
               "(SELECT id FROM campaigns WHERE slug = 'winter-home'), u.id, 0 FROM users u WHERE u.email LIKE '%@bench.example'")
    return ";\n".join(out) + ";\n"


class Client:
    def __init__(self, base):
        self.base = urllib.parse.urlparse(base)
        self.origin = base
        self.cookie = ""

    def post(self, path, fields):
        c = http.client.HTTPConnection(self.base.hostname, self.base.port, timeout=600)
        body = urllib.parse.urlencode(fields)
        c.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json",
                                       "Origin": self.origin, "Cookie": self.cookie})
        r = c.getresponse()
        data = r.read()
        for k, v in r.getheaders():
            if k.lower() == "set-cookie" and v.startswith("ah_session="):
                self.cookie = v.split(";")[0]
        if r.status != 200:
            raise SystemExit(f"{path}: {r.status} {data[:300]!r}")
        return data


def p95(xs):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * 0.95))]


def load():
    c = Client(os.environ["SERVER_BASE"])
    c.post("/api/sign_in", {"login": "marketing@demo.allhands.cn", "password": "demo1234"})
    n = int(os.environ.get("LOADS", "50"))
    today = datetime.now(TZ).date()
    department = os.environ.get("DEPARTMENT_ID", "")
    kinds = {
        "load": {"query[range]": "month"},
        "filtered_load": {"query[range]": "month", "query[channel]": "moments", "query[department_id]": department},
        "custom_year_load": {"query[range]": "custom", "query[from]": (today - timedelta(days=365)).isoformat(),
                             "query[to]": today.isoformat()},
    }
    only = os.environ.get("ONLY")
    for name, q in kinds.items():
        if only and name != only:
            continue
        times = []
        for _ in range(n):
            t = time.perf_counter()
            data = c.post("/api/load_dashboard", q)
            times.append((time.perf_counter() - t) * 1000)
        if name == "load":
            totals = json.loads(data)["totals"]
            print(f"clicks_this_month: {totals['clicks']}")
            print(f"leads_this_month: {totals['leads']}")
        print(f"{name}_p95_ms: {p95(times):.1f}")


if __name__ == "__main__":
    if sys.argv[1] == "people":
        sys.stdout.write(people(sys.argv[2]))
    elif sys.argv[1] == "recount":
        c = Client(os.environ["SERVER_BASE"])
        c.post("/api/sign_in", {"login": "admin@demo.allhands.cn", "password": "demo1234"})
        print(f"recount_diff: {json.loads(c.post('/api/recount_dashboard', {}))}")
    elif sys.argv[1] == "gen":
        sys.stdout.write(gen(sys.argv[2], int(sys.argv[3])))
    else:
        load()
