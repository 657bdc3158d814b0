"""The press office's preview: a case edit shows without a full rebuild; a case the
gate refuses leaves the preview and the preview says why."""

from pipeline.serve import Preview
from tests.conftest import ROOT


def test_preview_follows_case_edits(data_dir, tmp_path):
    messages = []
    preview = Preview(data_dir, tmp_path / "preview", ROOT / "mkdocs.yml", messages.append)
    preview.rebuild()
    page = preview.site / "cases" / "2024-renmin-red-envelope" / "index.html"
    assert "被严肃处理" in page.read_text(encoding="utf-8")
    assert preview.poll() is None  # nothing changed
    case = data_dir / "cases" / "2024-renmin-red-envelope.md"
    case.write_text(
        case.read_text(encoding="utf-8").replace("被严肃处理", "被严肃处理并通报"), encoding="utf-8"
    )
    assert preview.poll() is not None  # shown, with a reminder to record the correction
    assert any("portal correct 2024-renmin-red-envelope" in m for m in messages)
    assert "被严肃处理并通报" in page.read_text(encoding="utf-8")
    assert "被严肃处理并通报" in (preview.site / "cases" / "index.html").read_text(encoding="utf-8")
    # A name slipped in: as in the build, the case is left out alone, and the preview
    # says why; the other cases stay.
    case.write_text(
        case.read_text(encoding="utf-8").replace("医生吴某", "医生吴志军"), encoding="utf-8"
    )
    assert preview.poll() is not None
    assert not page.exists()
    assert "吴志军" not in (preview.site / "cases" / "index.html").read_text(encoding="utf-8")
    assert any("吴志军" in m and "未显示" in m for m in messages)
    assert (preview.site / "cases" / "2025-mch-conduct" / "index.html").exists()


def test_preview_of_a_case_edit_updates_its_institution_and_drops_an_unpublished_case(
    data_dir, tmp_path
):
    preview = Preview(data_dir, tmp_path / "preview", ROOT / "mkdocs.yml", lambda _m: None)
    preview.rebuild()
    case = data_dir / "cases" / "2024-renmin-red-envelope.md"
    text = case.read_text(encoding="utf-8")
    institution = preview.site / "institutions" / "qinglan-renmin" / "index.html"
    case.write_text(text.replace("被严肃处理", "被严肃处理并通报"), encoding="utf-8")
    assert preview.poll() is not None
    assert "被严肃处理并通报" in institution.read_text(encoding="utf-8")
    # Back to draft (the real build refuses this; the preview shows what it would mean).
    case.write_text(text.replace("status: published", "status: draft"), encoding="utf-8")
    assert preview.poll() is not None
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
    threading.Thread(target=server.serve_forever, daemon=True).start()
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
