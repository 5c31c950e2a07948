# grade_math.py: MATH-500 answer equivalence for benchlua (the grading helper
# of benchmarks/math500.lua; grade_math500.lua extracts the answer in Lua).
#
# Verdicts are those of openai/prm800k@7ecc7947 prm800k/grading/grader.py
# grade_answer(given, ground_truth): written here from a reading of that code
# (not copied) and checked against verdicts made by running it
# (tests/fixtures/math500/regen.py, tests/lua/test_grade_math500.lua).
# In words, an answer is correct when
#   1. both sides are equal after the Hendrycks MATH normalisation
#      (prm800k's math_normalize.normalize_answer), or
#   2. both sides are equal after prm800k's own normalisation (units, \text{},
#      ^\circ, "or"/"and", million/billion, LaTeX -> text by pylatexenc), or
#   3. element by element over a tuple/interval (same brackets, same count):
#      two plain fractions must be equal as strings, an integer only equals
#      an integer, anything else when sympy.simplify(gt - given) == 0 (not
#      tried for expressions with more than 2 distinct letters, "^{", "^(",
#      a chained or multi-digit exponent).
# Differences from the reference, none of them in a verdict it gives:
# - a per-item time limit (setup{"timeout"=S}, default 10 s) around the whole
#   grade, imports excepted: past it the result is {"passed": false,
#   "error": "timeout ..."} (the reference has none and may run for ever);
#   0, or setup() outside the main thread (no SIGALRM there), means none;
# - normalised ground truths and sympy results are cached (pure functions);
# - sympy is imported only when needed: plain arithmetic (integers,
#   fractions, decimals, surds, pi, one-letter polynomials) is decided here
#   where sympy's verdict is certain (see _arith_equal); a sympy difference
#   that is a number is compared with 0 directly (simplify returns numbers
#   unchanged), and one clearly non-zero at a generic point is not simplified
#   (simplify keeps values); one LaTeX-to-text converter is built once (it
#   keeps no state between calls).
#
# Protocol (lua/benchlua/pygrade.lua): setup(config) once, grade(item) per
# request, versions(). item = {"extracted": STR|None, "answer": STR};
# result = {"passed": bool} plus "error" when the grade could not be made.
# A helper set up with {"defer": true} that would have to import sympy
# answers {"defer": true} instead: the library grades that item again in
# the one helper it keeps for them, so that one process imports sympy, not
# every helper that meets such an answer.
# `python3 grade_math.py [--timeout S]` grades JSON lines from stdin, one result
# line each (tests, bench/).
import logging
import re
from fractions import Fraction
import signal
import sys

_timeout = 10.0
_defer = False  # setup{"defer": true}: sympy is another helper's to import
_latex = None  # pylatexenc LatexNodes2Text, made on first use
_sympy = None  # (sympy, parse_expr, transformations), imported on first use


class _Deferred(BaseException):
    """This helper puts sympy off (setup{"defer": true}); a BaseException, as
    GradeTimeout is, so no catch-all of the grading steps takes it."""


class GradeTimeout(BaseException):
    """Raised by the alarm; a BaseException so no `except Exception` in the
    grading steps (which mirror the reference's catch-alls) swallows it."""


def _on_alarm(signum, frame):
    raise GradeTimeout()


def setup(config=None):
    global _timeout, _defer
    config = config or {}
    if config.get("timeout") is not None:
        _timeout = float(config["timeout"])
    _defer = bool(config.get("defer"))
    try:
        signal.signal(signal.SIGALRM, _on_alarm)
    except ValueError:  # not the main thread: no alarm, no time limit
        _timeout = 0
    # pylatexenc logs "macro '\\frac' failed its substitution!" on odd LaTeX:
    # not ours to show (the verdict is unaffected)
    logging.getLogger("pylatexenc").setLevel(logging.CRITICAL)


def _installed_version(name):
    # the version an installed package's metadata (PKG-INFO, METADATA) names,
    # read without importing it: importing sympy is most of a grading run's
    # time, and a run whose answers never need it does not pay it for the
    # record; without such metadata, the package's __version__
    import glob
    import importlib
    import importlib.util
    import os

    spec = importlib.util.find_spec(name)
    if spec is not None and spec.origin:
        site = os.path.dirname(os.path.dirname(spec.origin))
        for info in sorted(glob.glob(os.path.join(glob.escape(site), name + "-*.*-info"))):
            path = os.path.join(info, "METADATA" if info.endswith(".dist-info") else "PKG-INFO")
            try:
                with open(path if os.path.isdir(info) else info, encoding="utf-8") as f:
                    for line in f:
                        if line.startswith("Version:"):
                            return line.split(":", 1)[1].strip()
                        if not line.strip():
                            break
            except OSError:
                pass
    return importlib.import_module(name).__version__


