#!/usr/bin/python3
"""Opens an HTML report in headless Chromium and checks it, over the DevTools
protocol on a pipe (--remote-debugging-pipe; Python's standard library only).

usage: report_check.py REPORT.html [--width PX] [--height PX] [--mobile]
                       [--expect JSON] [--click-run N] [--screenshot OUT.png]

Prints one line per check, "ok   ..." or "FAIL ...", and exits 1 when one fails:
  - no console error or warning and no uncaught exception,
  - no request for anything but the file itself (data: URLs are not requests),
  - the page fits the viewport's width (no sideways scroll of the page),
  - every text of every chart is drawn at 11 px or more (the charts scroll
    sideways in their own box on a narrow screen rather than shrink),
  - --leaderboard-fits: the leaderboard shows every cell without sideways
    scrolling,
  - --expect '{"rows": 9, "score_charts": 2, ...}': counts of DOM elements
    (rows of the runs table, score charts, scatter plots, heatmaps, heatmap
    cells, "show" buttons), each checked exactly,
  - --click-run N: clicking run N's "show" renders its samples (prompt, code,
    verdict) below the table.
"""
import argparse, base64, json, os, shutil, subprocess, sys, tempfile, time

ap = argparse.ArgumentParser()
ap.add_argument("html")
ap.add_argument("--width", type=int, default=1280)
ap.add_argument("--height", type=int, default=900)
ap.add_argument("--mobile", action="store_true")
ap.add_argument("--expect", default="{}")
ap.add_argument("--click-run", type=int)
ap.add_argument("--screenshot")
ap.add_argument("--leaderboard-fits", action="store_true")
ap.add_argument("--chromium", default=next((p for p in ("/usr/lib/chromium/chromium", shutil.which("chromium"), shutil.which("chromium-browser")) if p and os.path.exists(p)), "chromium"))
args = ap.parse_args()
url = "file://" + os.path.abspath(args.html)
bad = 0


def report(ok, what):
    global bad
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        bad += 1


class Chrome:
    def __init__(self):
        self.profile = tempfile.mkdtemp(prefix="benchlua-chromium-")
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()
        # Chromium reads commands on fd 3 and writes replies on fd 4
        def fds():
            os.dup2(to_chrome_r, 3)
            os.dup2(from_chrome_w, 4)
        self.proc = subprocess.Popen(
            [args.chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
             "--user-data-dir=" + self.profile, "--no-first-run", "--no-default-browser-check",
             "--disable-extensions", "--disable-background-networking", "--disable-sync",
             "--disable-component-update", "--disable-default-apps", "--mute-audio",
             "--hide-scrollbars", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=fds, pass_fds=(3, 4))  # kept open: fds() made them
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.buf, self.next_id, self.events = b"", 0, []

    def send(self, method, params=None, session=None, timeout=30):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.to_chrome, json.dumps(msg).encode() + b"\0")
        deadline = time.time() + timeout
        while True:
            m = self.read(deadline)
            if m is None:
                raise RuntimeError("no answer to %s" % method)
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError("%s: %s" % (method, m["error"]))
                return m.get("result", {})
            self.events.append(m)

    def read(self, deadline):
        import select
        while b"\0" not in self.buf:
            left = deadline - time.time()
            if left <= 0 or not select.select([self.from_chrome], [], [], left)[0]:
                return None
            chunk = os.read(self.from_chrome, 1 << 20)
            if not chunk:
                return None
            self.buf += chunk
        raw, self.buf = self.buf.split(b"\0", 1)
        return json.loads(raw)

    def wait_event(self, method, timeout=30):
        deadline = time.time() + timeout
        for e in self.events:
            if e.get("method") == method:
                return e
        while True:
            m = self.read(deadline)
            if m is None:
                return None
            self.events.append(m)
            if m.get("method") == method:
                return m

    def close(self):
        try:
            self.send("Browser.close", timeout=5)
        except Exception:
            pass
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


