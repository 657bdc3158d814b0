"""The `portal` command. Stages raise or return problems; only this module prints
them and chooses exit codes: 0 success, 1 data refused, 2 usage error."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from pipeline import __version__
from pipeline.base import periods
from pipeline.base.problems import DataError, Problem, printable
from pipeline.cases import ledger
from pipeline.clitext import joined, metavar, speak_chinese

if TYPE_CHECKING:
    from pipeline.base.registry import Registry
    from pipeline.collect import CollectResult

speak_chinese()


class _Chinese:
    """Help that reads as Chinese: no space where a line broke in the source, ``[选项]``
    in the usage line (for a command and for the group of them)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs["help"] = joined(kwargs.get("help"))  # type: ignore[arg-type]
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)


class _Command(_Chinese, click.Command):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            if isinstance(param, click.Option) and param.metavar is None:
                param.metavar = metavar(param.type.name)


class _Group(_Chinese, click.Group):
    command_class = _Command

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("subcommand_metavar", "命令 [参数]...")
        super().__init__(*args, **kwargs)


def _data_dir(_ctx: click.Context, _param: click.Parameter, value: Path | None) -> Path:
    """The data directory: as given; by default ./data, or the current directory when the
    command runs inside one (it holds config.yaml and ./data does not exist)."""
    if value is not None:
        return value
    here = Path(".")
    if not (Path("data") / "config.yaml").exists() and (here / "config.yaml").exists():
        return here
    return Path("data")


DATA_OPTION = click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    callback=_data_dir,
    show_default="data（在数据目录中运行时为当前目录）",
    help="数据目录（名录、报送文件、典型案例）。",
)


BUILD_PROBLEMS_SHOWN = 30


def _given_file(path: Path, data_dir: Path) -> Path:
    """A file named on the command line: as given, or inside the data directory
    (``cases/<id>.md`` as the README writes it)."""
    for candidate in (path, data_dir / path):
        if candidate.is_file():
            return candidate
    raise click.UsageError(f"找不到文件 {path}（也不在数据目录 {data_dir} 中）")


def _say(message: str) -> None:
    click.echo(printable(message), err=True)


def _report(problems: Iterable[Problem], limit: int | None = None) -> None:
    """Print ``problems``, one a line; after ``limit`` of them only how many more."""
    more = 0
    for n, p in enumerate(problems):
        if limit is not None and n >= limit:
            more += 1
            continue
        mark = "错误" if p.blocking else "提示"
        click.echo(printable(f"[{mark}] {_as_logged(p)}"))
    if more:
        click.echo(f"……另有 {more} 个问题未列出；portal check 列出全部并写出校验报告。")


# Set by the publishing workflow (PORTAL_PUBLIC_LOG=1): its log may be public, so personal
# data a check found is shown masked there (139******21, 孙**); the reports keep it whole.
_QUOTED = re.compile(r"'([^']+)'")


def _masked(value: str) -> str:
    if sum(c.isdigit() for c in value) >= 6:
        return value[:3] + "*" * max(1, len(value) - 5) + value[-2:]
    return value[:1] + "*" * max(1, len(value) - 1)


def _logged_file(name: str, why: str) -> str:
    """A file a collection could not take, as the (possibly public) log names it: one the
    portal cannot take by its name may be named after a person (cases/欧阳振华红包.md), so
    a public log shows its folder and extension only."""
    from pipeline.collect.collection import BAD_NAME

    if not (os.environ.get("PORTAL_PUBLIC_LOG") and why == BAD_NAME):
        return name
    folder, _, base = name.rpartition("/")
    stem, dot, extension = base.rpartition(".")
    return f"{folder}/" * bool(folder) + "***" + dot + extension * bool(stem)


