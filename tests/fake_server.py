#!/usr/bin/env python3
"""A fake llama-server for the failures a real one cannot produce on demand.

Used beside the real server, never instead of it. Answers /health, /props,
/v1/models, /completion, /v1/chat/completions and /tokenize like llama-server
does, with misbehaviour chosen on the command line:

  fake_server.py --port N [--ready-after S] [--never-ready] [--exit-after-requests K]
                 [--hang] [--status-500-every K] [--slots N] [--n-ctx N]
                 [--reply TEXT] [--delay S] [--exit-at-start CODE]
                 [--malformed KIND [--malformed-every K]] [--openai-only]
                 [--api-key KEY] [--expect-model ID]
                 [--chat-answer-file FILE] [--record FILE]

--malformed KIND: every K-th generation answer (default: every one) is
  malformed: content-null, content-object, content-number, predicted-ms-string,
  nan-tokens, not-object (a JSON list), string-body, no-content.
--openai-only: only GET /v1/models and POST /v1/chat/completions (vLLM, LM
  Studio, a proxy); /health, /props, /tokenize and /completion are 404.
--api-key KEY: every request needs "Authorization: Bearer KEY" (else 401).
--expect-model ID: a chat request whose "model" is not ID gets a 400.
--chat-answer-file: /v1/chat/completions answers with FILE's text as it is
(e.g. prose and a fenced solution), instead of --reply in a python fence.
--record: every generation request's JSON body is appended to FILE, one a line.
--answers FILE: a JSON list of {"match": TEXT, "content": TEXT, "finish_reason":
"stop"|"length", "reasoning": TEXT}: a generation request whose prompt (or last
message) contains TEXT gets that answer (the first that matches), chat and
/completion alike; the others get --reply as usual.
"""
import argparse, json, os, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ap = argparse.ArgumentParser()
ap.add_argument("--host", default="127.0.0.1")
ap.add_argument("--port", type=int, required=True)
ap.add_argument("--ready-after", type=float, default=0.0)
ap.add_argument("--never-ready", action="store_true")
ap.add_argument("--exit-after-requests", type=int, default=0)
ap.add_argument("--hang", action="store_true")
ap.add_argument("--status-500-every", type=int, default=0)
ap.add_argument("--status-503-first", type=int, default=0)
ap.add_argument("--slots", type=int, default=4)
ap.add_argument("--n-ctx", type=int, default=4096)
ap.add_argument("--reply", default="    return 1\n")
ap.add_argument("--delay", type=float, default=0.0)
ap.add_argument("--exit-at-start", type=int, default=0)
ap.add_argument("--malformed", default="")
ap.add_argument("--malformed-every", type=int, default=1)
ap.add_argument("--openai-only", action="store_true")
ap.add_argument("--api-key", default="")
ap.add_argument("--expect-model", default="")
ap.add_argument("--huge-reply", type=int, default=0, help="a /completion whose content is this many bytes")
ap.add_argument("--no-length", action="store_true", help="with --huge-reply: no Content-Length, close at the end")
ap.add_argument("--chat-answer-file")
ap.add_argument("--record")
ap.add_argument("--answers")
# llama-server flags benchlua passes, accepted and ignored
ap.add_argument("-m"); ap.add_argument("-np"); ap.add_argument("-c"); ap.add_argument("-ngl")
args, _ = ap.parse_known_args()

if args.exit_at_start:
    sys.stderr.write("llama_model_load: error loading model: failed to open fake.gguf\n")
    sys.exit(args.exit_at_start)
