"""The press office's workflow from a draft to a published, corrected or retracted case:
through its Python API (pipeline.cases.workflow), and through ``portal`` where what a person
sees (exit codes, messages, prompts) is the point: run in the test's process, except a draft
made and published and the questions on a terminal, in processes of their own as a person
runs them."""

import pytest
import yaml

from pipeline.base.problems import DataError
from pipeline.base.registry import load_registry
from pipeline.cases import FRONT_MATTER, load_cases, workflow
from pipeline.cases.workflow import NotPossible
from tests.conftest import portal_here as portal
from tests.conftest import run_portal


def front(path):
    return yaml.safe_load(FRONT_MATTER.match(path.read_text(encoding="utf-8")).group(1))


def test_new_case_then_publish(data_dir):
    args = [
        "new-case",
        "--data",
        str(data_dir),
        "--id",
        "2026-test-kickback",
        "--title",
        "某医院采购人员收受回扣",
        "--category",
        "kickback",
        "--district",
        "城东街道",
        "--role",
        "行政",
        "--institution",
        "qinglan-renmin",
        "--amount",
        "5000",
    ]
    done = run_portal(*args)
    assert done.returncode == 0, done.stderr
    path = data_dir / "cases" / "2026-test-kickback.md"
    meta = front(path)
    assert (
        meta["status"] == "draft" and meta["category"] == "kickback" and meta["amount_yuan"] == 5000
    )
    assert "姓加“某”" in path.read_text(encoding="utf-8")
    assert run_portal(*args).returncode == 2  # never overwrites
    path.write_text(
        path.read_text(encoding="utf-8").replace("（在此写明", "经查，行政人员周某收受回扣。\n（"),
        encoding="utf-8",
    )
    published = run_portal(
        "publish", "--data", str(data_dir), "2026-test-kickback", "--by", "宣传科"
    )
    assert published.returncode == 0, published.stderr
    meta = front(path)
    assert (
        meta["status"] == "published" and meta["published_by"] == "宣传科" and meta["published_on"]
    )
    assert "周某收受回扣" in path.read_text(encoding="utf-8")


def test_publish_refuses_a_case_with_a_name_and_new_case_needs_its_fields(data_dir):
    missing = portal("new-case", "--data", str(data_dir), "--id", "x-case")
    assert missing.returncode == 2 and "--title" in missing.stderr
    bad = portal(
        "new-case",
        "--data",
        str(data_dir),
        "--id",
        "x-case",
        "--title",
        "标题标题",
        "--category",
        "nonsense",
        "--district",
        "城东",
        "--role",
        "医生",
    )
    assert bad.returncode == 2 and "category" in bad.stderr
    # A name in the title: told, and no draft written (the cases folder is in the repository).
    named = portal(
        "new-case",
        "--data",
        str(data_dir),
        "--id",
        "2026-named",
        "--title",
        "外科医生张建华收受红包",
        "--category",
        "red_envelope",
        "--district",
        "城东街道",
        "--role",
        "医生",
    )
    assert named.returncode == 1 and "张建华" in named.stdout + named.stderr
    assert "未记录" in named.stderr and not (data_dir / "cases" / "2026-named.md").exists()
    case = data_dir / "cases" / "2025-chengdong-conduct.md"
    case.write_text(
        case.read_text(encoding="utf-8").replace("护士许某", "护士许文静"), encoding="utf-8"
    )
    refused = portal("publish", "--data", str(data_dir), "2025-chengdong-conduct", "--by", "宣传科")
    assert refused.returncode == 1 and "许文静" in refused.stdout
    assert portal("publish", "--data", str(data_dir), "../etc", "--by", "x").returncode == 2


def refusals(data_dir):
    """What ``portal check`` would refuse among the press office's cases."""
    cases = load_cases(load_registry(data_dir))
    return "\n".join(str(p) for c in cases for p in c.problems if p.blocking)


