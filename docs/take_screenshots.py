"""Screenshots of the main pages, light and dark, desktop and phone, from a running console.

    .venv/bin/python manage.py demo &           # prints the admin password
    .venv/bin/python docs/take_screenshots.py --password PASSWORD

Writes docs/screenshots/<page>-<width>-<theme>.png with Debian's Chromium (Playwright,
never a downloaded browser). Pages whose vendor app is not installed are skipped.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parent / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
SIZES = [(1280, 800), (390, 844)]
# name -> (list page, link to follow from it or None, then a path suffix)
PAGES = {
    "overview": ("/", None, ""),
    "timeline": ("/timeline/?range=7d", None, ""),
    "farm": ("/scalr/farms/?status=running", "#farm-rows tbody tr a", ""),
    "app": ("/scalingo/apps/?status=running", "#app-table tbody tr a", "?tab=containers"),
    "log-explorer": ("/scalyr/", "a:has-text(\"Explore logs\")", "?range=1h"),
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--user", default="admin")
    parser.add_argument("--password", required=True)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=ARGS)
        for scheme in ("light", "dark"):
            for width, height in SIZES:
                context = browser.new_context(base_url=args.url, viewport={"width": width, "height": height},
                                              color_scheme=scheme)
                page = context.new_page()
                page.goto("/accounts/login/")
                page.get_by_label("Username").fill(args.user)
                page.get_by_label("Password").fill(args.password)
                page.get_by_role("button", name="Sign in").click()
                page.wait_for_url("**/")
                for name, (path, link, suffix) in PAGES.items():
                    response = page.goto(path)
                    if response is None or response.status == 404:
                        print(f"skipped {name}: {path} not found")
                        continue
                    if link:
                        target = page.locator(link).first
                        if not target.count():
                            print(f"skipped {name}: nothing to open on {path}")
                            continue
                        page.goto(target.get_attribute("href") + suffix)
                    page.wait_for_load_state("networkidle")
                    page.wait_for_timeout(1000)  # charts draw after their data arrives
                    file = OUT / f"{name}-{width}-{scheme}.png"
                    page.screenshot(path=str(file))
                    print(f"wrote {file.relative_to(OUT.parent.parent)}")
                context.close()
        browser.close()


if __name__ == "__main__":
    main()