def _as_logged(p: Problem) -> Problem:
    if not (os.environ.get("PORTAL_PUBLIC_LOG") and p.code.startswith("pii_")):
        return p
    return replace(
        p,
        value=None if p.value is None else _masked(str(p.value)),
        message=_QUOTED.sub(lambda m: repr(_masked(m.group(1))), p.message),
    )


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="portal")
def main() -> None:
    """医疗卫生行风建设信息公开平台：收集、校验、汇总并生成静态网站。"""
    import logging

    from pipeline.base.parallel import collector_paused

    # jieba (word segmentation for the PII gate and the search index) announces in
    # English how it loads its dictionary; nothing a user needs to read. A filter, as
    # importing jieba sets its logger's level back to DEBUG.
    logging.getLogger("jieba").addFilter(lambda record: record.levelno >= logging.WARNING)
    # Process-wide: the cycle collector paused for the command's run (pipeline.base.parallel).
    click.get_current_context().with_resource(collector_paused())


@main.command()
@DATA_OPTION
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("public"),
    show_default=True,
    help="网站输出目录。",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="MkDocs 配置文件（默认 ./mkdocs.yml）。",
)
@click.option("--quiet", is_flag=True, help="只输出问题，不输出进度。")
@click.option(
    "--rebuild",
    is_flag=True,
    help="即使输入与上次构建完全相同、输出目录未被改动，也重新构建（默认此时不重建）。",
)
def build(
    data_dir: Path, out_dir: Path, config_file: Path | None, quiet: bool, rebuild: bool
) -> None:
    """从数据目录生成整个网站（默认输出到 ./public）。

    构建时间取环境变量 SOURCE_DATE_EPOCH（秒），未设置时取当前时间；同样的数据和
    同样的构建时间生成完全相同的文件。数据、案例、名录、模板、程序和构建时间都与
    上次构建相同、输出目录也未被改动时，不重新构建，只重复上次报告的问题。
    """
    from pipeline.build import UnsafeOutput, build_site

    _require_data(data_dir)
    try:
        outcome = build_site(
            data_dir,
            out_dir,
            config_file=config_file,
            progress=(lambda _m: None) if quiet else _say,
            rebuild=rebuild,
        )
    except UnsafeOutput as exc:
        raise click.UsageError(str(exc)) from exc
    except DataError as exc:
        _report(exc.problems)
        _say(f"构建被拒绝：{len(exc.problems)} 个问题必须先修正，网站未更新。")
        sys.exit(1)
    _report(outcome.blocking)
    if outcome.left_out:
        _say(
            f"{len(outcome.left_out)} 个典型案例有必须修正的问题，未发布"
            f"（{'、'.join(outcome.left_out)}）；其余内容照常发布。"
        )
    elif outcome.blocking:
        _say("已发布的典型案例有上述问题：网站继续显示各案例上次记录的版本，修改未公开。")
    # Institutions' files do not stop a build; at province scale they are hundreds of
    # lines, so a build shows the first and `portal check` all of them.
    _report(outcome.problems, limit=BUILD_PROBLEMS_SHOWN)
    if outcome.quarantined:
        _say(
            f"{outcome.quarantined} 个报送文件未通过校验，未予采用"
            "（已保留，网站上显示为“已提交，未通过校验”）。"
        )