def test_a_silent_edit_of_a_published_case_is_refused_until_recorded_as_a_correction(data_dir):
    case = data_dir / "cases" / "2024-renmin-red-envelope.md"
    original = case.read_text(encoding="utf-8")
    # Saved again by another editor (CRLF, trailing spaces): not a change.
    case.write_bytes(original.replace("\n", "  \r\n").encode("utf-8"))
    assert not refusals(data_dir)
    case.write_text(original.replace("3000元", "2000元"), encoding="utf-8")
    silent = portal("check", "--data", str(data_dir), "--reports", str(data_dir.parent / "r"))
    assert silent.returncode == 1
    assert "cases/2024-renmin-red-envelope.md" in silent.stdout and "没有记为更正" in silent.stdout
    assert "portal correct 2024-renmin-red-envelope" in silent.stdout
    # Checked alone, as the guide tells the office to check a case before committing.
    alone = portal("check", "--data", str(data_dir), "cases/2024-renmin-red-envelope.md")
    assert alone.returncode == 1 and "没有记为更正" in alone.stdout
    # Correcting needs a note the public will read.
    with pytest.raises(NotPossible, match="用 --note 写明改了什么"):
        workflow.correct(data_dir, "2024-renmin-red-envelope", "宣传科")
    workflow.correct(data_dir, "2024-renmin-red-envelope", "宣传科", "更正涉及金额：应为 2000 元。")
    assert front(case)["corrections"][-1]["note"] == "更正涉及金额：应为 2000 元。"
    assert not refusals(data_dir)
    rows = (data_dir / "cases" / "ledger.csv").read_text(encoding="utf-8").splitlines()
    assert rows[-1].startswith("2024-renmin-red-envelope,corrected,")
    assert rows[-1].endswith(",1,更正涉及金额：应为 2000 元。")


def test_a_careless_edit_neither_goes_live_nor_takes_the_published_case_down(data_dir, tmp_path):
    """Edited without a correction, set back to draft, deleted: the build names each as an
    error and the site goes on showing the version the press office last recorded."""
    edited = data_dir / "cases" / "2024-renmin-red-envelope.md"
    edited.write_text(
        edited.read_text(encoding="utf-8").replace("红包3000元", "红包2000元"), encoding="utf-8"
    )
    drafted = data_dir / "cases" / "2025-kangning-overtreatment.md"
    drafted.write_text(
        drafted.read_text(encoding="utf-8").replace("status: published", "status: draft"),
        encoding="utf-8",
    )
    (data_dir / "cases" / "2025-heyue-insurance-fraud.md").unlink()
    # A case recorded before recorded versions were kept is left out, as it was.
    (data_dir / "cases" / "recorded" / "2025-mch-conduct.md").unlink()
    mch = data_dir / "cases" / "2025-mch-conduct.md"
    mch.write_text(mch.read_text(encoding="utf-8") + "\n补充。\n", encoding="utf-8")
    out = tmp_path / "site"
    run = portal("build", "--data", data_dir, "--out", out, "--quiet")
    for case_id, said in [
        ("2024-renmin-red-envelope", "没有记为更正；网站继续显示记录的版本"),
        ("2025-kangning-overtreatment", "不能改回草稿；网站继续显示记录的版本"),
        ("2025-heyue-insurance-fraud", "文件不见了；网站继续显示记录的版本"),
        ("2025-mch-conduct", "没有记为更正"),
    ]:
        assert f"cases/{case_id}.md" in run.stdout and said in run.stdout, run.stdout
    page = (out / "cases" / "2024-renmin-red-envelope" / "index.html").read_text(encoding="utf-8")
    assert "红包3000元" in page and "红包2000元" not in page
    for case_id in ["2025-kangning-overtreatment", "2025-heyue-insurance-fraud"]:
        assert (out / "cases" / case_id / "index.html").is_file(), case_id
    assert not (out / "cases" / "2025-mch-conduct").exists()
    listed = (out / "data" / "cases.json").read_text(encoding="utf-8")
    assert "2025-heyue-insurance-fraud" in listed and "红包2000元" not in listed
    # The checks keep saying so: the office corrects, and the edit goes live.
    assert portal("check", "--data", data_dir, "--reports", tmp_path / "r").returncode == 1
    args = ["correct", "--data", data_dir, "2024-renmin-red-envelope", "--by", "宣传科"]
    assert portal(*args, "--note", "更正涉及金额。").returncode == 0
    kept = data_dir / "cases" / "recorded" / "2024-renmin-red-envelope.md"
    assert "红包2000元" in kept.read_text(encoding="utf-8")