start = time.time()
# llama-server's /props media_marker: random, drawn once per process
media_marker = "<__media_%s__>" % os.urandom(16).hex()
lock = threading.Lock()
count = {"gen": 0, "503": 0, "health200": 0, "health503": 0}


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        sys.stderr.write("fake: %s %s\n" % (self.command, self.path))

    def send(self, code, obj, raw=None):
        body = raw if raw is not None else json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def refused(self):
        """401 without the API key, 404 for what an OpenAI-only server lacks."""
        if args.api_key and self.headers.get("Authorization") != "Bearer " + args.api_key:
            self.send(401, {"error": {"code": 401, "message": "invalid api key"}})
            return True
        if args.openai_only and self.path not in ("/v1/models", "/v1/chat/completions"):
            self.send(404, {"error": {"code": 404, "message": "not found"}})
            return True
        return False

    def malformed(self, chat):
        kind = args.malformed
        if kind == "not-object":
            return self.send(200, None, b'[{"content": "x"}]')
        if kind == "string-body":
            return self.send(200, None, b'"x"')
        if kind == "no-content":
            return self.send(200, {} if not chat else {"choices": [{"message": {"role": "assistant"}, "finish_reason": "stop"}]})
        if kind == "nan-tokens":
            body = (b'{"choices": [{"message": {"role": "assistant", "content": "```python\\nx\\n```"}, "finish_reason": "stop"}], "usage": {"completion_tokens": NaN, "prompt_tokens": 1}}'
                    if chat else b'{"content": "x", "tokens_predicted": NaN, "tokens_evaluated": 1, "stop_type": "eos"}')
            return self.send(200, None, body)
        content = {"content-null": None, "content-object": {"text": "x"}, "content-number": 42}.get(kind, "x")
        if chat:
            return self.send(200, {"choices": [{"message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
                                   "usage": {"completion_tokens": 5, "prompt_tokens": 10}})
        timings = {"predicted_n": 5, "predicted_ms": "fast" if kind == "predicted-ms-string" else 1.0}
        return self.send(200, {"content": content, "tokens_predicted": 5, "tokens_evaluated": 10, "stop_type": "eos", "timings": timings})

    def send_huge(self, n):
        head = b'{"content": "'
        tail = b'", "tokens_predicted": 5, "tokens_evaluated": 10, "stop_type": "eos"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if args.no_length:
            self.send_header("Connection", "close")
            self.close_connection = True
        else:
            self.send_header("Content-Length", str(len(head) + n + len(tail)))
        self.end_headers()
        chunk = b"x" * (1 << 20)
        try:
            self.wfile.write(head)
            while n > 0:
                self.wfile.write(chunk[:min(n, len(chunk))])
                n -= len(chunk)
            self.wfile.write(tail)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def known(self, body):
        if not args.answers:
            return None
        text = body.get("prompt") or ""
        if body.get("messages"):
            text = body["messages"][-1].get("content") or ""
        with open(args.answers) as f:
            for a in json.load(f):
                if a["match"] in text:
                    return a
        return None

    def send_known(self, a, chat):
        finish = a.get("finish_reason", "stop")
        timings = {"prompt_n": 7, "cache_n": 3, "predicted_n": 5, "predicted_ms": 1.0}
        if chat:
            msg = {"role": "assistant", "content": a["content"]}
            if a.get("reasoning"):
                msg["reasoning_content"] = a["reasoning"]
            return self.send(200, {"choices": [{"message": msg, "finish_reason": finish}],
                                   "usage": {"completion_tokens": 5, "prompt_tokens": 10}, "timings": timings})
        return self.send(200, {"content": a["content"], "tokens_predicted": 5, "tokens_evaluated": 10,
                               "stop_type": "limit" if finish == "length" else "eos", "timings": timings})

    def do_GET(self):
        if self.refused():
            return
        if self.path == "/health":
            ready = not args.never_ready and time.time() - start >= args.ready_after
            with lock:
                count["health200" if ready else "health503"] += 1
            if not ready:
                return self.send(503, {"error": {"code": 503, "message": "Loading model"}})
            return self.send(200, {"status": "ok"})
        if self.path == "/fake/counts":  # what the tests ask of the fake itself
            with lock:
                return self.send(200, dict(count))
        if self.path == "/props":
            return self.send(200, {"build_info": "b0-fake", "total_slots": args.slots,
                                   "default_generation_settings": {"n_ctx": args.n_ctx},
                                   "model_path": "fake.gguf", "media_marker": media_marker})
        if self.path == "/v1/models":
            return self.send(200, {"object": "list", "data": [{"id": "fake.gguf", "meta": {"n_params": 1000, "size": 4000, "n_ctx_train": 8192}}]})
        self.send(404, {"error": {"code": 404, "message": "not found"}})

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(n) or b"{}")
        if self.refused():
            return
        if self.path == "/v1/chat/completions" and args.expect_model and body.get("model") != args.expect_model:
            return self.send(400, {"error": {"code": 400, "message": "model %r is not served here" % body.get("model")}})
        if self.path == "/tokenize":
            text = body.get("content", "")
            return self.send(200, {"tokens": list(range(len(text.encode())))})
        if args.record:
            with lock, open(args.record, "a") as f:
                f.write(json.dumps(body) + "\n")
        with lock:
            count["gen"] += 1
            k = count["gen"]
            if count["503"] < args.status_503_first:
                count["503"] += 1
                return self.send(503, {"error": {"code": 503, "message": "busy"}})
        if args.exit_after_requests and k > args.exit_after_requests:
            os._exit(3)
        if args.hang:
            time.sleep(3600)
        if args.status_500_every and k % args.status_500_every == 0:
            return self.send(500, {"error": {"code": 500, "message": "internal failure"}})
        if args.delay:
            time.sleep(args.delay)
        if self.path == "/completion" and args.huge_reply:
            return self.send_huge(args.huge_reply)
        if args.malformed and k % args.malformed_every == 0:
            return self.malformed(self.path == "/v1/chat/completions")
        known = self.known(body)
        if known is not None:
            return self.send_known(known, self.path == "/v1/chat/completions")
        if self.path == "/completion":
            return self.send(200, {"content": args.reply, "tokens_predicted": 5, "tokens_evaluated": 10,
                                   "stop_type": "eos", "timings": {"predicted_n": 5, "predicted_ms": 1.0}})
        if self.path == "/v1/chat/completions":
            answer = "```python\n" + args.reply + "```"
            if args.chat_answer_file:
                with open(args.chat_answer_file) as f:
                    answer = f.read()
            return self.send(200, {"choices": [{"message": {"role": "assistant", "content": answer},
                                                "finish_reason": "stop"}],
                                   "usage": {"completion_tokens": 5, "prompt_tokens": 10}})
        self.send(404, {"error": {"code": 404, "message": "not found"}})


srv = ThreadingHTTPServer((args.host, args.port), H)
srv.daemon_threads = True
sys.stderr.write("fake server listening on %s:%d\n" % (args.host, args.port))
sys.stderr.flush()
srv.serve_forever()