@main.command()
@DATA_OPTION
@click.argument(
    "files", nargs=-1, metavar="[文件]...", type=click.Path(dir_okay=False, path_type=Path)
)
@click.option("--institution", help="报送机构编号（默认从文件内容读取）。")
@click.option(
    "--reports",
    "reports_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    show_default="reports（在数据目录中运行时为数据目录旁的 reports）",
    help="每个有问题的报送文件写一份校验报告到此目录（机构/月份.txt）；不能在数据目录之内。",
)
def check(
    data_dir: Path, files: tuple[Path, ...], institution: str | None, reports_dir: Path | None
) -> None:
    """检查全部数据，或只检查给定的报送文件或案例（不生成网站）。

    列出所有问题（不只第一个）。检查给定文件时，有必须修正的问题退出码为 1；检查
    全部数据时，机构报送文件的问题写入校验报告（该文件单独不予采用，不影响其他），
    只有案例不能发布或名录有错时退出码为 1。
    """
    from pipeline.base.registry import load_registry
    from pipeline.build import prepare
    from pipeline.cases import review_queue
    from pipeline.check import check_as_sent
    from pipeline.check.reports import write_case_reports, write_channel_reports, write_reports

    _require_data(data_dir)
    reports_dir = _reports_folder(reports_dir, data_dir)
    files = tuple(_given_file(f, data_dir) for f in files)
    try:
        if files:
            registry = load_registry(data_dir)
            if institution is not None:
                institution = _known_institution(registry, institution)
            notices = [f for f in files if f.suffix.lower() == ".md"]
            cases_refused = False
            if notices:  # a case notice, checked as the build and publish would
                from pipeline.cases import case_bodies, copied, load_case

                cases = [load_case(f, registry, str(f)) for f in notices]
                others = case_bodies(data_dir)
                for c in cases:  # a draft copied from another case, not yet rewritten
                    if c.notice and c.notice.status == "draft":
                        c.problems += filter(None, [copied(c, others)])
                last = ledger.latest(ledger.read(data_dir))
                for c in cases:  # a published case of the data directory: its ledger too
                    if c.notice and c.path.resolve().parent == (data_dir / "cases").resolve():
                        mine = {c.path.stem: (c.notice.status, c.sha256)}
                        c.problems += [
                            replace(p, file=str(c.path))
                            for p in ledger.audit(data_dir, mine, last)
                            if Path(p.file).stem == c.path.stem
                        ]
                _report(p for c in cases for p in c.problems)
                for c in cases:
                    if c.refused:
                        verdict = "未通过检查"
                    elif c.problems:  # a draft's careless parts are told, not refused
                        verdict = "通过检查，但发布前须修正上面的提示（发布时会被拒绝）"
                    else:
                        verdict = "通过（可发布）"
                    _say(f"{c.path}：{verdict}")
                files = tuple(f for f in files if f not in notices)
                cases_refused = any(c.refused for c in cases)
                if not files:
                    sys.exit(1 if cases_refused else 0)
            from pipeline.history.channels import check_channel_list, is_channel_list

            content = {f: _read(f) for f in files}  # each file read once
            lists = [f for f in files if is_channel_list(f.name, content[f])]
            if lists:  # a list of reporting channels, checked as a build would read it
                owner = institution or "unknown"
                found = [check_channel_list(registry, content[f], owner, str(f)) for f in lists]
                _report(p for problems in found for p in problems)
                for f, problems in zip(lists, found, strict=True):
                    bad = any(p.blocking for p in problems)
                    _say(f"{f}：{'未通过检查，整份渠道表不会采用' if bad else '通过（渠道表）'}")
                files = tuple(f for f in files if f not in lists)
                cases_refused = cases_refused or any(p.blocking for ps in found for p in ps)
                if not files:
                    sys.exit(1 if cases_refused else 0)
            subs = [check_as_sent(registry, content[f], str(f), institution) for f in files]
            problems = [p for s in subs for p in s.problems]
            _report(problems)
            _written(write_reports(registry, subs, reports_dir))
            refused = [s for s in subs if not s.accepted]
            for s in subs:
                verdict = "未通过校验" if not s.accepted else f"通过（{len(s.rows)} 个数值）"
                _say(f"{s.file}：{verdict}")
            sys.exit(1 if refused or cases_refused else 0)
        _hold_case_notices(data_dir)
        prep = prepare(data_dir)
    except DataError as exc:
        _report(exc.problems)
        sys.exit(1)
    _report(prep.checked.problems)
    _report(p for c in prep.cases for p in c.problems)
    channels = prep.directory
    _report(channels.problems)
    queue = review_queue(prep.registry)
    if queue:
        click.echo(f"待审核案例（机构报送，{len(queue)} 个，不会自动发布）：")
        for inst_id, case in queue:
            personal = sum(1 for p in case.problems if p.code.startswith("pii_"))
            other = len(case.problems) - personal
            verdict = "；".join(
                [f"含个人信息 {personal} 处"] * bool(personal)
                + [f"其他问题 {other} 处"] * bool(other)
            )
            which = Path(case.path).name
            if case.problems:  # no title: it may name the person, and logs travel
                click.echo(f"  {inst_id}：{which}（{verdict}，已退回机构修改）")
            else:
                title = case.notice.title if case.notice else which
                click.echo(f"  {inst_id}：{title}（可审核；文件 {which}）")
    written = write_reports(prep.registry, prep.checked.submissions, reports_dir)
    written += write_case_reports(prep.registry, queue, reports_dir)
    _written(written + write_channel_reports(prep.registry, channels.newest, reports_dir))
    q = prep.checked.quarantined
    _say(
        f"报送文件 {len(prep.checked.submissions)} 个，未通过校验 {len(q)} 个；"
        f"典型案例 {len(prep.cases)} 个，被拒绝 {sum(c.refused for c in prep.cases)} 个。"
    )
    sys.exit(1 if prep.blocking else 0)


