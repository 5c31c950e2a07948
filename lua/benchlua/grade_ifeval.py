"""IFEval instruction checker for benchlua (verdicts of google-research
instruction_following_eval evaluation_lib, strict and loose).

Written for benchlua from the reference's documented behaviour; the reference
was run to make tests/fixtures/ifeval/ and every verdict there is compared.
Protocol (lua/benchlua/pygrade.lua): setup(config) once, grade(item) per
response, versions() for the record.

item = {"response", "prompt", "instruction_id_list", "kwargs"} ->
  {"strict_passed", "loose_passed", "strict_instructions", "loose_instructions"}

Differences from the reference, on purpose:
- langdetect is seeded (DetectorFactory.seed = 0); the reference leaves it
  random, so its verdicts on borderline texts vary from run to run.
- keywords:letter_frequency with a "letter" that is not one ASCII letter
  (keys 1122 '#', 1129 '!'): the reference checks a letter drawn at random;
  here the character given is counted.
"""
import collections
import functools
import json
import os
import re
import sys

_PUNKT = None
_WORDS = None


def _load_punkt(directory):
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

    def lines(name):
        with open(os.path.join(directory, name), encoding="utf-8") as f:
            return f.read().split("\n")

    params = PunktParameters()
    params.abbrev_types = set(lines("abbrev_types.txt"))
    params.sent_starters = set(lines("sent_starters.txt"))
    params.collocations = set(tuple(l.split("\t")) for l in lines("collocations.tab"))
    ortho = collections.defaultdict(int)
    for line in lines("ortho_context.tab"):
        key, _, value = line.rpartition("\t")
        ortho[key] = int(value)
    params.ortho_context = ortho
    tok = PunktSentenceTokenizer()
    tok._params = params
    return tok


def setup(config):
    """config["punkt_dir"]: the directory of punkt_tab/english's four files."""
    global _PUNKT, _WORDS
    import langdetect
    from nltk.tokenize import NLTKWordTokenizer

    langdetect.DetectorFactory.seed = 0
    _PUNKT = _load_punkt(config["punkt_dir"])
    _WORDS = NLTKWordTokenizer()


def versions():
    import langdetect  # noqa: F401
    import nltk
    from importlib import metadata

    try:
        ld = metadata.version("langdetect")
    except Exception:  # Debian's egg-info may be missing
        ld = "unknown"
    import numpy
    return {"python": sys.version.split()[0], "nltk": nltk.__version__, "langdetect": ld,
            "numpy": numpy.__version__}


# --- text measures (cached: loose grading asks the same text many times) ---

_FAST_DETECTOR = None


def _fast_detector_class():
    """langdetect's Detector with its trial loop on numpy vectors: the same
    random draws and the same floating-point operations in the same order
    (each probability times (weight + the n-gram's); every 5th draw divided
    by their plain left-to-right sum), so the same answers, faster."""
    import numpy
    from langdetect.detector import Detector
    from langdetect.lang_detect_exception import ErrorCode, LangDetectException

    vectors = {}

    class FastDetector(Detector):
        def _detect_block(self):
            self.cleaning_text()
            ngrams = self._extract_ngrams()
            if not ngrams:
                raise LangDetectException(ErrorCode.CantDetectError, "No features in text.")
            table = self.word_lang_prob_map
            total = numpy.zeros(len(self.langlist))
            rnd = self.random
            rnd.seed(self.seed)
            for _ in range(self.n_trial):
                prob = numpy.array(self._init_probability(), dtype=numpy.float64)
                weight = (self.alpha + rnd.gauss(0.0, 1.0) * self.ALPHA_WIDTH) / self.BASE_FREQ
                i = 0
                while True:
                    word = rnd.choice(ngrams)
                    v = vectors.get(word)
                    if v is None:
                        v = vectors[word] = numpy.array(table[word], dtype=numpy.float64)
                    prob *= weight + v
                    if i % 5 == 0:
                        prob /= sum(prob.tolist())
                        if max(0.0, prob.max()) > self.CONV_THRESHOLD or i >= self.ITERATION_LIMIT:
                            break
                    i += 1
                total += prob / self.n_trial
            self.langprob = total.tolist()

    return FastDetector


@functools.lru_cache(maxsize=4096)
def _language(text):
    """langdetect's answer, or None where it cannot tell (counted as followed)."""
    global _FAST_DETECTOR
    from langdetect import detector_factory
    from langdetect.lang_detect_exception import LangDetectException
    if _FAST_DETECTOR is None:
        _FAST_DETECTOR = _fast_detector_class()
    detector_factory.init_factory()
    detector = detector_factory._factory.create()
    detector.__class__ = _FAST_DETECTOR
    try:
        detector.append(text)
        return detector.detect()
    except LangDetectException:
        return None


