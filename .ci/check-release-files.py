#!/usr/bin/env python3
"""Checks the release workflow, the deploy recipes and the container recipe without running them.

actionlint does not install from a package registry here (the upstream PyPI package downloads its
binary while installing), so this does what can be done offline:

- every workflow and recipe parses (YAML, TOML), and GitHub workflows have the shape GitHub
  requires: jobs with `runs-on` and steps, each step one `uses` (pinned to a ref) or one `run`,
  `needs`, `steps.ID`, `needs.JOB` and `matrix.KEY` naming what exists;
- every shell script, and every `run:` or `script:` block (expressions replaced), passes `sh -n`
  or `bash -n`, and ShellCheck when it is installed;
- every repository path a workflow names exists, every script a recipe names is beside it, and
  the files .dockerignore lets in are exactly the crate's `include` (so the Dockerfile builds
  from the published crate's files);
- each recipe pins casebook's version once, and it is Cargo.toml's version (README's download
  instructions too); each installs with install-casebook.sh and builds with --base-url; every
  casebook GitHub URL is Cargo.toml's `repository`.

Prints one line per problem and exits with 1 if there is any.
"""

import glob
import os
import re
import shutil
import subprocess
import sys
import tomllib

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEPLOY = "docs/deploy"
WORKFLOWS = sorted(glob.glob(".github/workflows/*.yml", root_dir=ROOT)) + [f"{DEPLOY}/github-pages.yml"]
GITLAB = f"{DEPLOY}/gitlab-pages.yml"
NETLIFY = f"{DEPLOY}/netlify.toml"
SCRIPTS = sorted(glob.glob(f"{DEPLOY}/*.sh", root_dir=ROOT)) + sorted(
    glob.glob(".github/scripts/*.sh", root_dir=ROOT)
)
# The recipes: each pins one casebook version, installs it and builds with --base-url.
RECIPES = [
    f"{DEPLOY}/github-pages.yml",
    GITLAB,
    f"{DEPLOY}/netlify-build.sh",
    f"{DEPLOY}/cloudflare-pages-build.sh",
    f"{DEPLOY}/rsync-nginx.sh",
]
EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.S)
# Paths of this repository a workflow may name: the top-level folders and files it has.
REPO_PATH = re.compile(
    r"(?<![\w./$-])((?:\.github|docs|src|themes|data|tests|bench|content)/[\w./-]*[\w]"
    r"|(?:README|CHANGELOG|ARCHITECTURE)\.md|Cargo\.(?:toml|lock)|build\.rs)"
)

problems = []


def problem(path, message):
    problems.append(f"{path}: {message}")


