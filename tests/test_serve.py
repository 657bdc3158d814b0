"""The press office's preview: a case edit shows without a full rebuild; a case the
gate refuses leaves the preview and the preview says why."""

from pipeline.serve import Preview
from tests.conftest import ROOT


def test_preview_follows_case_edits(data_dir, tmp_path, request):
    messages = []
    preview = Preview(data_dir, tmp_path / "preview", ROOT / "mkdocs.yml", messages.append)
    request.addfinalizer(preview.close)
    preview.rebuild()
    page = preview.site / "cases" / "2024-renmin-red-envelope" / "index.html"
    assert "被严肃处理" in page.read_text(encoding="utf-8")
    assert preview.poll(wait=1) is None  # nothing changed (the build's own writes neither)
    case = data_dir / "cases" / "2024-renmin-red-envelope.md"
    case.write_text(
        case.read_text(encoding="utf-8").replace("被严肃处理", "被严肃处理并通报"), encoding="utf-8"
    )
    assert preview.poll(wait=10) is not None  # shown, with a reminder to record the correction
    assert any("portal correct 2024-renmin-red-envelope" in m for m in messages)
    assert "被严肃处理并通报" in page.read_text(encoding="utf-8")
    assert "被严肃处理并通报" in (preview.site / "cases" / "index.html").read_text(encoding="utf-8")
    # A name slipped in: as in the build, the case is left out alone, and the preview
    # says why; the other cases stay.
    case.write_text(
        case.read_text(encoding="utf-8").replace("医生吴某", "医生吴志军"), encoding="utf-8"
    )
    assert preview.poll(wait=10) is not None
    assert not page.exists()
    assert "吴志军" not in (preview.site / "cases" / "index.html").read_text(encoding="utf-8")
    assert any("吴志军" in m and "未显示" in m for m in messages)
    assert (preview.site / "cases" / "2025-mch-conduct" / "index.html").exists()


def test_preview_of_a_case_edit_updates_its_institution_and_drops_an_unpublished_case(
    data_dir, tmp_path, request
):
    preview = Preview(data_dir, tmp_path / "preview", ROOT / "mkdocs.yml", lambda _m: None)
    request.addfinalizer(preview.close)
    preview.rebuild()
    case = data_dir / "cases" / "2024-renmin-red-envelope.md"
    text = case.read_text(encoding="utf-8")
    institution = preview.site / "institutions" / "qinglan-renmin" / "index.html"
    case.write_text(text.replace("被严肃处理", "被严肃处理并通报"), encoding="utf-8")
    assert preview.poll(wait=10) is not None
    assert "被严肃处理并通报" in institution.read_text(encoding="utf-8")
    # Back to draft (the real build refuses this; the preview shows what it would mean).
    case.write_text(text.replace("status: published", "status: draft"), encoding="utf-8")
    assert preview.poll(wait=10) is not None
    assert not (preview.site / "cases" / "2024-renmin-red-envelope").exists()
    assert "2024-renmin-red-envelope" not in institution.read_text(encoding="utf-8")
    listing = (preview.site / "cases" / "index.html").read_text(encoding="utf-8")
    assert "2024-renmin-red-envelope" not in listing


def test_the_preview_answers_a_missing_page_with_the_sites_own_404(tmp_path):
    import functools
    import http.server
    import threading
    import urllib.error
    import urllib.request

    from pipeline.serve import _Pages

    (tmp_path / "404.html").write_text("<html lang='zh'>页面不存在</html>", encoding="utf-8")
    (tmp_path / "index.html").write_text("首页", encoding="utf-8")
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Pages, directory=str(tmp_path))
    )
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        with urllib.request.urlopen(f"{base}/") as ok:
            assert ok.read().decode("utf-8") == "首页"
        try:
            urllib.request.urlopen(f"{base}/no-such-page/")
            raise AssertionError("a missing page was served")
        except urllib.error.HTTPError as missing:
            assert missing.code == 404
            assert "页面不存在" in missing.read().decode("utf-8")
    finally:
        server.shutdown()


def test_the_preview_forks_with_no_other_thread_and_sees_an_edit_made_meanwhile(
    data_dir, tmp_path, request, monkeypatch
):
    """The stages fork worker processes: while the preview rebuilds, the watch's threads
    are stopped (the pages are served by a process of their own). A file changed during
    the rebuild is still seen afterwards."""
    import threading

    from pipeline import build, serve

    preview = Preview(data_dir, tmp_path / "preview", ROOT / "mkdocs.yml", lambda _m: None)
    request.addfinalizer(preview.close)
    threads: list[threading.Thread] = []
    case = data_dir / "cases" / "2024-renmin-red-envelope.md"
    real = build.prepare

    def prepare(*args, **kwargs):
        threads.extend(
            t for t in threading.enumerate() if type(t).__module__.startswith("watchdog")
        )
        case.write_text(case.read_text(encoding="utf-8") + "\n补充说明。\n", encoding="utf-8")
        return real(*args, **kwargs)

    monkeypatch.setattr(serve, "prepare", prepare)
    preview.rebuild()
    assert threads == []  # (other tests of this process may leave threads of their own)
    monkeypatch.setattr(serve, "prepare", real)
    assert preview.poll(wait=5) is not None  # the edit made during the rebuild
    page = preview.site / "cases" / "2024-renmin-red-envelope" / "index.html"
    assert "补充说明" in page.read_text(encoding="utf-8")


def test_portal_serve_answers_on_its_port_and_stops_on_ctrl_c(data_dir, tmp_path):
    """`portal serve` as the press office runs it: the preview answers on the port it
    names, and Ctrl+C ends it and its server."""
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "serve", "--data", str(data_dir), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        cwd=tmp_path,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/cases/", timeout=2) as r:
                    assert "典型案例" in r.read().decode("utf-8")
                    break
            except OSError:
                assert proc.poll() is None, proc.stdout.read().decode("utf-8", "replace")
                assert time.monotonic() < deadline, "the preview did not answer"
                time.sleep(0.5)
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl+C: to every process of the terminal
        out = proc.communicate(timeout=30)[0].decode("utf-8", "replace")
        assert "预览已结束" in out and "Traceback" not in out, out
        with socket.socket() as again:  # the server process is gone with it
            again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            again.bind(("127.0.0.1", port))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