@functools.lru_cache(maxsize=4096)
def _sentences(text):
    return len(_PUNKT.tokenize(text))


@functools.lru_cache(maxsize=4096)
def _capital_words(text):
    n = 0
    for sentence in _PUNKT.tokenize(text):
        for token in _WORDS.tokenize(sentence):
            if token.isupper():
                n += 1
    return n


_WORD = re.compile(r"\w+")


def _compare(count, relation, threshold):
    # the reference: "less than" is <, anything else it accepts ("at least") is >=
    return count < threshold if relation == "less than" else count >= threshold


# --- the 25 checks: f(text, kwargs, prompt) -> bool ---

def _existence(text, kw, prompt):
    return all(re.search(k, text, re.IGNORECASE) for k in kw["keywords"])


def _frequency(text, kw, prompt):
    n = len(re.findall(kw["keyword"].strip(), text, re.IGNORECASE))
    return _compare(n, kw["relation"], kw["frequency"])


def _forbidden(text, kw, prompt):
    return not any(re.search(r"\b" + w + r"\b", text, re.IGNORECASE) for w in kw["forbidden_words"])


def _letter_frequency(text, kw, prompt):
    letter = kw["letter"].strip().lower()
    return _compare(text.lower().count(letter), kw["let_relation"], kw["let_frequency"])


def _response_language(text, kw, prompt):
    lang = _language(text)
    return lang is None or lang == kw["language"]


def _number_sentences(text, kw, prompt):
    return _compare(_sentences(text), kw["relation"], kw["num_sentences"])


def _number_paragraphs(text, kw, prompt):
    parts = re.split(r"\s?\*\*\*\s?", text)
    last = len(parts) - 1
    count = 0
    for i, part in enumerate(parts):
        if part.strip():
            count += 1
        elif 0 < i < last:
            return False  # an empty paragraph between two dividers
    return count == kw["num_paragraphs"]


def _number_words(text, kw, prompt):
    return _compare(len(_WORD.findall(text)), kw["relation"], kw["num_words"])


def _nth_paragraph_first_word(text, kw, prompt):
    parts = text.split("\n\n")
    count = sum(1 for p in parts if p.strip())
    nth = kw["nth_paragraph"]
    if nth > count:
        return False
    para = parts[nth - 1].strip()
    if not para:
        return False
    word = para.split()[0].strip().lstrip("'").lstrip('"')
    m = re.match(r"[^.,?!'\"]*", word)
    return count == kw["num_paragraphs"] and m.group(0).lower() == kw["first_word"].lower()


def _placeholders(text, kw, prompt):
    return len(re.findall(r"\[.*?\]", text)) >= kw["num_placeholders"]


def _postscript(text, kw, prompt):
    marker = kw["postscript_marker"].strip()
    if marker == "P.P.S":
        pattern = r"\s*p\.\s?p\.\s?s.*$"
    elif marker == "P.S.":
        pattern = r"\s*p\.\s?s\..*$"
    else:
        pattern = r"\s*" + marker.lower() + r".*$"
    return re.search(pattern, text.lower(), re.MULTILINE) is not None


_STAR_BULLET = re.compile(r"^\s*\*[^*].*$", re.MULTILINE)
_DASH_BULLET = re.compile(r"^\s*-.*$", re.MULTILINE)


def _bullets(text, kw, prompt):
    n = len(_STAR_BULLET.findall(text)) + len(_DASH_BULLET.findall(text))
    return n == kw["num_bullets"]


_CONSTRAINED = ("My answer is yes.", "My answer is no.", "My answer is maybe.")


def _constrained(text, kw, prompt):
    text = text.strip()
    return any(option in text for option in _CONSTRAINED)


def _highlights(text, kw, prompt):
    n = sum(1 for h in re.findall(r"\*[^\n*]*\*", text) if h.strip("*").strip())
    n += sum(1 for h in re.findall(r"\*\*[^\n*]*\*\*", text) if h[2:-2].strip())
    return n >= kw["num_highlights"]


def _sections(text, kw, prompt):
    splitter = kw["section_spliter"].strip()
    pieces = re.split(r"\s?" + splitter + r"\s?\d+\s?", text)
    return len(pieces) - 1 >= kw["num_sections"]


def _json_format(text, kw, prompt):
    body = text.strip()
    for fence in ("```json", "```Json", "```JSON", "```"):
        if body.startswith(fence):
            body = body[len(fence):]
    if body.endswith("```"):
        body = body[:-3]
    try:
        json.loads(body.strip())
    except ValueError:
        return False
    return True


def _title(text, kw, prompt):
    return any(t.lstrip("<").rstrip(">").strip() for t in re.findall(r"<<[^\n]+>>", text))


def _two_responses(text, kw, prompt):
    parts = text.split("******")
    last = len(parts) - 1
    kept = []
    for i, part in enumerate(parts):
        if part.strip():
            kept.append(part.strip())
        elif 0 < i < last:
            return False
    return len(kept) == 2 and kept[0] != kept[1]


