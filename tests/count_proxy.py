#!/usr/bin/python3
"""A counting HTTP proxy for the end-to-end tests: forwards every request to
UPSTREAM (a real llama-server) and appends one JSON line per generation
request (/completion, /v1/chat/completions) to LOG: the path, the prompt and
`inflight`, the generation requests it is forwarding then (this one included).
It writes the line when the request arrives, before forwarding it. With
--spans FILE it also appends {"start": T, "end": T} (time.time()) when one
ends, so that a test can count the requests in flight over several proxies.

usage: count_proxy.py --port N --upstream http://127.0.0.1:P --log FILE [--spans FILE]
Prints "ready" once it listens.
"""
import argparse, json, sys, threading, time, urllib.request, urllib.error
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ap = argparse.ArgumentParser()
ap.add_argument("--port", type=int, required=True)
ap.add_argument("--upstream", required=True)
ap.add_argument("--log", required=True)
ap.add_argument("--spans")
args = ap.parse_args()
lock = threading.Lock()
inflight = 0


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def forward(self, body):
        req = urllib.request.Request(args.upstream + self.path, data=body, method=self.command,
                                     headers={"Content-Type": "application/json"} if body is not None else {})
        try:
            with urllib.request.urlopen(req, timeout=600) as r:
                code, data = r.status, r.read()
        except urllib.error.HTTPError as e:
            code, data = e.code, e.read()
        except Exception as e:  # upstream gone: like a refused connection
            self.close_connection = True
            return
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.forward(None)

    def do_POST(self):
        global inflight
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path not in ("/completion", "/v1/chat/completions"):
            return self.forward(body)
        try:
            j = json.loads(body)
        except ValueError:
            j = {}
        prompt = j.get("prompt") if "prompt" in j else (j.get("messages") or [{}])[-1].get("content")
        start = time.time()
        with lock, open(args.log, "a") as f:
            inflight += 1
            f.write(json.dumps({"path": self.path, "prompt": prompt, "seed": j.get("seed"), "inflight": inflight}) + "\n")
        try:
            self.forward(body)
        finally:
            with lock:
                inflight -= 1
                if args.spans:
                    with open(args.spans, "a") as f:
                        f.write(json.dumps({"start": start, "end": time.time()}) + "\n")


srv = ThreadingHTTPServer(("127.0.0.1", args.port), H)
print("ready", flush=True)
srv.serve_forever()