def versions():
    return {
        "python": sys.version.split()[0],
        "sympy": _installed_version("sympy"),
        "pylatexenc": _installed_version("pylatexenc"),
    }


# ---------------------------------------------------------------------------
# Stage 1: the Hendrycks MATH string normalisation (prm800k math_normalize).

_TEXT_WRAP = re.compile(r"^\\text\{(?P<text>.+?)\}$")
_CANON_INT = re.compile(r"(?:0|-?[1-9][0-9]*)")


class _Unchanged(Exception):
    """A step of the Hendrycks normalisation failed: the answer stays as it is."""


def _braced_sqrt(s):
    # \sqrt3 -> \sqrt{3}; a \sqrt at the very end fails the whole normalisation
    if "\\sqrt" not in s:
        return s
    head, *rest = s.split("\\sqrt")
    out = [head]
    for part in rest:
        if part == "":
            raise _Unchanged()
        out.append("\\sqrt" + part if part[0] == "{" else "\\sqrt{" + part[0] + "}" + part[1:])
    return "".join(out)


def _braced_fracs(s):
    # \frac12 -> \frac{1}{2}, \frac1{7} -> \frac{1}{7}; a \frac followed by a
    # single character leaves the string as it was before this step
    head, *rest = s.split("\\frac")
    out = [head]
    for part in rest:
        out.append("\\frac")
        if part == "":
            raise _Unchanged()
        if part[0] == "{":
            out.append(part)
        elif len(part) < 2:
            return s
        elif part[1] == "{":
            out.append("{" + part[0] + "}" + part[1:])
        else:
            out.append("{" + part[0] + "}{" + part[1] + "}" + part[2:])
    return "".join(out)


def _slash_to_frac(s):
    parts = s.split("/")
    if len(parts) == 2 and all(_CANON_INT.fullmatch(p) and len(p.lstrip("-")) <= 4300 for p in parts):
        return "\\frac{" + parts[0] + "}{" + parts[1] + "}"
    return s


def _hendrycks(s):
    for old, new in (("\n", ""), ("\\!", ""), ("\\\\", "\\"), ("tfrac", "frac"), ("dfrac", "frac"),
                     ("\\left", ""), ("\\right", ""), ("^{\\circ}", ""), ("^\\circ", ""), ("\\$", "")):
        s = s.replace(old, new)
    if "\\text{ " in s:  # units on the right; more than one such text fails
        pieces = s.split("\\text{ ")
        if len(pieces) != 2:
            raise _Unchanged()
        s = pieces[0]
    s = s.replace("\\%", "").replace(" .", " 0.").replace("{.", "{0.")
    if s == "":
        return s
    if s[0] == ".":
        s = "0" + s
    sides = s.split("=")
    if len(sides) == 2 and len(sides[0]) <= 2:
        s = sides[1]
    s = _braced_sqrt(s).replace(" ", "")
    s = _braced_fracs(s)
    if s == "0.5":
        s = "\\frac{1}{2}"
    return _slash_to_frac(s)


def mathd_normalize(answer):
    answer = answer.strip()
    m = _TEXT_WRAP.search(answer)
    if m:
        answer = m.group("text").strip()
    try:
        return _hendrycks(answer)
    except _Unchanged:
        return answer


# ---------------------------------------------------------------------------
# Stage 2: prm800k's own normalisation.

_UNITS = [re.compile(u + r"(es)?(s)? *(\^[0-9]+)?") for u in (
    "degree", "cm", "centimeter", "meter", "mile", "second", "minute", "hour", "day",
    "week", "month", "year", "foot", "feet", "inch", "yard")]
_CIRC = re.compile(r"\^ *\\circ")
_THIN_SPACE = re.compile(r",\\! *")
_MINUS_SPACE = re.compile(r"- *")
_MIXED = re.compile(r"([0-9]) +([0-9])")
_GROUPED = re.compile(r"(\d)(,)(\d\d\d)($|\D)")
_UNICODE_OPS = (("√", "sqrt"), ("π", "pi"), ("∞", "inf"), ("∪", "U"), ("·", "*"), ("×", "*"))


