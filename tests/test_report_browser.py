"""The lab's report in a real browser: Debian's headless Chromium renders index.html offline,
the screenshot is not blank, every figure decodes, and the page logs no error."""
import json
import os
import re
import shutil
import subprocess

import numpy as np
import pytest

pytest.importorskip("sklearn")
pytest.importorskip("matplotlib")

from glassnet import lab  # noqa: E402

# Injected into a copy of the page: records script errors and failed resources, then, once
# everything has loaded, writes what it saw into the title for --dump-dom to show.
PROBE = """<script>
window.__errors = [];
window.addEventListener("error", function (event) {
  var target = event.target || {};
  window.__errors.push(event.message || ("failed to load " + String(target.src).slice(0, 60)));
}, true);
window.addEventListener("load", function () {
  var images = Array.prototype.slice.call(document.images);
  var broken = images.filter(function (i) { return !i.complete || i.naturalWidth === 0; });
  document.title = "PROBE " + JSON.stringify({errors: window.__errors, images: images.length,
                                              broken: broken.length});
});
</script>"""


def chromium():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    if os.environ.get("GLASSNET_REQUIRE_ORACLES") == "1":
        pytest.fail("Chromium is required here: apt-get install chromium")
    pytest.skip("Chromium is not installed (apt-get install chromium)")


def browse(url, profile, *options):
    command = [chromium(), "--headless", "--no-sandbox", "--disable-gpu",
               "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
               "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000", *options, url]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """One report folder with both pages: English first, then Korean from the stored trials."""
    out = tmp_path_factory.mktemp("report")
    lab.run(["softmax", "symmetry"], seeds=2, out=out, jobs=1, quick=True, lang="en")
    lab.run(["softmax", "symmetry"], seeds=2, out=out, jobs=1, quick=True, lang="ko")
    return out


@pytest.fixture(scope="module", params=["index.html", "index.ko.html"])
def report(request, folder):
    return folder / request.param


def test_report_renders_and_is_not_blank(report, tmp_path):
    screenshot = tmp_path / "page.png"
    result = browse(report.as_uri(), tmp_path / "profile", "--window-size=1200,2400",
                    f"--screenshot={screenshot}")
    assert screenshot.is_file(), result.stderr[-2000:]
    import matplotlib.image
    pixels = matplotlib.image.imread(screenshot)[..., :3]
    assert pixels.shape[:2] == (2400, 1200)
    not_white = np.mean(pixels.min(axis=2) < 0.9)
    assert not_white > 0.02, "the page looks blank"
    assert len(np.unique((pixels * 255).astype(np.uint8).reshape(-1, 3), axis=0)) > 50
    console = [line for line in result.stderr.splitlines()
               if "CONSOLE" in line or "Uncaught" in line or "Not allowed to load" in line]
    assert console == []


def test_report_logs_no_errors_and_every_figure_loads(report, tmp_path):
    page = report.read_text(encoding="utf-8")
    assert "http://" not in page and "https://" not in page      # nothing fetched: offline
    probed = report.with_name("probe.html")
    probed.write_text(page.replace("<head>", "<head>\n" + PROBE, 1), encoding="utf-8")
    try:
        result = browse(probed.as_uri(), tmp_path / "profile", "--dump-dom")
    finally:
        probed.unlink()
    title = re.search(r"<title>PROBE (.*?)</title>", result.stdout)
    assert title, result.stderr[-2000:]
    seen = json.loads(title.group(1).replace("&quot;", '"'))
    assert seen["errors"] == []
    assert seen["images"] >= 2 and seen["broken"] == 0


# Follows the page's link to the other language and reports where it landed and what that
# page's own link points at.
FOLLOW = """<script>
window.addEventListener("load", function () {
  var link = document.querySelector("p.other a");
  document.title = "LINK " + (link ? link.getAttribute("href") : "none");
});
</script>"""


def test_each_language_page_links_to_the_other(folder, tmp_path):
    for page, other in (("index.html", "index.ko.html"), ("index.ko.html", "index.html")):
        text = (folder / page).read_text(encoding="utf-8")
        probed = folder / f"probe-{page}"
        probed.write_text(text.replace("<head>", "<head>\n" + FOLLOW, 1), encoding="utf-8")
        try:
            result = browse(probed.as_uri(), tmp_path / "profile", "--dump-dom")
        finally:
            probed.unlink()
        assert f"<title>LINK {other}</title>" in result.stdout, result.stderr[-2000:]
        assert (folder / other).is_file()