@main.command()
@DATA_OPTION
@click.option("--month", default=None, help="只收集该月（YYYY-MM）的报送文件（及当年的年度文件）。")
def collect(data_dir: Path, month: str | None) -> None:
    """收集各机构来源（本地目录或 https 网址）的报送文件，保存为不可更改的快照。

    每家机构一行结果；个别机构失败不影响退出码（0），只有名录错误或数据目录
    不可写时退出码为 1。
    """

    from pipeline.base.registry import load_registry
    from pipeline.cases import gate
    from pipeline.collect import collect as run_collect
    from pipeline.history.channels import check_channel_list

    _require_data(data_dir)
    if month is not None and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise click.BadParameter("应为 YYYY-MM，例如 2026-10", param_hint="--month")
    try:
        registry = load_registry(data_dir)
    except DataError as exc:
        _report(exc.problems)
        sys.exit(1)
    _hold_case_notices(data_dir)
    total = sum(1 for i in registry.reporting_institutions if not month or i.active_in(month))
    # A progress bar on a terminal; in CI or a pipe, the table's lines as they come.
    interactive = sys.stderr.isatty() and not os.environ.get("CI")
    header = f"{'机构':<28}{'结果':<6}{'新收到':>6}{'其中逾期':>6}{'未变化':>6}  失败原因"
    if not interactive:
        click.echo(header)
    with click.progressbar(
        length=total, label="收集中", file=sys.stderr, hidden=not interactive
    ) as bar:

        def step(result: CollectResult) -> None:
            bar.update(1)
            if not interactive:
                click.echo(_collect_line(result))

        try:
            results = run_collect(
                registry, month=month, progress=step, gate=gate, channels=check_channel_list
            )
        except OSError as exc:
            _say(f"无法写入数据目录 {data_dir}：{exc}")
            sys.exit(1)
    if interactive:
        click.echo(header)
        for r in results:
            click.echo(_collect_line(r))
    failed = sum(1 for r in results if r.failed)
    if failed:  # among a thousand lines of the table, the failures again, together
        click.echo(f"有失败的机构（{failed} 家）：")
        for r in results:
            if r.failed:
                click.echo(
                    f"  {r.institution_id}："
                    + "；".join(f"{_logged_file(n, x)}：{x}" for n, x in r.failed)
                )
    received = sum(len(r.received) for r in results)
    _say(f"共 {len(results)} 家机构：新收到文件 {received} 个，{failed} 家机构有失败（见上表）。")


def _hold_case_notices(data_dir: Path) -> None:
    """Move the case notices an earlier version kept in snapshots/ to held/, and say so."""
    from pipeline.store import hold_case_notices

    if moved := hold_case_notices(data_dir):
        _say(
            f"已把 {moved} 篇机构报送的案例从 snapshots/ 移到本机的 held/：它们不再提交到仓库"
            "（仓库历史中仍有，清除方法见 data/README.md）。在其他电脑上审核，请在那台电脑上"
            "运行 portal collect 重新收集。"
        )


