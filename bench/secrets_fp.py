"""False-positive rate and speed of the secret detector on real site content.

Not a test: run by hand (``.venv/bin/python bench/secrets_fp.py``). It downloads a corpus of
what static sites ship (CSS frameworks, icon fonts, minified JS with source maps, web fonts,
images, an npm lock file) with ``npm pack`` into ``.bench/fp-corpus/``, runs
:meth:`gitsnap.secrets.detect.Detector.scan_bytes` over every file and prints files scanned,
files flagged (with the rule and file for each), the flagged share (target <= 1 %), the cost
per KB of text, the cost of ``scan_text`` on 1 KB of ordinary text and on 1 KB holding a
secret, and the two keyword-prefilter designs side by side.

Without npm (or without network) it falls back to the JS/CSS/map/font files shipped inside
the virtualenv's site-packages, and says so.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tarfile
import time
import timeit
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gitsnap.secrets import rules  # noqa: E402
from gitsnap.secrets.detect import Detector  # noqa: E402

CORPUS = ROOT / ".bench" / "fp-corpus"
# What static sites ship: CSS frameworks, icon fonts, minified JS (+ .map), web fonts, images.
PACKAGES = [
    "@fortawesome/fontawesome-free", "bootstrap", "bootstrap-icons", "htmx.org", "jquery",
    "lodash", "react", "react-dom", "d3", "chart.js", "alpinejs", "tailwindcss", "swiper",
    "@fontsource/inter", "leaflet", "moment-timezone", "highlight.js", "axios", "marked",
    "dompurify", "prismjs", "katex", "vue", "animate.css", "normalize.css", "jquery-ui",
    "font-awesome", "popper.js", "aos", "lightbox2",
    # i18n messages, forms, HTML pages, more fonts and icons
    "moment", "flatpickr", "select2", "jquery-validation", "parsleyjs", "sweetalert2",
    "swagger-ui-dist", "tinymce", "zxcvbn", "@fontsource/roboto", "bulma", "foundation-sites",
    "video.js", "plyr", "lucide-static", "@mdi/font",
    # browser code that handles tokens and passwords
    "@auth0/auth0-spa-js", "oidc-client-ts", "keycloak-js", "@supabase/supabase-js",
    "amazon-cognito-identity-js",
]
# A lock file is made with `npm install --package-lock-only` for these.
LOCK_DEPS = {"bootstrap": "^5", "jquery": "^3", "axios": "^1", "chart.js": "^4", "vite": "^5"}
TEXT_EXT = {".js", ".mjs", ".cjs", ".css", ".map", ".json", ".html", ".htm", ".svg", ".md",
            ".txt", ".ts", ".scss", ".less", ".xml", ".yml", ".yaml"}


def _run(argv: list[str], cwd: Path) -> bool:
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        print(f"  ! {' '.join(argv)}: {proc.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
    return proc.returncode == 0


def fetch_corpus(dest: Path) -> bool:
    """Download and unpack PACKAGES with ``npm pack``; False if npm is unusable."""
    if shutil.which("npm") is None:
        return False
    tarballs = dest / "tarballs"
    tarballs.mkdir(parents=True, exist_ok=True)
    ok = 0
    for pkg in PACKAGES:
        out = dest / "pkg" / pkg.replace("/", "__")
        if out.exists():
            ok += 1
            continue
        proc = subprocess.run(["npm", "pack", pkg, "--json", "--pack-destination", str(tarballs)],
                              cwd=dest, capture_output=True, text=True)
        if proc.returncode != 0:
            print(f"  ! npm pack {pkg} failed", file=sys.stderr)
            continue
        filename = json.loads(proc.stdout)[0]["filename"].replace("@", "").replace("/", "-")
        with tarfile.open(tarballs / filename) as tar:
            tar.extractall(out, filter="data")
        ok += 1
    lock = dest / "pkg" / "_lockfile"
    if not (lock / "package-lock.json").exists():
        lock.mkdir(parents=True, exist_ok=True)
        (lock / "package.json").write_text(json.dumps(
            {"name": "site", "version": "1.0.0", "private": True, "dependencies": LOCK_DEPS}))
        _run(["npm", "install", "--package-lock-only", "--ignore-scripts", "--no-audit",
              "--no-fund"], lock)
    return ok > 0


def site_packages_files() -> list[Path]:
    """Fallback corpus: web assets shipped inside the virtualenv."""
    base = ROOT / ".venv" / "lib"
    exts = TEXT_EXT | {".woff", ".woff2", ".ttf", ".png", ".gif", ".ico", ".jpg"}
    return [p for p in base.rglob("*") if p.is_file() and p.suffix in exts]


def corpus_files(dest: Path) -> list[Path]:
    return sorted(p for p in (dest / "pkg").rglob("*") if p.is_file())


def scan_corpus(files: list[Path], detector: Detector) -> dict:
    flagged: list[tuple[str, str, int, str]] = []
    text_bytes = text_seconds = bin_bytes = bin_seconds = 0.0
    kinds: Counter[str] = Counter()
    for path in files:
        data = path.read_bytes()
        started = time.perf_counter()
        hits = detector.scan_bytes(data, path.name)
        took = time.perf_counter() - started
        is_text = b"\x00" not in data[:8192]
        kinds["text" if is_text else "binary"] += 1
        if is_text:
            text_bytes += len(data)
            text_seconds += took
        else:
            bin_bytes += len(data)
            bin_seconds += took
        if hits:
            first = hits[0]
            try:
                shown = data.decode("utf-8")[first.start:first.end]
            except UnicodeDecodeError:
                shown = data[first.start:first.end].decode("latin-1")
            flagged.append((str(path.relative_to(CORPUS)) if CORPUS in path.parents else str(path),
                            ",".join(sorted({h.rule for h in hits})), len(hits), shown[:60]))
    return {"files": len(files), "kinds": kinds, "flagged": flagged,
            "text_kb": text_bytes / 1024, "bin_kb": bin_bytes / 1024,
            "text_us_per_kb": 1e6 * text_seconds / max(text_bytes / 1024, 1),
            "bin_us_per_kb": 1e6 * bin_seconds / max(bin_bytes / 1024, 1)}


ORDINARY = (
    "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Bookings</title>"
    "<link rel=\"stylesheet\" href=\"/css/site.css\"></head><body><main class=\"container\">"
    "<h1>Opening hours</h1><p>We are open every day from nine to six, except on public holidays."
    " Call us or drop by the front desk; our staff will gladly help you choose a room.</p>"
    "<ul><li><a href=\"/rooms/\">Rooms</a></li><li><a href=\"/about/\">About us</a></li>"
    "<li><a href=\"/contact/\">Contact</a></li></ul><script>document.querySelectorAll('a')"
    ".forEach(function(a){a.addEventListener('click',function(e){console.log(e.target.href)})})"
    "</script><footer><p>Copyright 2024 The Harbour Inn. All rights reserved.</p></footer>"
)


def timings(detector: Detector) -> dict:
    ordinary = (ORDINARY * 2)[:1024]
    secret = ordinary[:900] + "\nDB_PASSWORD=Xq7-pL2v9sKw\n" + ordinary[:100]
    secret = secret[:1024]
    out = {}
    for label, text in (("1 KB ordinary", ordinary), ("1 KB with a secret", secret)):
        n = 2000
        seconds = min(timeit.repeat(lambda t=text: detector.scan_text(t), number=n, repeat=5))
        out[label] = 1e6 * seconds / n
    return out


def prefilter_compare(files: list[Path]) -> dict:
    """The two prefilter designs on the corpus's text: one Aho-Corasick pass vs one regex."""
    import ahocorasick

    keywords = sorted(rules.all_keywords())
    automaton = ahocorasick.Automaton()
    for kw in keywords:
        automaton.add_word(kw, kw)
    automaton.make_automaton()
    by_length = sorted(keywords, key=len, reverse=True)
    alternation = re.compile("|".join(re.escape(k) for k in by_length))
    texts = []
    for path in files:
        data = path.read_bytes()
        if b"\x00" in data[:8192]:
            continue
        texts.append(data.decode("utf-8", "replace").lower())
    size_kb = sum(len(t) for t in texts) / 1024
    started = time.perf_counter()
    n_ac = sum(1 for t in texts for _ in automaton.iter(t))
    ac = time.perf_counter() - started
    started = time.perf_counter()
    n_re = sum(1 for t in texts for _ in alternation.finditer(t))
    rx = time.perf_counter() - started
    started = time.perf_counter()
    for t in texts:
        t.lower()
    low = time.perf_counter() - started
    return {"keywords": len(keywords), "text_kb": size_kb,
            "aho-corasick us/KB": 1e6 * ac / size_kb, "aho-corasick hits": n_ac,
            "regex alternation us/KB": 1e6 * rx / size_kb, "regex hits": n_re,
            "str.lower us/KB": 1e6 * low / size_kb}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-fetch", action="store_true", help="use what .bench/fp-corpus has")
    parser.add_argument("--site-packages", action="store_true", help="scan venv web assets instead")
    args = parser.parse_args()
    CORPUS.mkdir(parents=True, exist_ok=True)
    source = "npm pack"
    if args.site_packages:
        files, source = site_packages_files(), "site-packages"
    else:
        if not args.no_fetch and not fetch_corpus(CORPUS):
            print("npm is not usable here: falling back to the venv's site-packages web assets")
            files, source = site_packages_files(), "site-packages"
        else:
            files = corpus_files(CORPUS)
    detector = Detector()
    result = scan_corpus(files, detector)
    flagged = result["flagged"]
    print(f"corpus: {source}, {result['files']} files ({result['kinds']['text']} text, "
          f"{result['kinds']['binary']} binary), {result['text_kb']:.0f} KB text, "
          f"{result['bin_kb']:.0f} KB binary")
    for path, rule, count, shown in flagged:
        # what was found, never the value: its first 4 characters are enough to look it up
        print(f"  flagged {path}: {rule} x{count}  ({shown[:4]}…)")
    share = 100.0 * len(flagged) / max(result["files"], 1)
    print(f"files flagged: {len(flagged)} of {result['files']} = {share:.2f} % (target <= 1 %)")
    print(f"scan_bytes, text:   {result['text_us_per_kb']:.1f} us/KB")
    print(f"scan_bytes, binary: {result['bin_us_per_kb']:.1f} us/KB")
    for label, us in timings(detector).items():
        print(f"scan_text {label}: {us:.1f} us")
    for key, value in prefilter_compare(files).items():
        shown = f"{value:.1f}" if isinstance(value, float) else value
        print(f"prefilter {key}: {shown}")


if __name__ == "__main__":
    main()
