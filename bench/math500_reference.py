#!/usr/bin/env python3
"""bench/math500_reference.py: the reference MATH-500 grading, for
bench/math500_grading.lua to time (not part of the build or the tests).

    /usr/bin/python3 bench/math500_reference.py PRM800K_DIR LMEVAL_UTILS < cases.jsonl

Reads {"response", "answer"} lines; for each, lm-eval's
remove_boxed(last_boxed_only_string(response)) (None where it raises) and
openai/prm800k's grading.grader.grade_answer(extracted, answer), run from the
fetched repositories (PRM800K_DIR holds prm800k/grading/ as a package
`grading`, LMEVAL_UTILS is lm_eval/tasks/hendrycks_math/utils.py; see
tests/fixtures/math500/regen.py). Writes {"extracted", "passed"} lines."""
import json
import sys
import types


def main():
    sys.path.insert(0, sys.argv[1])
    stub = types.ModuleType("datasets")
    stub.Dataset = object
    sys.modules["datasets"] = stub
    from grading import grader

    ns = {"__name__": "lmeval_math_utils"}
    with open(sys.argv[2]) as f:
        exec(compile(f.read(), sys.argv[2], "exec"), ns)
    last_boxed, remove_boxed = ns["last_boxed_only_string"], ns["remove_boxed"]
    out = []
    for line in sys.stdin:
        c = json.loads(line)
        try:
            extracted = remove_boxed(last_boxed(c["response"]))
        except Exception:
            extracted = None
        out.append(json.dumps({"extracted": extracted, "passed": bool(grader.grade_answer(extracted, c["answer"]))}))
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