def _collect_line(r: CollectResult) -> str:
    why = "；".join(f"{_logged_file(name, reason)}：{reason}" for name, reason in r.failed)
    return (
        f"{r.institution_id:<30}{r.status:<6}{len(r.received):>6}{len(r.late):>8}"
        f"{len(r.unchanged):>6}  {why}"
    )


@main.command()
@DATA_OPTION
@click.option(
    "--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="本地端口。"
)
@click.option("--drafts", is_flag=True, help="预览中也显示草稿（标为“草稿”，正式网站上不会显示）。")
def serve(data_dir: Path, port: int, drafts: bool) -> None:
    """在本机预览网站（http://127.0.0.1:PORT/），数据或案例文件修改后自动重新生成。

    修改典型案例后几秒内即可刷新查看；预览不会改动 public/。
    """
    import socket
    import tempfile

    from pipeline.serve import Preview

    _require_data(data_dir)
    with socket.socket() as probe:  # before the first build, not after it
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as exc:
            raise click.UsageError(f"端口 {port} 已被占用或不可用；换一个 --port。") from exc
    root = Path(tempfile.mkdtemp(prefix="portal-preview-"))
    preview = Preview(data_dir, root, progress=_say, drafts=drafts)
    try:
        took = preview.rebuild()
    except DataError as exc:
        _report(exc.problems)
        sys.exit(1)
    _say(f"首次生成用时 {took:.1f} 秒")
    try:
        preview.serve(port)
    except KeyboardInterrupt:
        _say("预览已结束。")


@main.command()
@DATA_OPTION
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["xlsx", "csv"]),
    default="xlsx",
    show_default=True,
    help="模板格式。",
)
@click.option("--year", type=int, default=None, help="模板年度（默认今年）。")
@click.option("--institution", default="", help="预先填入的机构编号。")
@click.option(
    "--out",
    "out_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="输出文件（默认：月报模板-年度.xlsx）。",
)
def template(
    data_dir: Path, fmt: str, year: int | None, institution: str, out_file: Path | None
) -> None:
    """生成空白的月度报送模板（中文表头、填报说明、Excel 数据校验）。"""

    from pipeline.base.registry import load_registry
    from pipeline.check.template import template_csv, template_xlsx

    _require_data(data_dir)
    try:
        registry = load_registry(data_dir)
    except DataError as exc:
        _report(exc.problems)
        sys.exit(1)
    if institution and institution not in registry.institutions:
        raise click.BadParameter(f"机构名录中没有 {institution}", param_hint="--institution")
    year = year or periods.today().year
    make = template_xlsx if fmt == "xlsx" else template_csv
    out_file = out_file or Path(f"月报模板-{year}.{fmt}")
    out_file.write_bytes(make(registry, year, institution))
    _say(f"已生成：{out_file}")


CASE_FIELDS = {
    "id": "案例编号（小写字母、数字和连字符，如 2026-renmin-red-envelope）",
    "title": "标题",
    "category": "类别代码",
    "district": "片区",
    "role": "当事人身份（医生、护士、医技、药剂、行政、医药代表、企业……）",
}


