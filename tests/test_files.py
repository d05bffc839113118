"""One rule for every file briefgen reads: inside the project, a regular file, within its size limit.

Each place a pull request could plant a symlink or a FIFO is tried with a secret file outside the project: the
run ends in one located line, the secret appears in no output and no message, and nothing hangs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from briefgen import files, stamp
from conftest import ProjectDir, run

SECRET = "S3CRET-files-7e2a-do-not-leak"


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "outside" / "secret.txt"
    path.parent.mkdir()
    path.write_text(f"{SECRET}\nThe writer saw convoys moving north every night for a week.\n")
    return path


def everything_written(root: Path) -> str:
    out = root / "output"
    return "".join(p.read_bytes().decode("latin-1") for p in out.iterdir()) if out.is_dir() else ""


@pytest.mark.parametrize(
    ("link", "shown_at"),
    [
        ("seeds/blog-two.txt", "seeds/sources.yaml:11:9"),
        ("facts/beta.yaml", "facts/beta.yaml"),
        ("seeds/sources.yaml", "seeds/sources.yaml"),
        ("briefgen.yaml", "briefgen.yaml"),
        ("templates/briefing.md.j2", "templates/briefing.md.j2"),
        ("templates/briefing.css", "templates/briefing.css"),
        ("templates/page.html.j2", "templates/page.html.j2"),
    ],
)
def test_a_symlink_out_of_the_project_is_refused_and_its_target_never_shown(
    tiny: ProjectDir, secret: Path, link: str, shown_at: str
) -> None:
    target = tiny.root / link
    target.parent.mkdir(exist_ok=True)
    target.unlink(missing_ok=True)
    target.symlink_to(secret)
    read_by_check = not link.endswith(("briefing.css", "page.html.j2"))  # check renders no page
    for command in ("check", "build") if read_by_check else ("build",):
        result = run(command)
        assert result.exit_code == 1
        assert f"{shown_at}: error: {link} is a symlink to {secret}, outside the project" in result.output
        assert "[BG009 file-not-allowed]" in result.output
        assert SECRET not in result.output and "Traceback" not in result.output
    assert SECRET not in everything_written(tiny.root)


def test_a_linked_folder_out_of_the_project_is_refused(tiny: ProjectDir, secret: Path) -> None:
    outside = secret.parent / "facts"
    outside.mkdir()
    (tiny.root / "facts" / "beta.yaml").rename(outside / "beta.yaml")
    (tiny.root / "facts" / "alpha.yaml").rename(outside / "alpha.yaml")
    (tiny.root / "facts").rmdir()
    (tiny.root / "facts").symlink_to(outside)
    result = run("check")
    assert result.exit_code == 1
    assert f"facts/alpha.yaml: error: facts/alpha.yaml is in facts/, a symlink to a folder outside the project ({outside})" in result.output


def test_a_symlink_inside_the_project_is_followed(tiny: ProjectDir) -> None:
    archive = tiny.root / "archive"
    archive.mkdir()
    (tiny.root / "seeds" / "blog-two.txt").rename(archive / "blog-two.txt")
    (tiny.root / "seeds" / "blog-two.txt").symlink_to("../archive/blog-two.txt")
    assert run("check").exit_code == 0


def test_a_fifo_never_hangs_check_build_or_the_up_to_date_test(tiny: ProjectDir) -> None:
    assert run("build", "--format", "md").exit_code == 0
    for planted in ("seeds/blog-two.txt", "templates/briefing.css", "output/briefing.md", "output/.briefgen-stamp.json"):
        path = tiny.root / planted
        path.parent.mkdir(exist_ok=True)
        path.unlink(missing_ok=True)
        os.mkfifo(path)
    for command in (["check"], ["build", "--format", "md"]):
        result = subprocess.run([sys.executable, "-m", "briefgen", *command], cwd=tiny.root, capture_output=True,
                                text=True, timeout=60)
        assert result.returncode == 1
        assert "seeds/blog-two.txt is a FIFO (named pipe), not a regular file" in result.stderr + result.stdout


def test_the_size_is_checked_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 2_000_000)
    monkeypatch.setattr(files.os, "read", lambda *_: pytest.fail("a file over the limit was read"))
    with pytest.raises(files.Unreadable) as refused:
        files.read_bytes(big, 1_000_000, [tmp_path.resolve()])
    assert refused.value.kind == "too-large"
    assert refused.value.detail == "is 2,000,000 bytes, more than the limit of 1,000,000"


def test_the_up_to_date_fingerprint_never_reads_outside_the_project(tiny: ProjectDir, secret: Path) -> None:
    (tiny.root / "templates").mkdir()
    (tiny.root / "templates" / "notes.txt").symlink_to(secret)
    before = stamp.fingerprint(tiny.root, ("md",), None)
    secret.write_text("changed outside the project")
    assert stamp.fingerprint(tiny.root, ("md",), None) == before


def test_the_fingerprint_does_not_expand_an_alias_bomb_in_the_settings(tiny: ProjectDir) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{n}: &{n} [{', '.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)
    )
    settings = tiny.read("briefgen.yaml")
    tiny.write("briefgen.yaml", settings + bomb.replace("i: &i", "date: &i"))
    stamp.fingerprint(tiny.root, ("md",), None)  # returns at once; expanded, this is 9^9 nodes
    result = run("build")
    assert result.exit_code == 1
    assert "[BG004 yaml-too-large]" in result.stderr


def test_the_project_output_folder_may_not_lead_out_of_the_project(tiny: ProjectDir, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tiny.root / "output").symlink_to(elsewhere)
    result = run("build", "--format", "md")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        f"output: error: output is a symlink to {elsewhere}, outside the project; briefgen does not write through it "
        "(hint: remove the link, or name the folder with --output) [BG401 output-not-writable]"
    )
    assert list(elsewhere.iterdir()) == []
    assert run("build", "--format", "md", "--output", "output").exit_code == 0  # named on the command line: the user's choice
    assert (elsewhere / "briefing.md").is_file()


def test_an_output_file_that_is_a_symlink_is_replaced_not_written_through(tiny: ProjectDir, secret: Path) -> None:
    (tiny.root / "output").mkdir()
    (tiny.root / "output" / "briefing.md").symlink_to(secret)
    assert run("build", "--format", "md").exit_code == 0
    assert not (tiny.root / "output" / "briefing.md").is_symlink()
    assert secret.read_text().startswith(SECRET)


def test_a_stamp_cannot_make_the_up_to_date_check_read_outside_the_output_folder(tiny: ProjectDir, secret: Path) -> None:
    import hashlib
    import json

    assert run("build", "--format", "md").exit_code == 0
    out = tiny.root / "output"
    forged = {"inputs": stamp.fingerprint(tiny.root, ("md",), None),
              "outputs": {os.path.relpath(secret, out): hashlib.sha256(secret.read_bytes()).hexdigest()}}
    (out / stamp.STAMP).write_text(json.dumps(forged))
    assert not stamp.up_to_date(out, forged["inputs"], tiny.root)  # it would be, were the secret read
    forged["outputs"] = {"briefing.md": hashlib.sha256((out / "briefing.md").read_bytes()).hexdigest()}
    (out / stamp.STAMP).write_text(json.dumps(forged))
    assert stamp.up_to_date(out, forged["inputs"], tiny.root)


@pytest.mark.pdf
def test_the_pdf_renderer_reads_images_under_the_same_rule(tiny: ProjectDir) -> None:
    os.mkfifo(tiny.root / "logo.png")
    tiny.write("templates/briefing.md.j2", "## Findings\n\n![logo](logo.png)\n\n{{ claim('convoys-north') }}\n")
    result = subprocess.run([sys.executable, "-m", "briefgen", "build", "--format", "pdf"], cwd=tiny.root,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "logo.png', which is a FIFO (named pipe), not a regular file; nothing was fetched" in result.stderr
    (tiny.root / "logo.png").unlink()
    (tiny.root / "logo.png").write_bytes(
        bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002"
                      "0000050001e226059b0000000049454e44ae426082"))
    assert run("build", "--format", "pdf").exit_code == 0