def test_a_hand_written_correction_is_recorded_without_a_second_note(data_dir):
    case = data_dir / "cases" / "2024-second-kickback.md"
    text = case.read_text(encoding="utf-8").replace(
        "status: published",
        "corrections:\n- date: '2026-11-20'\n  note: 更正处理结果。\nstatus: published",
    )
    case.write_text(text, encoding="utf-8")
    assert "没有记为更正" in refusals(data_dir)
    assert workflow.correct(data_dir, "2024-second-kickback", "宣传科") == "更正处理结果。"
    assert len(front(case)["corrections"]) == 1 and not refusals(data_dir)
    with pytest.raises(NotPossible, match="没有新的更正说明"):
        workflow.correct(data_dir, "2024-second-kickback", "宣传科")


def test_a_published_case_is_taken_down_only_by_retraction(data_dir):
    case = data_dir / "cases" / "2025-kangning-overtreatment.md"
    text = case.read_text(encoding="utf-8")
    case.write_text(text.replace("status: published", "status: draft"), encoding="utf-8")
    assert "不能改回草稿" in refusals(data_dir)
    case.unlink()
    assert "cases/2025-kangning-overtreatment.md：已发布的案例文件不见了" in refusals(data_dir)
    case.write_text(text, encoding="utf-8")
    with pytest.raises(NotPossible, match="portal correct"):
        workflow.publish(data_dir, "2025-kangning-overtreatment", "宣传科")
    reason = "经复核，通报所述情况与事实有出入，予以撤回。"
    workflow.retract(data_dir, "2025-kangning-overtreatment", "宣传科", reason)
    meta = front(case)
    assert meta["status"] == "retracted" and meta["retraction"]["reason"] == reason
    assert not refusals(data_dir)


def test_a_case_set_to_published_by_hand_is_refused_until_published(data_dir):
    case = data_dir / "cases" / "2026-second-red-envelope-draft.md"
    case.write_text(
        case.read_text(encoding="utf-8").replace("status: draft", "status: published"),
        encoding="utf-8",
    )
    assert "发布记录（cases/ledger.csv）中没有这个案例" in refusals(data_dir)
    published = workflow.publish(data_dir, "2026-second-red-envelope-draft", "宣传科")
    assert published.notice and published.notice.status == "published"
    assert not refusals(data_dir)


def test_new_case_asks_for_missing_fields_on_a_terminal(data_dir):
    """Answered at its prompts through a pseudo-terminal, as the press office types."""
    import os
    import pty
    import select
    import subprocess
    import sys

    from tests.test_build import ROOT

    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "new-case", "--data", str(data_dir)],
        cwd=ROOT,
        stdin=follower,
        stdout=follower,
        stderr=follower,
    )
    os.close(follower)
    transcript = ""

    def read_until(end: str) -> str:
        nonlocal transcript
        seen = b""
        while not seen.decode("utf-8", "replace").rstrip().endswith(end):
            ready = select.select([leader], [], [], 30)[0]
            chunk = os.read(leader, 4096) if ready else b""
            if not chunk:
                break
            seen += chunk
        transcript += seen.decode("utf-8", "replace")
        return seen.decode("utf-8", "replace")

    dialogue = [
        ("案例编号", "2026 Typed"),  # not an id: asked again
        ("案例编号", "2026-typed-conduct"),
        ("标题", "某社区卫生服务中心工作人员服务态度生硬"),
        ("类别代码", "behaviour"),  # not a category: asked again
        ("类别代码", "conduct"),
        ("片区", "城东街道"),
        ("当事人身份", "护士"),
    ]
    try:
        for prompt, answer in dialogue:
            question = read_until(":").rstrip().rsplit("\n", 1)[-1]
            assert prompt in question, transcript
            os.write(leader, answer.encode("utf-8") + b"\r")
        read_until("发布）")
        proc.wait(timeout=60)
    finally:
        proc.kill()
        os.close(leader)
    assert proc.returncode == 0, transcript
    assert "conduct=服务作风" in transcript  # the categories are listed before the question
    assert "'2026 Typed' 不是有效的案例编号，请重新输入" in transcript
    assert "'behaviour' 不是有效的类别代码，请重新输入" in transcript
    meta = front(data_dir / "cases" / "2026-typed-conduct.md")
    assert meta["title"] == "某社区卫生服务中心工作人员服务态度生硬"
    assert meta["category"] == "conduct" and meta["role"] == "护士" and meta["status"] == "draft"