def _float_or_none(s):
    try:
        return float(s)
    except ValueError:
        return None


def _near_int(x):
    try:
        return abs(x - int(round(x))) <= 1e-7
    except (OverflowError, ValueError):
        return False


def _ungroup(s):
    # 1,234,567 -> 1234567, but not the commas of a tuple such as (1,234)... which
    # it cannot tell apart: a comma followed by exactly three digits goes
    while True:
        t = _GROUPED.sub(r"\1\3\4", s)
        if t == s:
            return t
        s = t


def _int_like(s):
    x = _float_or_none(_ungroup(s))
    return x is not None and _near_int(x)


class _NoAlarm:
    """Imports run with the time limit paused: an import cut in the middle
    would leave half a module behind for every later grade."""

    def __enter__(self):
        self.left = signal.setitimer(signal.ITIMER_REAL, 0)[0]

    def __exit__(self, *exc):
        if self.left > 0:
            signal.setitimer(signal.ITIMER_REAL, self.left)


def _latex_to_text(s):
    global _latex
    if _latex is None:
        with _NoAlarm():
            from pylatexenc.latex2text import LatexNodes2Text

            _latex = LatexNodes2Text()
    s = s.replace("\\tfrac", "\\frac").replace("\\dfrac", "\\frac").replace("\\frac", " \\frac")
    s = _latex.latex_to_text(s)
    for old, new in _UNICODE_OPS:
        s = s.replace(old, new)
    return s.strip()


def prm_normalize(s):
    m = _TEXT_WRAP.search(s)
    if m:
        s = m.group("text")
    s = s.replace("\\%", "%").replace("\\$", "$").replace("$", "").replace("%", "")
    s = s.replace(" or ", " , ").replace(" and ", " , ")
    s = s.replace("million", "*10^6").replace("billion", "*10^9").replace("trillion", "*10^12")
    for unit in _UNITS:
        s = unit.sub("", s)
    s = _CIRC.sub("", s)
    if s[:1] == "{" and s[-1:] == "}":
        s = s[1:-1]
    s = _THIN_SPACE.sub("", s)
    x = _float_or_none(s)
    if x is not None and _near_int(x):
        s = str(int(round(x)))
    if "\\" in s:
        try:
            s = _latex_to_text(s)
        except Exception:  # pylatexenc refuses it: keep the LaTeX
            pass
    s = _MINUS_SPACE.sub("-", s)
    s = _MIXED.sub(r"\1+\2", s)  # 7 3/4 -> 7+3/4
    s = s.replace(" ", "").replace("{", "").replace("}", "").lower()
    if _int_like(s):
        s = str(int(float(s.replace(",", ""))))  # truncates, as the reference does
    return s


# ---------------------------------------------------------------------------
# Stage 3: element-wise comparison, sympy as the last resort.

_FRAC = re.compile(r"^-?[0-9]+.?/0*[1-9][0-9]*.?$")
_CHAINED_POW = re.compile(r"\^[0-9]+\^")
_LONG_POW = re.compile(r"\^[0-9][0-9]+")
_BRACKETS = "()[]"


def _split_elems(s):
    s = _ungroup(s)
    if s == "":
        return []
    if len(s) > 2 and s[0] in _BRACKETS and s[-1] in _BRACKETS and not any(c in _BRACKETS for c in s[1:-1]):
        return [e.strip() for e in s[1:-1].split(",")]
    return [s]


def _sympy_may_try(expr):
    letters = {c for c in expr.replace("sqrt", "").replace("frac", "") if c.isalpha()}
    if len(letters) > 2 or "^{" in expr or "^(" in expr:
        return False
    return not (_CHAINED_POW.search(expr) or _LONG_POW.search(expr))


def _load_sympy():
    global _sympy
    if _sympy is None:
        with _NoAlarm():
            import sympy
            from sympy.parsing import sympy_parser as sp

            _sympy = (sympy, sp.parse_expr, sp.standard_transformations + (sp.implicit_multiplication_application,))
    return _sympy


_sympy_cache = {}
_COMPARE = re.compile(r"[=<>!:]=|:")
_TUPLE_ARITH = re.compile(r"(?:sqrt\(|pi(?![a-z0-9])|[a-z](?![a-z0-9(])|[0-9+\-*/^().,])*")