def read(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return f.read()


def exists(path):
    return os.path.exists(os.path.join(ROOT, path))


SHELLCHECK = shutil.which("shellcheck")


def check_shell(path, script, shell):
    """`sh -n`/`bash -n`, then ShellCheck (warnings and errors) when installed."""
    result = subprocess.run([shell, "-n"], input=script, text=True, capture_output=True)
    if result.returncode != 0:
        problem(path, f"{shell} -n: {result.stderr.strip()}")
    if SHELLCHECK:
        dialect = "bash" if shell == "bash" else "sh"
        result = subprocess.run(
            [SHELLCHECK, "--severity=warning", "--format=gcc", f"--shell={dialect}", "-"],
            input=script,
            text=True,
            capture_output=True,
        )
        if result.returncode != 0:
            lines = (f"  line {line.removeprefix('-:')}" for line in result.stdout.strip().splitlines())
            problem(path, "shellcheck:\n" + "\n".join(lines))


def without_expressions(script):
    # An expression becomes a plain word, as GitHub substitutes it before the shell runs.
    return EXPRESSION.sub("EXPR", script)


def check_repo_paths(path, text):
    for name in set(REPO_PATH.findall(text)):
        if "*" not in name and not exists(name):
            problem(path, f"names {name}, which does not exist")


def load_yaml(path):
    try:
        return yaml.safe_load(read(path))
    except yaml.YAMLError as error:
        problem(path, f"not YAML: {error}")
        return None


def as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def check_workflow(path):
    workflow = load_yaml(path)
    if not isinstance(workflow, dict):
        problem(path, "not a mapping")
        return
    # YAML 1.1 reads the key `on` as true.
    if "on" not in workflow and True not in workflow:
        problem(path, "no `on:` trigger")
    jobs = workflow.get("jobs")
    if not isinstance(jobs, dict) or not jobs:
        problem(path, "no jobs")
        return
    text = read(path)
    for expression in EXPRESSION.findall(text):
        if expression.count("(") != expression.count(")") or expression.count("'") % 2:
            problem(path, f"unbalanced expression: ${{{{{expression}}}}}")
    if text.count("${{") != text.count("}}"):
        problem(path, "a `${{` without its `}}` (or the reverse)")
    default_shell = ((workflow.get("defaults") or {}).get("run") or {}).get("shell", "bash")
    for name, job in jobs.items():
        where = f"{path}: job {name}"
        if not isinstance(job, dict):
            problem(where, "not a mapping")
            continue
        if "uses" in job:
            continue
        if "runs-on" not in job:
            problem(where, "no runs-on")
        needs = as_list(job.get("needs"))
        for need in needs:
            if need not in jobs:
                problem(where, f"needs {need}, which is not a job")
        matrix = (job.get("strategy") or {}).get("matrix") or {}
        matrix_keys = {k for k in matrix if k not in ("include", "exclude")}
        for entry in as_list(matrix.get("include")):
            matrix_keys |= set(entry)
        steps = job.get("steps")
        if not isinstance(steps, list) or not steps:
            problem(where, "no steps")
            continue
        ids = {step.get("id") for step in steps if isinstance(step, dict)}
        job_text = yaml.safe_dump(job)
        for kind, key in re.findall(r"\b(steps|needs|matrix)\.([\w-]+)", " ".join(EXPRESSION.findall(job_text))):
            if kind == "steps" and key not in ids:
                problem(where, f"steps.{key}: no step has that id")
            if kind == "needs" and key not in needs:
                problem(where, f"needs.{key}: the job does not need {key}")
            if kind == "matrix" and key not in matrix_keys:
                problem(where, f"matrix.{key}: the matrix has no such key")
        for number, step in enumerate(steps, 1):
            at = f"{where}, step {number}"
            if not isinstance(step, dict):
                problem(at, "not a mapping")
                continue
            if ("uses" in step) == ("run" in step):
                problem(at, "needs exactly one of `uses` and `run`")
            uses = step.get("uses")
            if uses:
                if uses.startswith("./"):
                    if not exists(uses):
                        problem(at, f"uses {uses}, which does not exist")
                elif not uses.startswith("docker://") and not re.fullmatch(r"[\w.-]+/[\w./-]+@[\w.-]+", uses):
                    problem(at, f"uses {uses}: not owner/repository@ref")
            run = step.get("run")
            if run:
                shell = step.get("shell") or (job.get("defaults") or {}).get("run", {}).get("shell") or default_shell
                check_shell(at, without_expressions(run), "bash" if shell.startswith("bash") else "sh")
    if path.startswith(".github/"):
        check_repo_paths(path, text)


def check_gitlab(path):
    pipeline = load_yaml(path)
    if not isinstance(pipeline, dict):
        problem(path, "not a mapping")
        return
    jobs = {k: v for k, v in pipeline.items() if isinstance(v, dict) and "script" in v}
    if "pages" not in jobs:
        problem(path, "no `pages` job")
    for name, job in jobs.items():
        script = "\n".join(as_list(job.get("before_script")) + as_list(job.get("script")))
        check_shell(f"{path}: job {name}", script, "sh")
        if name == "pages" and "public" not in as_list((job.get("artifacts") or {}).get("paths")):
            problem(path, "the pages job does not keep public/ as its artifact")


def check_netlify(path):
    try:
        config = tomllib.loads(read(path))
    except tomllib.TOMLDecodeError as error:
        problem(path, f"not TOML: {error}")
        return
    build = config.get("build", {})
    if build.get("publish") != "public":
        problem(path, "build.publish is not public")
    for script in re.findall(r"[\w.-]+\.sh", build.get("command", "")):
        if not exists(f"{DEPLOY}/{script}"):
            problem(path, f"runs {script}, which is not in {DEPLOY}/")


def cargo_package():
    return tomllib.loads(read("Cargo.toml"))["package"]


def check_recipes(package):
    version, repository = package["version"], package["repository"]
    for path in RECIPES:
        text = read(path)
        pins = re.findall(r'^\s*CASEBOOK_VERSION(?::\s*|=)"?([^"\s]+)"?\s*$', text, re.M)
        if len(pins) != 1:
            problem(path, f"pins casebook's version {len(pins)} times, not once (CASEBOOK_VERSION)")
        elif pins[0] != version:
            problem(path, f"installs casebook {pins[0]}, but Cargo.toml's version is {version}")
        if "install-casebook.sh" not in text:
            problem(path, "does not install casebook with install-casebook.sh")
        if not re.search(r"casebook\"? build --base-url ", text):
            problem(path, "does not build with --base-url")
    # README's download instructions name the current version too.
    readme_versions = re.findall(r"^version=(\S+)$", read("README.md"), re.M)
    if readme_versions != [version]:
        problem("README.md", f"the download instructions say version={readme_versions}, not {version}")
    # The recipes fetch the installer from the release: the release workflow must attach it.
    if f"{DEPLOY}/install-casebook.sh" not in read(".github/workflows/release.yml"):
        problem(".github/workflows/release.yml", "does not attach docs/deploy/install-casebook.sh")
    for path in RECIPES + [NETLIFY, f"{DEPLOY}/install-casebook.sh", "CHANGELOG.md", "README.md", "Dockerfile"]:
        text = read(path)
        for script in re.findall(r"(?<![\w/.-])([\w-]+\.sh)\b", text) if path.startswith(DEPLOY) else []:
            if not exists(f"{DEPLOY}/{script}"):
                problem(path, f"names {script}, which is not in {DEPLOY}/")
        for url in re.findall(r"https://github\.com/[\w.-]+/casebook\b", text):
            if url != repository:
                problem(path, f"names {url}, but Cargo.toml's repository is {repository}")


def check_container(package):
    text = read("Dockerfile")
    if not re.search(r'^ENTRYPOINT \["casebook"\]$', text, re.M):
        problem("Dockerfile", 'no ENTRYPOINT ["casebook"]')
    stages = re.findall(r"^FROM\s+(\S+)(?:\s+AS\s+(\S+))?", text, re.M | re.I)
    if len(stages) < 2 or not re.search(r"distroless/static|^scratch$", stages[-1][0]):
        problem("Dockerfile", "the final stage is not distroless/static or scratch")
    names = {name for _, name in stages if name}
    for source in re.findall(r"^COPY\s+--from=(\S+)", text, re.M):
        if source not in names:
            problem("Dockerfile", f"copies from {source}, which is not a stage")
    for sources in re.findall(r"^COPY\s+(?!--from)(.*)\s+\S+$", text, re.M):
        for source in sources.split():
            if not glob.glob(source, root_dir=ROOT) and source != ".":
                problem("Dockerfile", f"copies {source}, which does not exist")
    allowed = []
    for line in read(".dockerignore").splitlines():
        if line.startswith("!"):
            allowed.append(line[1:].rstrip("/"))
            if not glob.glob(allowed[-1], root_dir=ROOT):
                problem(".dockerignore", f"lets in {line[1:]}, which does not exist")
    included = [re.sub(r"/\*\*$", "", entry.lstrip("/")) for entry in package.get("include", [])]
    if sorted(allowed) != sorted(included):
        problem(
            ".dockerignore",
            f"lets in {sorted(set(allowed) ^ set(included))} unlike Cargo.toml's include (or the reverse)",
        )


def main():
    package = cargo_package()
    for path in WORKFLOWS:
        check_workflow(path)
    check_gitlab(GITLAB)
    check_netlify(NETLIFY)
    for path in SCRIPTS:
        check_shell(path, read(path), "sh")
    check_recipes(package)
    check_container(package)
    for line in problems:
        print(line)
    checked = len(WORKFLOWS) + 2 + len(SCRIPTS) + 1
    print(f"checked {checked} workflow, recipe and script files"
          + ("" if SHELLCHECK else " (ShellCheck not installed: syntax only)")
          + f": {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