def test_a_name_in_a_correction_or_a_retraction_is_refused(data_dir):
    """What a correction note, a retraction reason or the editor says is published (the
    case page, the corrections log, the ledger in the repository): the same gate."""
    case = data_dir / "cases" / "2025-kangning-overtreatment.md"
    with pytest.raises(NotPossible, match="没有改动"):
        workflow.correct(data_dir, case.stem, "宣传科", "无修改")
    case.write_text(case.read_text(encoding="utf-8") + "\n通报日期已更正。\n", encoding="utf-8")
    before = case.read_text(encoding="utf-8")
    ledger = (data_dir / "cases" / "ledger.csv").read_text(encoding="utf-8")
    for option, act in [
        (
            "--note",
            lambda: workflow.correct(
                data_dir, case.stem, "宣传科", "当事人欧阳某某即欧阳国栋，更正其职务"
            ),
        ),
        (
            "--note",
            lambda: workflow.correct(
                data_dir, case.stem, "宣传科", "经办医生柯\ufe00建\ufe00明已确认"
            ),
        ),
        (
            "--reason",
            lambda: workflow.retract(
                data_dir, case.stem, "宣传科", "表扬对象陈\u180e秀\u180e珍本人不同意公开"
            ),
        ),
        ("--by", lambda: workflow.retract(data_dir, case.stem, "宣传科刘晓梅", "事实不实")),
    ]:
        with pytest.raises(DataError, match="含有可识别个人的信息") as refused:
            act()
        # Named by the option the words came from, not by a line of a file never written.
        (found,) = refused.value.problems
        assert option in found.message and found.row is None, str(found)
    # As the command line says it: refused data, exit 1, nothing recorded.
    done = portal("correct", "--data", data_dir, case.stem, "--note", "更正金额", "--by", "刘晓梅")
    assert done.returncode == 1 and "含有可识别个人的信息" in done.stdout + done.stderr
    assert "--by 刘晓梅：请写部门或岗位" in done.stdout
    assert "未记录" in done.stdout + done.stderr
    assert case.read_text(encoding="utf-8") == before
    assert (data_dir / "cases" / "ledger.csv").read_text(encoding="utf-8") == ledger


def test_check_reads_a_case_notice_given_as_a_file(data_dir, tmp_path):
    """A press officer checks one notice with the same command as a data file."""
    good = data_dir / "cases" / "2025-kangning-overtreatment.md"
    done = portal("check", "--data", str(data_dir), str(good))
    assert done.returncode == 0 and "通过（可发布）" in done.stdout + done.stderr
    bad = data_dir / "cases" / "2026-second-red-envelope-draft.md"
    bad.write_text(bad.read_text(encoding="utf-8") + "\n医生张建华收受红包。\n", "utf-8")
    done = portal("check", "--data", str(data_dir), str(bad))
    out = done.stdout + done.stderr
    assert done.returncode == 1 and "张建华" in out and "张某" in out and "未通过检查" in out
    assert "不支持的文件格式" not in out


def test_check_takes_a_case_as_the_readme_names_it(data_dir, tmp_path):
    # From anywhere: cases/<id>.md is looked for in the data directory too.
    done = portal("check", "--data", data_dir, "cases/2025-mch-conduct.md", cwd=tmp_path)
    assert done.returncode == 0 and "通过（可发布）" in done.stderr, done.stderr
    missing = portal("check", "--data", data_dir, "cases/no-such-case.md", cwd=tmp_path)
    assert missing.returncode == 2 and "找不到文件 cases/no-such-case.md" in missing.stderr


def test_a_retraction_takes_the_corrections_down_with_the_facts(data_dir, tmp_path):
    from pipeline.build import build
    from tests.conftest import NOW, ROOT

    case = data_dir / "cases" / "2025-kangning-overtreatment.md"
    case.write_text(case.read_text(encoding="utf-8") + "\n补充说明。\n", encoding="utf-8")
    workflow.correct(data_dir, case.stem, "宣传科", "更正涉及金额：应为1500元")
    workflow.retract(data_dir, case.stem, "宣传科", "经复核与事实不符，予以撤回。")
    with pytest.raises(NotPossible, match="已经撤回"):
        workflow.retract(data_dir, case.stem, "宣传科", "再次撤回")
    with pytest.raises(NotPossible, match="不能为空"):
        workflow.publish(data_dir, "2026-second-red-envelope-draft", " ")
    out = tmp_path / "site"
    build(data_dir, out, now=NOW, config_file=ROOT / "mkdocs.yml")
    for page in ["cases/2025-kangning-overtreatment/index.html", "about/index.html"]:
        text = (out / page).read_text(encoding="utf-8")
        assert "应为1500元" not in text and "更正内容随原通报一并撤下" in text, page
