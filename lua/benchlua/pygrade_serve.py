# pygrade_serve.py: the serve loop of a Python grading helper, embedded in
# the benchlua binary and run by lua/benchlua/pygrade.lua through codeexec's
# pool (`python3 -I -c <this text> --zygote [--pidns]`), normally inside the
# namespace sandbox, one warm process per core.
#
# It says {"ready": true, ...} on stdout, then answers one JSON line per
# request line on stdin:
#   {"op": "setup", "module": NAME, "source": TEXT, "config": {...}}
#       -> {"ok": true}: TEXT is the grading module's source, installed as
#       module NAME; its setup(config) is called once.
#   {"op": "grade", "item": {...}} -> {"result": grade(item)}
#   {"op": "versions"} -> {"result": versions()}
# An exception raised by the module is {"error": "Type: message"}; a grading
# module that kills or hangs its process is benchlua's to see (it restarts it).
import json
import os
import sys
import traceback
import types

module = None


def send(obj):
    data = (json.dumps(obj, ensure_ascii=True, default=str) + "\n").encode()
    while data:
        data = data[os.write(1, data):]


def install(name, source):
    m = types.ModuleType(name)
    m.__file__ = "benchlua/%s.py" % name
    sys.modules[name] = m
    exec(compile(source, m.__file__, "exec"), m.__dict__)
    return m


def handle(req):
    global module
    op = req.get("op")
    if op == "setup":
        module = install(req["module"], req["source"])
        if hasattr(module, "setup"):
            module.setup(req.get("config") or {})
        return {"ok": True}
    if module is None:
        return {"error": "no grading module (setup first)"}
    if op == "grade":
        return {"result": module.grade(req["item"])}
    if op == "versions":
        return {"result": module.versions() if hasattr(module, "versions") else {}}
    return {"error": "unknown op %r" % (op,)}


def main():
    send({"ready": True, "pid": os.getpid(), "python": sys.version.split()[0]})
    stdin = sys.stdin.buffer
    while True:
        line = stdin.readline()
        if not line:
            break
        try:
            req = json.loads(line.decode("utf-8", "replace"))
        except ValueError as e:
            send({"error": "bad request: %s" % e})
            continue
        try:
            send(handle(req))
        except Exception as e:
            tb = traceback.extract_tb(e.__traceback__)
            where = ("%s:%d" % (tb[-1].filename, tb[-1].lineno)) if tb else "?"
            send({"error": "%s: %s (at %s)" % (type(e).__name__, e, where)})
    os._exit(0)


if __name__ == "__main__":
    main()