def _repeat_prompt(text, kw, prompt):
    return text.strip().lower().startswith(kw["prompt_to_repeat"].strip().lower())


def _end_checker(text, kw, prompt):
    return text.strip().strip('"').lower().endswith(kw["end_phrase"].strip().lower())


def _capital_word_frequency(text, kw, prompt):
    return _compare(_capital_words(text), kw["capital_relation"], kw["capital_frequency"])


def _english_capital(text, kw, prompt):
    if not text.isupper():
        return False
    lang = _language(text)
    return lang is None or lang == "en"


def _english_lowercase(text, kw, prompt):
    if not text.islower():
        return False
    lang = _language(text)
    return lang is None or lang == "en"


def _no_comma(text, kw, prompt):
    return "," not in text


def _quotation(text, kw, prompt):
    body = text.strip()
    return len(body) > 1 and body[0] == '"' and body[-1] == '"'


CHECKS = {
    "keywords:existence": _existence,
    "keywords:frequency": _frequency,
    "keywords:forbidden_words": _forbidden,
    "keywords:letter_frequency": _letter_frequency,
    "language:response_language": _response_language,
    "length_constraints:number_sentences": _number_sentences,
    "length_constraints:number_paragraphs": _number_paragraphs,
    "length_constraints:number_words": _number_words,
    "length_constraints:nth_paragraph_first_word": _nth_paragraph_first_word,
    "detectable_content:number_placeholders": _placeholders,
    "detectable_content:postscript": _postscript,
    "detectable_format:number_bullet_lists": _bullets,
    "detectable_format:constrained_response": _constrained,
    "detectable_format:number_highlighted_sections": _highlights,
    "detectable_format:multiple_sections": _sections,
    "detectable_format:json_format": _json_format,
    "detectable_format:title": _title,
    "combination:two_responses": _two_responses,
    "combination:repeat_prompt": _repeat_prompt,
    "startend:end_checker": _end_checker,
    "change_case:capital_word_frequency": _capital_word_frequency,
    "change_case:english_capital": _english_capital,
    "change_case:english_lowercase": _english_lowercase,
    "punctuation:no_comma": _no_comma,
    "startend:quotation": _quotation,
}


def _loose_variants(response):
    """The response without '*', without its first/last/both lines, in the
    order the reference tries them after the response itself; empty variants
    and repeats (of the response too) dropped."""
    lines = response.split("\n")
    first = "\n".join(lines[1:]).strip()
    last = "\n".join(lines[:-1]).strip()
    both = "\n".join(lines[1:-1]).strip()
    out, seen = [], {response}
    for v in (response.replace("*", ""), first, last, both,
              first.replace("*", ""), last.replace("*", ""), both.replace("*", "")):
        if v not in seen and v.strip():
            seen.add(v)
            out.append(v)
    return out


def _check(check, text, kw, prompt):
    try:
        return bool(check(text, kw, prompt))
    except (re.error, KeyError, TypeError):
        return False  # a kwarg the check cannot use: not followed
    except RecursionError:
        return False  # JSON nested deeper than Python's parser goes (the reference crashes)


def grade(item):
    response = item.get("response") or ""
    prompt = item.get("prompt") or ""
    ids = item.get("instruction_id_list") or []
    kwargs = item.get("kwargs") or [{}] * len(ids)
    unknown = [i for i in ids if i not in CHECKS]
    if unknown:
        return {"error": "unknown instruction " + ", ".join(unknown), "strict_passed": False,
                "loose_passed": False, "strict_instructions": [False] * len(ids),
                "loose_instructions": [False] * len(ids)}
    strict_texts = [response] if response.strip() else []
    loose_texts = _loose_variants(response)
    strict, loose = [], []
    for iid, kw in zip(ids, kwargs):
        kw = {k: v for k, v in (kw or {}).items() if v is not None}
        check = CHECKS[iid]
        s = any(_check(check, t, kw, prompt) for t in strict_texts)
        strict.append(s)
        loose.append(s or any(_check(check, t, kw, prompt) for t in loose_texts))
    return {"strict_passed": all(strict), "loose_passed": all(loose),
            "strict_instructions": strict, "loose_instructions": loose}


def main():
    """python3 grade_ifeval.py PUNKT_DIR < items.jsonl > results.jsonl"""
    if len(sys.argv) != 2:
        sys.exit("usage: grade_ifeval.py PUNKT_DIR < items.jsonl")
    setup({"punkt_dir": sys.argv[1]})
    out = sys.stdout
    for line in sys.stdin:
        if line.strip():
            out.write(json.dumps(grade(json.loads(line))) + "\n")
    out.flush()


if __name__ == "__main__":
    main()