@main.command("new-case")
@DATA_OPTION
@click.option("--id", "case_id", help=CASE_FIELDS["id"])
@click.option("--title", help="标题。")
@click.option("--category", help="类别代码：red_envelope, kickback, overtreatment, ……")
@click.option("--date", "case_date", help="通报日期（YYYY-MM-DD，默认今天）。")
@click.option("--district", help="片区。")
@click.option("--institution", default=None, help="机构编号（可选）。")
@click.option("--role", help=CASE_FIELDS["role"])
@click.option("--sanctions", default="", help="处理结果。")
@click.option("--amount", "amount_yuan", type=float, default=None, help="涉及金额（元）。")
@click.option("--issuer", default="", help="通报单位。")
@click.option("--document-number", default="", help="文号。")
def new_case(data_dir: Path, case_id: str | None, case_date: str | None, **fields: object) -> None:
    """新建一个典型案例草稿（data/cases/<id>.md）。

    缺少的必填项在终端上逐项询问；没有终端时请用选项给出。新案例为草稿，
    用 portal publish 发布。
    """

    from pydantic import ValidationError

    from pipeline.base.registry import ID_PATTERN, vocabulary
    from pipeline.cases import CaseNotice

    _require_data(data_dir)
    values: dict[str, object] = {"id": case_id, **fields}
    missing = [k for k in CASE_FIELDS if not values.get(k)]
    if missing and not sys.stdin.isatty():
        raise click.UsageError("缺少：" + "、".join(f"--{k}（{CASE_FIELDS[k]}）" for k in missing))
    categories = vocabulary()["case_categories"]

    def known(kind: str, ok: Callable[[str], bool]) -> Callable[[str], str]:
        def check(value: str) -> str:
            if not ok(value.strip()):
                raise click.UsageError(f"{value!r} 不是有效的{kind}，请重新输入")
            return value.strip()

        return check

    asks = {
        "id": known("案例编号", lambda v: re.match(ID_PATTERN, v) is not None),
        "category": known("类别代码", lambda v: v in categories),
    }
    for key in missing:
        if key == "category":
            _say("类别：" + "，".join(f"{c}={n}" for c, n in categories.items()))
        values[key] = click.prompt(CASE_FIELDS[key], value_proc=asks.get(key, str.strip))
    from pipeline.cases import workflow

    values["date"] = case_date or workflow.now().date().isoformat()
    values = {k: v for k, v in values.items() if v not in (None, "")}
    try:
        notice = CaseNotice.model_validate({**values, "status": "draft"})
    except ValidationError as exc:
        from pipeline.base.problems import validation_problems

        for p in validation_problems(exc, "new-case"):
            option = {"amount_yuan": "amount"}.get(p.column or "", p.column or "")
            _say(f"--{option.replace('_', '-')}：{p.message}（读到的值：{p.value!r}）")
        sys.exit(2)
    with _acting():
        path, problems = workflow.new_case(data_dir, notice)
    _report(problems)
    _say(
        f"已新建草稿：{path}（补充基本情况后，用 portal publish {notice.id} --by 部门或岗位 发布）"
    )


@main.command()
@DATA_OPTION
@click.argument("case_id", metavar="案例编号")
@click.option(
    "--by",
    "publisher",
    required=True,
    help="发布人：部门或岗位（如：区卫健委宣传科），不写个人姓名。",
)
def publish(data_dir: Path, case_id: str, publisher: str) -> None:
    """发布一个典型案例：状态改为 published，记下发布人和日期，写入发布记录。

    发布前运行全部检查；案例含有可识别个人的信息时拒绝发布（退出码 1）。
    已发布的案例再修改，用 portal correct 记为更正。
    """
    from pipeline.cases import workflow

    _require_data(data_dir)
    with _acting():
        case = workflow.publish(data_dir, case_id, publisher)
    embargo = "，禁发时间前不显示" if case.notice and case.notice.embargo else ""
    _say(f"已发布：{case_id}（下次构建时上线{embargo}）")


@main.command()
@DATA_OPTION
@click.argument("case_id", metavar="案例编号")
@click.option("--note", default="", help="更正说明（公开显示在案例页和更正记录中）。")
@click.option("--by", "editor", required=True, help="更正人：部门或岗位，不写个人姓名。")
def correct(data_dir: Path, case_id: str, note: str, editor: str) -> None:
    """记录对已发布案例的更正：把更正说明（带今天的日期）加到案例的 corrections 中，
    写入发布记录。

    先修改案例文件，再运行本命令。不给 --note 时，使用文件中手写的新更正条目。
    """
    from pipeline.cases import workflow

    _require_data(data_dir)
    with _acting():
        workflow.correct(data_dir, case_id, editor, note)
    _say(f"已记录更正：{case_id}（更正说明显示在案例页和“关于”页的更正记录中）")