def _tuple_raises(expr):
    # numbers, operators, sqrt(...), pi, one-letter symbols and a comma
    # outside every sqrt(...): some side is a Python tuple, which + and * (by
    # an integer) keep a tuple and anything else refuses (nothing here indexes
    # or calls it), so the final subtraction raises
    if "," not in expr or not _TUPLE_ARITH.fullmatch(expr):
        return False
    groups = []
    for m in re.finditer(r"sqrt\(|[(),]", expr):
        t = m.group(0)
        if t == ")":
            if groups:
                groups.pop()
        elif t == ",":
            if "sqrt(" in groups:
                return False
        else:
            groups.append(t)
    return True


def _sympy_equal(gt, given):
    expr = "(" + gt + ")-(" + given + ")"
    if not _sympy_may_try(expr):
        return False
    hit = _sympy_cache.get(expr)
    if hit is None and ("±" in expr or ";" in expr or ("=" in expr and not _COMPARE.search(expr))):
        # no Python expression has them (an "=" outside a comparison or :=
        # is a syntax error or a keyword argument, which sympy's few-letter
        # functions refuse): sympy's parse or evaluation raises
        hit = False
    if hit is None and _tuple_raises(expr):
        hit = False
    if hit is None:
        hit = _arith_equal(gt, given)
        if hit is None:
            hit = _sympy_equal_uncached(expr)
        _sympy_cache[expr] = hit
    return hit


# Deciding without sympy where its answer is certain. sympy parses plain
# arithmetic (canonical integers, decimals, + - * / ^, parentheses, sqrt(...),
# pi, one-letter variables, implicit multiplication) as written here, so:
# - integers and fractions are exact Rationals: the difference is 0 exactly
#   when the Fractions here are equal;
# - simplify keeps an expression's value: a difference clearly not 0 (with
#   the variables at generic values) is never simplified to 0;
# - the same tokens (up to parentheses around the whole) give x - x = 0;
# - a lone decimal equal to an exact value gives a Float 0 (below).
# Anything else (other letters or names, values that come out equal, huge
# numbers, 1/0, a negative under a root) is left to sympy.

class _NotArith(Exception):
    pass


# A number is not followed by e or j (Python would read 2e+5, 2j as one
# number) nor 0 by a letter (0x1f, 0b1); a variable is one letter alone (two
# letters may be a sympy name: ln, re, oo, pi), not followed by a digit.
_ARITH_TOKEN = re.compile(r"(?:0(?![0-9.a-z])|[1-9][0-9]*(?![0-9.ej]))|[0-9]*\.[0-9]+(?![0-9.ej])|sqrt\(|pi(?![a-z0-9(])"
                          r"|[a-z](?![a-z0-9])|[-+*/^()]")
# generic values for the variables: no simple relation between them
_VAR_VALUE = {c: 0.6123724356957945 + 0.1371742112482853 * k for k, c in enumerate("abcdefghijklmnopqrstuvwxyz")}
_FRAC_BITS = 4096


class _Arith:
    def __init__(self, text):
        self.toks, pos = [], 0
        while pos < len(text):
            m = _ARITH_TOKEN.match(text, pos)
            if not m:
                raise _NotArith()
            t = m.group(0)
            if t[0] == "." and self.toks and self.toks[-1] not in ("+", "-", "*", "/", "^", "("):
                raise _NotArith()  # x.5, ).5: not plain arithmetic
            self.toks.append(t)
            pos = m.end()
        self.i = 0

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self):
        t = self.peek()
        self.i += 1
        return t

    def whole(self):
        v = self.expr()
        if self.peek() is not None:
            raise _NotArith()
        return v

    def expr(self):
        v = self.term()
        while self.peek() in ("+", "-"):
            v = _combine(self.take(), v, self.term())
        return v

    def term(self):
        v = self.unary()
        while True:
            t = self.peek()
            if t in ("*", "/"):
                self.take()
                v = _combine(t, v, self.unary())
            elif t is not None and (t[0].isdigit() or t[0].isalpha() or t == "("):
                v = _combine("*", v, self.unary())  # implicit multiplication
            else:
                return v

    def unary(self):
        t = self.peek()
        if t in ("+", "-"):
            self.take()
            v = self.unary()
            return v if t == "+" else _combine("-", (True, 0), v)
        v = self.primary()
        if self.peek() == "^":
            self.take()
            v = _combine("^", v, self.unary())
        return v

    def primary(self):
        t = self.take()
        if t is None:
            raise _NotArith()
        if t in ("(", "sqrt("):
            v = self.expr()
            if self.take() != ")":
                raise _NotArith()
            if t == "sqrt(":
                if v[1] < 0:
                    raise _NotArith()
                return (False, float(v[1]) ** 0.5)
            return v
        if t == "pi":
            return (False, 3.141592653589793)
        if t[0].isdigit() or t[0] == ".":
            return (True, Fraction(int(t))) if "." not in t else (False, float(t))
        if t in _VAR_VALUE:
            return (False, _VAR_VALUE[t])
        raise _NotArith()


