#!/usr/bin/env python3
"""Python VADER baseline for the listening benchmark: the straightforward
single-core Python pipeline that socialdesk's Rust listening pipeline is
compared against.

    pip install vaderSentiment
    python3 bench/listen_baseline.py --corpus posts.jsonl --queries queries.txt [--limit N]

For every line of the JSONL corpus ({"id", "network", "text", "created_at", ...}),
in one timed loop: json.loads, VADER's compound score of the text, every query's
regex searched in the text, and per (query, minute of created_at) counts of
volume and of negative posts (compound <= -0.05) kept in a dict. Lines that are
not a JSON object with a string "text" and "created_at" (or "createdAt") are
counted and skipped; blank lines are ignored, as in `socialdesk listen import`.

The corpus lines are read into memory and the queries and VADER's lexicon are
loaded before the clock starts, so "seconds" (wall, time.perf_counter) and
"cpu_seconds" (this process, time.process_time) cover the pipeline loop only.
One JSON object is printed on stdout.

Simplification, in the baseline's favour: the query language (AND, OR, NOT, -,
NEAR/n, ONEAR/n, fields lang:/author:/network:/url:) is NOT implemented. Each
query is reduced to its positive literal terms (words, "quoted phrases", #tags,
@handles, word* prefixes), dropping operators, parentheses, field filters and
negated terms (-term, -(...), NOT term, NOT (...)), and compiled into ONE regex
matching any of them case-insensitively on word boundaries. This matches a
superset of what the real query would (no exclusions, no proximity, no
filters) with less work per post: no accent or width folding and no
tokenisation of Chinese, Japanese or Korean. A query left with no positive term
(e.g. only `lang:es`) matches nothing here.
"""
import argparse
import json
import platform
import re
import sys
import time

OPERATOR = re.compile(r"(?:AND|OR|NOT|O?NEAR/\d+)$")  # case-sensitive, as in the real parser
FIELD = re.compile(r"(?i:lang|author|network|url):.+$")
TOKEN = re.compile(r'["“”][^"“”]*["“”]?|[()]|[^\s()"“”]+')


def query_terms(query):
    """The positive literal terms of a query, as regex fragments."""
    terms, tokens, i = [], TOKEN.findall(query), 0
    negate = False  # the next operand follows NOT or a lone "-"
    while i < len(tokens):
        token = tokens[i]
        i += 1
        if token in ("NOT", "-"):
            negate = True
            continue
        if token == "(":
            if negate:  # skip the whole negated group
                depth = 1
                while i < len(tokens) and depth:
                    depth += {"(": 1, ")": -1}.get(tokens[i], 0)
                    i += 1
            negate = False
            continue
        if token == ")" or OPERATOR.match(token) or FIELD.match(token):
            negate = False
            continue
        if negate or token.startswith("-"):
            negate = False
            continue
        if token[0] in '"“”':  # a phrase: its words, with any non-word run between them
            words = token.strip('"“”').split()
            if words:
                terms.append(r"\W+".join(re.escape(w) for w in words))
        elif token.endswith("*") and len(token) > 1:
            terms.append(re.escape(token.rstrip("*")) + r"\w*")
        else:
            terms.append(re.escape(token))
    return terms


def compile_query(query):
    """One case-insensitive regex for any positive term of the query. (?<!\\w) and
    (?!\\w) rather than \\b, so that #tags and @handles get boundaries too."""
    terms = query_terms(query)
    if not terms:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(terms) + r")(?!\w)", re.IGNORECASE)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", required=True, help="JSONL file, one post a line")
    parser.add_argument("--queries", required=True, help="one listening query a line")
    parser.add_argument("--limit", type=int, default=None, help="read at most N lines")
    args = parser.parse_args()
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError:
        print("vaderSentiment is not installed: pip install vaderSentiment", file=sys.stderr)
        sys.exit(3)
    try:
        from importlib.metadata import version
        vader_version = version("vaderSentiment")
    except Exception:
        vader_version = "unknown"

    # Setup, outside the timing: queries, the lexicon, the corpus lines.
    with open(args.queries, encoding="utf-8") as f:
        queries = [q.strip() for q in f if q.strip()]
    regexes = [(index, rx) for index, rx in enumerate(map(compile_query, queries)) if rx is not None]
    polarity = SentimentIntensityAnalyzer().polarity_scores
    with open(args.corpus, encoding="utf-8", errors="replace") as f:
        lines = [line for _, line in zip(range(args.limit), f)] if args.limit is not None else f.readlines()

    buckets = {}  # (query index, "YYYY-MM-DDTHH:MM") -> [volume, negative]
    posts = skipped = matched = 0
    loads = json.loads
    wall, cpu = time.perf_counter(), time.process_time()
    for line in lines:
        if not line.strip():
            continue
        try:
            post = loads(line)
            text = post["text"]
            created = post.get("created_at") or post["createdAt"]
            if not isinstance(text, str) or not isinstance(created, str):
                raise TypeError
        except (ValueError, KeyError, TypeError, AttributeError):
            skipped += 1
            continue
        posts += 1
        negative = polarity(text)["compound"] <= -0.05
        minute = created[:16]
        hit = False
        for index, rx in regexes:
            if rx.search(text):
                hit = True
                counts = buckets.get((index, minute))
                if counts is None:
                    counts = buckets[(index, minute)] = [0, 0]
                counts[0] += 1
                counts[1] += negative
        matched += hit
    seconds = time.perf_counter() - wall
    cpu_seconds = time.process_time() - cpu

    print(json.dumps({
        "lines": len(lines), "posts": posts, "skipped": skipped, "queries": len(queries),
        "matched": matched, "buckets": len(buckets), "seconds": round(seconds, 6),
        "cpu_seconds": round(cpu_seconds, 6), "posts_per_second": round(posts / seconds, 1) if seconds else None,
        "python": platform.python_version(), "vader": vader_version,
    }))


if __name__ == "__main__":
    main()