c = Chrome()
try:
    targets = c.send("Target.getTargets")["targetInfos"]
    page = next(t for t in targets if t["type"] == "page")
    s = c.send("Target.attachToTarget", {"targetId": page["targetId"], "flatten": True})["sessionId"]
    for m in ("Runtime.enable", "Log.enable", "Network.enable", "Page.enable"):
        c.send(m, session=s)
    c.send("Emulation.setDeviceMetricsOverride", {"width": args.width, "height": args.height,
           "deviceScaleFactor": 2 if args.mobile else 1, "mobile": args.mobile}, session=s)
    c.send("Page.navigate", {"url": url}, session=s)
    report(c.wait_event("Page.loadEventFired") is not None, "the page loads (%dx%d%s)" % (args.width, args.height, ", mobile" if args.mobile else ""))

    def js(expr):
        r = c.send("Runtime.evaluate", {"expression": expr, "returnByValue": True, "awaitPromise": True}, session=s)
        if "exceptionDetails" in r:
            raise RuntimeError("evaluating %s: %s" % (expr, r["exceptionDetails"]))
        return r["result"].get("value")

    counts = js("""JSON.stringify({
      rows: document.querySelectorAll('#runs tbody tr').length,
      score_charts: document.querySelectorAll('svg.score-chart').length,
      bars: document.querySelectorAll('svg.score-chart g.bar').length,
      interval_bars: document.querySelectorAll('svg.score-chart path.ci').length,
      scatters: document.querySelectorAll('svg.scatter').length,
      points: document.querySelectorAll('svg.scatter g.point').length,
      heatmaps: document.querySelectorAll('svg.heatmap').length,
      cells: document.querySelectorAll('svg.heatmap rect.cell').length,
      show_buttons: document.querySelectorAll('button.show[data-run]').length,
      leaderboard_rows: document.querySelectorAll('#leaderboard tbody tr').length,
      leaderboard_best: document.querySelectorAll('#leaderboard td.top').length,
      leaderboard_overflow: (function(){ var t = document.getElementById('leaderboard');
        return t ? t.parentElement.scrollWidth - t.parentElement.clientWidth : -1; })(),
      smallest_chart_text: (function(){ var m = 1e9;
        document.querySelectorAll('svg.chart text').forEach(function(t){
          var h = parseFloat(getComputedStyle(t).fontSize) * t.ownerSVGElement.getScreenCTM().a;
          if (h < m) m = h; });
        return m === 1e9 ? -1 : Math.round(m * 100) / 100; })(),
      page_width: document.documentElement.scrollWidth,
      viewport: window.innerWidth})""")
    counts = json.loads(counts)
    for k, want in json.loads(args.expect).items():
        report(counts.get(k) == want, "%s: %s (expected %s)" % (k, counts.get(k), want))
    report(counts["page_width"] <= counts["viewport"], "the page fits the width: %d <= %d px" % (counts["page_width"], counts["viewport"]))
    report(counts["smallest_chart_text"] >= 11 or counts["smallest_chart_text"] == -1,
           "the charts' text is at least 11 px (smallest: %s px)" % counts["smallest_chart_text"])
    if args.leaderboard_fits:
        report(counts["leaderboard_overflow"] == 0, "the leaderboard shows every cell without sideways scrolling (overflow %s px)" % counts["leaderboard_overflow"])

    # sorting: a click on the score header orders the rows by score
    order = js("""(function(){ var th = [...document.querySelectorAll('#runs th')].find(t => t.textContent === 'score');
      if (!th) return '[]';
      th.click(); th.click();
      var v = [...document.querySelectorAll('#runs tbody tr')].map(r => parseFloat(r.cells[th.cellIndex].getAttribute('data-v')));
      return JSON.stringify(v); })()""")
    v = json.loads(order)
    report(v == sorted(v, reverse=True) and len(v) > 0, "a click on 'score' sorts the runs (descending: %s)" % v[:6])

    if args.screenshot:
        shot = c.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True,
                      "clip": {"x": 0, "y": 0, "width": args.width, "height": min(4000, js("document.documentElement.scrollHeight")), "scale": 1}}, session=s)
        open(args.screenshot, "wb").write(base64.b64decode(shot["data"]))

    if args.click_run is not None:
        got = json.loads(js("""(function(){ var b = document.querySelector('button.show[data-run="%d"]');
          if (!b) return JSON.stringify({missing: true});
          b.click();
          var d = document.getElementById('detail');
          var first = d.querySelector('.sample');
          return JSON.stringify({heading: (d.querySelector('h2') || {}).textContent, samples: d.querySelectorAll('.sample').length,
            prompt: first ? first.querySelector('details pre').textContent.length : 0,
            code: first ? first.querySelector('pre.code').textContent.length : 0,
            verdict: first ? first.querySelector('.head').textContent : ''}); })()""" % args.click_run))
        report(not got.get("missing") and got["samples"] > 0 and got["prompt"] > 0 and got["code"] > 0,
               "run %d's samples on demand: %s" % (args.click_run, got))

    time.sleep(0.2)
    while c.read(time.time() + 0.2) is not None:
        pass
    errors, requests = [], []
    for e in c.events:
        m, p = e.get("method"), e.get("params", {})
        if m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "warning", "assert"):
            errors.append("console.%s: %s" % (p["type"], " ".join(str(a.get("value", a.get("description"))) for a in p.get("args", []))))
        elif m == "Runtime.exceptionThrown":
            errors.append("exception: %s" % p["exceptionDetails"].get("exception", {}).get("description", p["exceptionDetails"].get("text")))
        elif m == "Log.entryAdded" and p["entry"].get("level") in ("error", "warning"):
            errors.append("log: %s %s" % (p["entry"].get("text"), p["entry"].get("url", "")))
        elif m == "Network.requestWillBeSent":
            u = p["request"]["url"]
            if u != url and not u.startswith("data:"):
                requests.append(u)
    report(not errors, "no console errors (%s)" % ("; ".join(errors)[:400] or "none"))
    report(not requests, "no request leaves the file (%s)" % (", ".join(requests)[:400] or "none"))
finally:
    c.close()
sys.exit(1 if bad else 0)
