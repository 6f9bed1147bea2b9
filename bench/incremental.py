#!/usr/bin/env python3
"""Measures the preview's incremental rebuilds, from outside, as an editor would see them.

Starts `casebook watch` on a site, waits for the first build, then repeatedly edits one
incident file and measures the time from the file being saved to the incident's page holding
the edit (polling the output file), plus the time until casebook reports the rebuild done.
Three kinds of edit: the body, the tags (the incident moves between tag pages), and a no-op
save (same bytes). Prints the median and worst of each.

    bench/incremental.py SITE [--edits 9] [--casebook target/release/casebook]
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import time


def wait_for(predicate, timeout=60.0, step=0.0005):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


class Watch:
    def __init__(self, casebook, site):
        self.log_path = os.path.join(site, ".bench-watch.log")
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [casebook, "watch", "--root", site, "--output", os.path.join(site, "public")],
            stderr=self.log,
            stdout=subprocess.DEVNULL,
        )
        self.seen = 0

    def lines(self):
        with open(self.log_path) as f:
            return f.read().splitlines()

    def next_report(self, timeout=120.0):
        """Waits for the next rebuild line and returns it."""
        found = []

        def ready():
            lines = [l for l in self.lines() if " rendered" in l or "failed" in l]
            if len(lines) > self.seen:
                found.append(lines[self.seen])
                return True
            return False

        if not wait_for(ready, timeout, 0.002):
            sys.exit("casebook watch reported nothing: " + "\n".join(self.lines()[-5:]))
        self.seen += 1
        return found[0]

    def stop(self):
        self.proc.terminate()
        self.proc.wait()
        self.log.close()


def page_of(site, path):
    """The output page of an incident file (its slug is its file name in the corpus)."""
    text = open(path).read()
    m = re.search(r"^slug:\s*(\S+)", text, re.M)
    slug = m.group(1) if m else os.path.splitext(os.path.basename(path))[0]
    return os.path.join(site, "public", "incidents", slug, "index.html")


def done_ms(line):
    m = re.search(r"done in (\d+) ms", line)
    return int(m.group(1)) if m else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site")
    parser.add_argument("--edits", type=int, default=9)
    parser.add_argument("--casebook", default="target/release/casebook")
    args = parser.parse_args()

    content = os.path.join(args.site, "content")
    files = sorted(
        os.path.join(d, f) for d, _, fs in os.walk(content) for f in fs if f.endswith(".md")
    )
    watch = Watch(args.casebook, args.site)
    try:
        first = watch.next_report(timeout=600)
        print(f"first build: {first}")
        results = {"body": [], "tags": [], "no-op save": []}
        for n in range(args.edits):
            # A different incident each time, spread over the corpus.
            path = files[(n * 7919) % len(files)]
            page = page_of(args.site, path)
            original = open(path).read()

            def save(text, expect=None):
                """Saves `text`, waits for the page to hold `expect` and for casebook's report;
                returns (ms until the page held it, or until the report; ms casebook reports)."""
                started = time.monotonic()
                with open(path, "w") as f:
                    f.write(text)
                if expect is not None:
                    wait_for(lambda: os.path.exists(page) and expect in open(page).read())
                    written = (time.monotonic() - started) * 1000
                line = watch.next_report()
                if expect is None:
                    written = (time.monotonic() - started) * 1000
                return written, done_ms(line)

            marker = f"bench-edit-{n}-{time.time_ns()}"
            edited = original.replace("\n---\n", f"\n---\n{marker}\n\n", 1)
            results["body"].append(save(edited, marker))

            tag = f"benchtag{n % 3}"
            m = re.search(r"^tags:\s*\[", edited, re.M)
            if m:
                tagged = edited[: m.end()] + tag + ", " + edited[m.end():]
            else:
                tagged = edited.replace("\n---\n", f"\ntags: [{tag}]\n---\n", 1)
            results["tags"].append(save(tagged, tag))

            results["no-op save"].append(save(tagged))

            with open(path, "w") as f:
                f.write(original)
            watch.next_report()

        print(f"{'edit':<12} {'saved -> page written (ms)':>28} {'rebuild done, casebook (ms)':>28}")
        for kind, values in results.items():
            w = [v[0] for v in values]
            d = [v[1] for v in values if v[1] is not None]
            print(
                f"{kind:<12} {'median %.0f, max %.0f' % (statistics.median(w), max(w)):>28}"
                f" {'median %.0f, max %.0f' % (statistics.median(d), max(d)):>28}"
            )
    finally:
        watch.stop()


if __name__ == "__main__":
    main()
