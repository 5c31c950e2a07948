# pygrade_serve.py: a Python grading helper, the front end of zygote.py (its
# one framing and request loop; no forks) that lua/benchlua/pygrade.lua runs
# through codeexec's pool, normally inside the namespace sandbox, one warm
# process per core. Requests:
#   {"op": "setup", "module": NAME, "source": TEXT, "config": {...}}
#       -> {"ok": true}: TEXT is the grading module's source, installed as
#       module NAME; its setup(config) is called once.
#   {"op": "grade", "item": {...}} -> {"result": grade(item)}
#   {"op": "versions"} -> {"result": versions()}
# An exception raised by the module is {"error": "Type: message (at FILE:LINE)"};
# a grading module that kills or hangs its process is benchlua's to see (it
# restarts it).
import os
import sys
import types

import zygote as zy

module = None


def install(name, source):
    m = types.ModuleType(name)
    m.__file__ = "benchlua/%s.py" % name
    sys.modules[name] = m
    exec(compile(source, m.__file__, "exec"), m.__dict__)
    return m


def setup(req, payload):
    global module
    module = install(req["module"], req["source"])
    if hasattr(module, "setup"):
        module.setup(req.get("config") or {})
    return {"ok": True}


def loaded():
    if module is None:
        raise zy.Refused("no grading module (setup first)")
    return module


if __name__ == "__main__":
    zy.serve({"setup": setup,
              "grade": lambda req, payload: {"result": loaded().grade(req["item"])},
              "versions": lambda req, payload: {"result": getattr(loaded(), "versions", dict)()}})
    os._exit(0)