@main.command()
@DATA_OPTION
@click.argument("case_id", metavar="案例编号")
@click.option("--reason", required=True, help="撤回原因（公开显示在案例页上）。")
@click.option("--by", "editor", required=True, help="撤回人：部门或岗位，不写个人姓名。")
def retract(data_dir: Path, case_id: str, reason: str, editor: str) -> None:
    """撤回已发布的案例：页面保留并显示撤回说明，案例从列表、订阅和搜索中移除。"""
    from pipeline.cases import workflow

    _require_data(data_dir)
    with _acting():
        workflow.retract(data_dir, case_id, editor, reason)
    _say(f"已撤回：{case_id}（页面保留撤回说明，下次构建时从列表中移除）")


@main.command()
@click.option(
    "--institutions",
    type=click.IntRange(1, 100_000),
    default=300,
    show_default=True,
    help="机构数。",
)
@click.option(
    "--months",
    type=click.IntRange(1, 240),
    default=36,
    show_default=True,
    help="月数（截至上个月）。",
)
@click.option(
    "--cases",
    type=click.IntRange(0, 100_000),
    default=500,
    show_default=True,
    help="典型案例数。",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="新数据目录（不存在或为空）。",
)
@click.option(
    "--seed", type=int, default=1, show_default=True, help="随机种子：同样参数生成同样文件。"
)
def demo(institutions: int, months: int, cases: int, out_dir: Path, seed: int) -> None:
    """生成任意规模的合成数据目录（用于性能测试和演示），形态与示例数据相同。

    报送月份截至上个月；所有名称和号码均为虚构。
    """
    from pipeline.demo import generate

    if out_dir.exists() and any(out_dir.iterdir()):
        raise click.UsageError(f"{out_dir} 不是空目录；换一个 --out，不会覆盖已有数据。")
    generate(out_dir, institutions, months, cases, seed=seed, progress=_say)
    _say(f"已生成：{out_dir}（portal build --data {out_dir} 构建网站）")


@contextmanager
def _acting() -> Iterator[None]:
    """The case workflow's refusals as the command line reports them: an act that makes
    no sense as asked is a usage error (2); a case with problems is refused data (1)."""
    from pipeline.cases.workflow import NotPossible

    try:
        yield
    except NotPossible as exc:
        raise click.UsageError(str(exc)) from exc
    except DataError as exc:
        _report(exc.problems)
        _say("未记录：请先修正上述问题。")
        sys.exit(1)


def _reports_folder(given: Path | None, data_dir: Path) -> Path:
    """Where the check reports go: never inside the data directory (it is published with
    the site's sources, and a report quotes what a refused file holds). By default
    ./reports, or beside the data directory when the command runs inside it."""
    data = data_dir.resolve()
    folder = (given or Path("reports")).resolve()
    if folder == data or data in folder.parents:
        if given is not None:
            raise click.UsageError(
                f"校验报告目录 {given} 位于数据目录 {data_dir} 之内（报告会引用报送文件的内容，"
                "不应随数据公开）；请用 --reports 另选目录，如 ./reports"
            )
        folder = data.parent / "reports"
    return folder


def _written(paths: list[Path]) -> None:
    if paths:
        _say(f"校验报告 {len(paths)} 份，已写入 {paths[0].parent.parent}/（可发回报送机构）")


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise click.UsageError(f"无法读取 {path}：{exc.strerror or exc}") from exc


def _known_institution(registry: Registry, value: str) -> str:
    """An institution id from the command line, checked before it names any file."""
    import difflib

    if value in registry.institutions:
        return value
    names = {i.id: i.name for i in registry.institutions.values()}
    near = difflib.get_close_matches(value, list(names), n=3, cutoff=0.5)
    near += [i for i, name in names.items() if value and value in name and i not in near][:3]
    hint = "；相近的有：" + "、".join(f"{i}（{names[i]}）" for i in near) if near else ""
    raise click.BadParameter(f"机构名录中没有 {value!r}{hint}", param_hint="--institution")


def _require_data(data_dir: Path) -> None:
    if not (data_dir / "config.yaml").exists():
        raise click.UsageError(f"{data_dir} 不是数据目录（缺少 config.yaml）；用 --data 指定。")