def _combine(op, a, b):
    # a, b: (exact, value); exact values are Fractions
    exact = a[0] and b[0]
    x, y = (a[1], b[1]) if exact else (float(a[1]), float(b[1]))
    try:
        if op == "+":
            v = x + y
        elif op == "-":
            v = x - y
        elif op == "*":
            v = x * y
        elif op == "/":
            v = x / y
        elif exact:
            if y.denominator != 1 or abs(y.numerator) * max(x.numerator.bit_length(), x.denominator.bit_length()) > _FRAC_BITS:
                raise _NotArith()
            v = x ** int(y)
        else:
            v = x ** y
    except (ZeroDivisionError, OverflowError):
        raise _NotArith()
    if exact:
        if max(v.numerator.bit_length(), v.denominator.bit_length()) > _FRAC_BITS:
            raise _NotArith()
    elif not isinstance(v, float) or v != v or v in (float("inf"), float("-inf")):
        raise _NotArith()  # complex (a negative to a fractional power), nan, inf
    return (exact, v)


def _unwrapped(toks):
    # the tokens without parentheses around the whole: "((2sqrt(3)))" -> 2sqrt(3)
    while len(toks) > 2 and toks[0] == "(" and toks[-1] == ")":
        depth = 0
        for k, t in enumerate(toks):
            depth += t in ("(", "sqrt(") and 1 or (t == ")" and -1 or 0)
            if depth == 0 and k < len(toks) - 1:
                return toks
        toks = toks[1:-1]
    return toks


def _decimal(toks):
    # the value of a lone decimal ("0.75", "-0.75") as a Fraction, with its digit count
    sign, rest = (-1, toks[1:]) if toks[:1] == ["-"] else (1, toks)
    if len(rest) == 1 and "." in rest[0]:
        return sign * Fraction(rest[0]), sum(c.isdigit() for c in rest[0])
    return None


def _same_decimal(ta, a, tb, b):
    # sympy reads a decimal as a Float of max(15, its digits) digits and turns
    # an exact Rational into a Float of the same precision before subtracting:
    # a decimal whose value is exactly that Rational gives exactly 0; two equal
    # decimals do where both have at most 15 digits (the same precision)
    da = _decimal(ta)
    if da is None:
        return False
    if b[0]:
        return da[0] == b[1]
    db = _decimal(tb)
    return db is not None and da[0] == db[0] and da[1] <= 15 and db[1] <= 15


def _arith_equal(gt, given):
    """True/False where sympy's verdict on gt - given is certain, else None."""
    try:
        pa, pb = _Arith(gt), _Arith(given)
        a, b = pa.whole(), pb.whole()
        ta, tb = _unwrapped(pa.toks), _unwrapped(pb.toks)
        if ta == tb:
            return True  # the same expression: x - x is 0 as sympy builds it
        if a[0] and b[0]:
            return a[1] == b[1]
        if _same_decimal(ta, a, tb, b) or _same_decimal(tb, b, ta, a):
            return True
        x, y = float(a[1]), float(b[1])
        if abs(x - y) > 1e-9 * max(1.0, abs(x), abs(y)):
            return False
    except (_NotArith, OverflowError, ValueError, RecursionError):
        pass
    return None


_sympy_uses = 0


