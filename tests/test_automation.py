"""CI and pre-commit: both workflows pass a current actionlint, and the pre-commit hook stops a bad fact."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import FIXTURES, REPO

WORKFLOW = REPO / ".github" / "workflows" / "briefing.yml"
PULL_REQUEST = REPO / ".github" / "workflows" / "pull-request.yml"


def actionlint(path: Path) -> subprocess.CompletedProcess[str]:
    """jactionlint, the maintained fork of actionlint that ships its binary in its wheel (a test extra), with
    shellcheck (a system package the test set-up installs) checking every `run:` script."""
    linter = Path(sys.executable).with_name("jactionlint")
    if not linter.exists() or not shutil.which("shellcheck"):
        pytest.fail("jactionlint or shellcheck is not installed: run `make test`, which installs what the tests use")
    return subprocess.run([str(linter), "--oneline", "--no-color", str(path)], capture_output=True, text=True, check=False)


@pytest.mark.parametrize("workflow", [WORKFLOW, PULL_REQUEST], ids=["briefing", "pull-request"])
def test_the_workflows_pass_actionlint(workflow: Path) -> None:
    result = actionlint(workflow)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_actionlint_knows_todays_runner_labels(tmp_path: Path) -> None:
    pinned = tmp_path / "pinned.yml"
    pinned.write_text(WORKFLOW.read_text().replace("runs-on: ubuntu-latest", "runs-on: ubuntu-24.04"))
    assert "ubuntu-24.04" in pinned.read_text()
    assert actionlint(pinned).returncode == 0


@pytest.mark.parametrize(
    ("change", "finding"),
    [
        (("${{ github.ref }}", "${{ github.reff }}"), 'property "reff" is not defined'),
        (('[ -z "$(git status', "[ -z $(git status"), "[shellcheck]"),  # shellcheck reads the run: scripts
        (("actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1", "actions/checkout@v7"), "unpinned-uses"),
    ],
    ids=["expression", "shell", "unpinned"],
)
def test_actionlint_catches_a_broken_workflow(tmp_path: Path, change: tuple[str, str], finding: str) -> None:
    broken = tmp_path / "broken.yml"
    text = WORKFLOW.read_text()
    assert change[0] in text
    broken.write_text(text.replace(*change))
    result = actionlint(broken)
    assert result.returncode == 1
    assert finding in result.stdout


def steps_of(job: dict) -> str:
    return " ".join(str(step.get("run", "")) + str(step.get("uses", "")) for step in job["steps"])


def test_the_workflow_does_what_the_readme_promises() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert set(triggers) == {"push", "schedule", "workflow_dispatch"}
    minute = triggers["schedule"][0]["cron"].split()[0]
    assert minute not in ("0", "*"), "a scheduled run should avoid the top of the hour"
    assert {".github/workflows/briefing.yml", "pyproject.toml", "briefgen/**", "judgments.yaml"} <= set(triggers["push"]["paths"])
    assert "concurrency" in workflow
    build, commit = workflow["jobs"]["briefing"], workflow["jobs"]["commit"]
    for command in ("briefgen check --format github", "briefgen build", "actions/upload-artifact"):
        assert command in steps_of(build)
    assert "git status --porcelain -- 'output/*.md' 'output/*-figures'" in steps_of(commit)
    assert "git pull --rebase" in steps_of(commit), "a main that moved during the run must not fail the push"
    # Write access only where it commits: the workflow and the build are read-only, the commit job runs no project code.
    assert workflow["permissions"] == {"contents": "read"} and "permissions" not in build
    assert commit["permissions"] == {"contents": "write"} and commit["needs"] == "briefing"
    assert "pip install" not in steps_of(commit) and "briefgen" not in steps_of(commit)
    assert build["steps"][0]["with"]["persist-credentials"] is False


def test_pull_requests_are_checked_with_a_read_only_token() -> None:
    workflow = yaml.safe_load(PULL_REQUEST.read_text())
    triggers = workflow[True]
    assert set(triggers) == {"pull_request"}  # never pull_request_target, which would hand a fork a writable token
    assert {"facts/**", "seeds/**", "templates/**", "briefgen.yaml", "pyproject.toml"} <= set(triggers["pull_request"]["paths"])
    assert workflow["permissions"] == {"contents": "read"}
    assert all("permissions" not in job for job in workflow["jobs"].values())
    (job,) = workflow["jobs"].values()
    assert job["steps"][0]["with"]["persist-credentials"] is False
    for command in ("briefgen check --format github", "briefgen build", "actions/upload-artifact"):
        assert command in steps_of(job)


def test_the_pre_commit_manifest_is_valid() -> None:
    subprocess.run([sys.executable, "-m", "pre_commit", "validate-manifest", str(REPO / ".pre-commit-hooks.yaml")], check=True)


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=Analyst", "-c", "user.email=analyst@example.org", *args],
        check=True,
        capture_output=True,
    )


@pytest.mark.slow
def test_the_pre_commit_hook_runs_check_and_stops_a_bad_fact(tmp_path: Path) -> None:
    if subprocess.run(["git", "-C", str(REPO), "ls-files", "--error-unmatch", ".pre-commit-hooks.yaml"], capture_output=True).returncode:
        pytest.skip("the hook manifest is not committed in this checkout")
    project = tmp_path / "project"
    shutil.copytree(FIXTURES / "tiny", project)
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "Facts")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    hook = [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "briefgen-check", "--all-files"]

    clean = subprocess.run(hook, cwd=project, capture_output=True, text=True, env=env, check=False)
    assert clean.returncode == 0, clean.stdout + clean.stderr

    facts = project / "facts" / "beta.yaml"
    facts.write_text(facts.read_text().replace("saw convoys moving", "saw trucks moving"))
    git(project, "add", "-A")
    bad = subprocess.run(hook, cwd=project, capture_output=True, text=True, env=env, check=False)
    assert bad.returncode == 1
    assert "briefgen check" in bad.stdout and "Failed" in bad.stdout
    assert "facts/beta.yaml:17:14: error: quote of fact 'convoys-north' is not in source 'blog-two'" in bad.stdout