def _sympy_equal_uncached(expr):
    global _sympy_uses
    if _defer and _sympy is None:
        raise _Deferred()
    _sympy_uses += 1
    sympy, parse, transformations = _load_sympy()
    try:
        diff = parse(expr.replace("^", "**"), transformations=transformations)
        if isinstance(diff, sympy.Number):
            return bool(diff == 0)  # simplify returns a number as it is
        if _clearly_nonzero(sympy, diff):
            return False
        _warm_simplify()
        return bool(sympy.simplify(diff) == 0)
    except Exception:  # unparsable or unsimplifiable: not equal, as in the reference
        return False


_simplify_warm = False


def _warm_simplify():
    # what simplify imports on its first call (units, assumptions), with the
    # time limit paused
    global _simplify_warm
    if not _simplify_warm:
        with _NoAlarm():
            import sympy.assumptions.wrapper  # noqa: F401
            import sympy.physics.units.util  # noqa: F401
        _simplify_warm = True


# simplify keeps values: a difference that is clearly not 0 at one point
# (its symbols, at most 2, set to generic values) is never simplified to 0,
# and evaluating it there costs a fraction of simplify. A difference that is
# 0, tiny, undefined or not a number there is left to simplify.
_POINT = ("0.6123724356957945245493210186764728479914", "1.3247179572447460259609088544780973407344")


def _clearly_nonzero(sympy, diff):
    try:
        if not isinstance(diff, sympy.Expr):
            return False
        syms = sorted(diff.free_symbols, key=lambda s: s.name)
        if len(syms) > len(_POINT):
            return False
        v = diff.evalf(30, subs={s: sympy.Float(p, 40) for s, p in zip(syms, _POINT)})
        if not v.is_number or v.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
            return False
        z = complex(v)
        return z == z and abs(z) > 1e-6 and abs(z) != float("inf")
    except Exception:
        return False


def _elem_equal(gt, given):
    if _FRAC.search(gt) and _FRAC.search(given):
        return gt == given  # unreduced fractions are not simplified
    if _int_like(gt) != _int_like(given):
        return False  # an integer answer needs an integer
    return _sympy_equal(gt, given)


_gt_cache = {}


def grade_answer(given, ground_truth):
    if given is None:
        return False
    gt = _gt_cache.get(ground_truth)
    if gt is None:
        gt = (mathd_normalize(ground_truth), prm_normalize(ground_truth))
        if len(_gt_cache) < 100000:
            _gt_cache[ground_truth] = gt
    if mathd_normalize(given) == gt[0]:
        return True
    gt_norm, given_norm = gt[1], prm_normalize(given)
    if gt_norm == given_norm:
        return True
    if given_norm == "":
        return False
    gt_elems, given_elems = _split_elems(gt_norm), _split_elems(given_norm)
    if len(gt_elems) > 1 and (gt_norm[0] != given_norm[0] or gt_norm[-1] != given_norm[-1]):
        return False
    if len(gt_elems) != len(given_elems):
        return False
    return all(_elem_equal(a, b) for a, b in zip(gt_elems, given_elems))


def grade(item):
    given, answer = item.get("extracted"), item.get("answer")
    if not isinstance(answer, str):
        return {"passed": False, "error": "no ground-truth answer"}
    if given is not None and not isinstance(given, str):
        return {"passed": False, "error": "extracted answer is not a string"}
    if _timeout > 0:
        signal.setitimer(signal.ITIMER_REAL, _timeout)
    try:
        return {"passed": bool(grade_answer(given, answer))}
    except GradeTimeout:
        return {"passed": False, "error": "timeout: no verdict in %g s" % _timeout}
    except _Deferred:
        return {"defer": True}
    except RecursionError:
        return {"passed": False, "error": "recursion too deep"}
    finally:
        if _timeout > 0:
            signal.setitimer(signal.ITIMER_REAL, 0)


def main():
    import argparse
    import json

    ap = argparse.ArgumentParser(description="grade JSON lines {extracted, answer} from stdin")
    ap.add_argument("--timeout", type=float, help="seconds per item (default %g)" % _timeout)
    ap.add_argument("--stats", action="store_true", help="at the end, on stderr: whether sympy was imported, its uses")
    args = ap.parse_args()
    setup({"timeout": args.timeout})
    out = sys.stdout
    for line in sys.stdin:
        if line.strip():
            out.write(json.dumps(grade(json.loads(line))) + "\n")
    out.flush()
    if args.stats:
        sys.stderr.write(json.dumps({"sympy_imported": _sympy is not None, "sympy_uses": _sympy_uses}) + "\n")


if __name__ == "__main__":
    main()
