"""Screenshots of the front page, the API docs, every portal page and every workspace page
at desktop (1280) and phone (390) width (the portal's signed in as a demo client, the
workspace's as a demo collector, the demo supervisor and the demo admin), for looking at
them as their users see them — with the portal's mapping step of a file in another layout
(refused, matched, previewed; never saved).

    agency seed-demo && agency api --port 8000 &
    python -m scripts.portal_screenshots --base-url http://127.0.0.1:8000

Uses Debian's Chromium (never a downloaded browser); the PNGs go to .artifacts/screenshots.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from functools import partial
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from server.demo import DEMO_PASSWORD

CHROMIUM = "/usr/bin/chromium"
WIDTHS = {"desktop": (1280, 800), "phone": (390, 844)}


def sign_in(page: Page, base: str, username: str, password: str, door: str = "/portal") -> None:
    page.goto(f"{base}{door}/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    # The door's first page: the portal's dashboard, a collector's queue, a supervisor's
    # offers to decide.
    page.wait_for_url(re.compile(rf".*{door}/(dashboard|queue|approvals|search)"))


def first_link(page: Page, url: str, pattern: str) -> str | None:
    page.goto(url)
    for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
        if re.fullmatch(pattern, href or ""):
            return str(href)
    return None


def pages_of(page: Page, base: str) -> dict[str, str]:
    uuid = r"[0-9a-f-]{36}"
    found = {
        "dashboard": "/portal/dashboard",
        "placements": "/portal/placements",
        "accounts": "/portal/accounts",
        "approvals": "/portal/approvals",
        "statements": "/portal/statements",
        "messages": "/portal/messages",
        "settings": "/portal/settings",
        "not-found": "/portal/accounts/00000000-0000-4000-8000-000000000000",
    }
    with_errors = None
    page.goto(f"{base}/portal/placements")
    link = page.get_by_role("link", name="weekly-new-business.csv")
    if link.count():
        with_errors = link.first.get_attribute("href")
    statement = first_link(page, f"{base}/portal/statements", rf"/portal/statements/{uuid}")
    optional = {
        "placement": with_errors
        or first_link(page, f"{base}/portal/placements", rf"/portal/placements/{uuid}"),
        "statement": statement,
        # An account that paid something: one on a statement.
        "account": statement and first_link(page, base + statement, rf"/portal/accounts/{uuid}"),
    }
    found.update({name: url for name, url in optional.items() if url})
    return found


# A first file in a client's own layout (not the demo client's): refused for its header,
# then matched to ours on the mapping step and previewed. Never saved: the demo client's
# layout stays as it is.
OWN_LAYOUT = (
    b"Acct No,Patient Last,Patient First,Zip Code,Balance Due,Past Due Since,Cell\r\n"
    b'D-1001,Lopez,Maria,43215,"$1,234.56",03/15/2025,614-555-0142\r\n'
    b"D-1002,Smith,James,45402,480.00,02/30/2025,\r\n"
    b"D-1003,Nguyen,Ann,7870,99.99,12/01/2024,\r\n"
)
OWN_CHOICES = {
    "client_account_number": "Acct No", "last_name": "Patient Last",
    "first_name": "Patient First", "zip": "Zip Code", "principal_cents": "Balance Due",
    "delinquency_date": "Past Due Since", "phone_mobile": "Cell",
}  # fmt: skip


def mapping_step(page: Page, base: str, shoot: Callable[[str], None]) -> None:
    """The refused upload, the mapping step, and its preview."""
    page.goto(f"{base}/portal/placements")
    page.get_by_label("CSV file").set_input_files(
        {"name": "own-layout.csv", "mimeType": "text/csv", "buffer": OWN_LAYOUT}
    )
    page.get_by_role("button", name="Upload").click()
    match = page.get_by_role("button", name="Match my file's columns")
    match.wait_for()
    shoot("placements-refused")
    match.click()
    page.get_by_role("heading", name="Match your file's columns").wait_for()
    shoot("mapping")
    for field, column in OWN_CHOICES.items():
        page.locator(f'select[name="map.{field}"]').select_option(column)
    page.get_by_label("Dates").select_option("MM/DD/YYYY")
    page.get_by_role("button", name="Preview the first rows").click()
    page.locator("table.preview").wait_for()
    shoot("mapping-preview")


def _shoot(page: Page, out: Path, label: str, name: str) -> None:
    page.screenshot(path=out / f"{name}-{label}.png", full_page=True)
    print(f"{name}-{label}.png  (the mapping step)")


def shoot(page: Page, out: Path, name: str, label: str) -> None:
    page.screenshot(path=out / f"workspace-{name}-{label}.png", full_page=True)
    print(f"workspace-{name}-{label}.png  {page.url}")


def workspace_pages(page: Page, base: str, args: argparse.Namespace, label: str) -> None:
    """The collector's queue, the next account's screen and the search; the supervisor's
    offers to decide and findings. Taking the next account leases it, as a shift would."""
    page.goto(f"{base}/workspace/sign-in")
    shoot(page, args.out, "sign-in", label)
    sign_in(page, base, args.collector, args.password, "/workspace")
    shoot(page, args.out, "queue", label)
    account = first_link(page, f"{base}/workspace/queue", r"/workspace/accounts/[0-9a-f-]{36}")
    page.goto(f"{base}/workspace/queue")
    page.get_by_role("button", name="Next account").click()
    page.get_by_role("heading", level=1).first.wait_for()
    if "/workspace/accounts/" not in page.url:
        # Nobody callable now (the small hours where the consumers are): what Next says,
        # then the first account of the queue as it stands.
        shoot(page, args.out, "next-nobody", label)
        if account is None:
            return
        page.goto(base + account)
    shoot(page, args.out, "account", label)
    page.goto(f"{base}/workspace/search?q=a")
    shoot(page, args.out, "search", label)
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, base, args.supervisor, args.password, "/workspace")
    for name, url in (
        ("approvals", "/workspace/approvals"),
        ("findings", "/workspace/findings"),
        ("collectors", "/workspace/collectors"),
    ):
        page.goto(base + url)
        shoot(page, args.out, name, label)
    queue = first_link(
        page, f"{base}/workspace/collectors", r"/workspace/collectors/[0-9a-f-]{36}/queue"
    )
    if queue:
        page.goto(base + queue)
        shoot(page, args.out, "collector-queue", label)
    page.get_by_role("button", name="Sign out").click()
    admin_pages(page, base, args, label)


def admin_pages(page: Page, base: str, args: argparse.Namespace, label: str) -> None:
    """The admin's clients (the list, a new one, one to edit with its tokens), users and
    statements (the list and the newest one). Nothing is written."""
    sign_in(page, base, args.admin, args.password, "/workspace")
    uuid = r"[0-9a-f-]{36}"
    found = {
        "admin-clients": "/workspace/admin/clients",
        "admin-client-new": "/workspace/admin/clients/new",
        "admin-client": first_link(
            page, f"{base}/workspace/admin/clients", rf"/workspace/admin/clients/{uuid}"
        ),
        "admin-users": "/workspace/admin/users",
        "admin-statements": "/workspace/admin/statements",
        "admin-outbox": "/workspace/admin/outbox",
        "messages": "/workspace/messages",
        "admin-statement": first_link(
            page, f"{base}/workspace/admin/statements", rf"/workspace/admin/statements/{uuid}"
        ),
    }
    for name, url in found.items():
        if url:
            page.goto(base + url)
            shoot(page, args.out, name, label)
    page.get_by_role("button", name="Sign out").click()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--username", default="demo.client1")
    parser.add_argument("--password", default=DEMO_PASSWORD)
    parser.add_argument("--collector", default="demo.collector1")
    parser.add_argument("--supervisor", default="demo.supervisor")
    parser.add_argument("--admin", default="demo.admin")
    parser.add_argument("--out", type=Path, default=Path(".artifacts/screenshots"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    base = args.base_url.rstrip("/")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        for label, (width, height) in WIDTHS.items():
            context = browser.new_context(viewport={"width": width, "height": height})
            page = context.new_page()
            # Before signing in: a signed-in browser is sent on from the front page.
            for name, url in (("front", "/"), ("api-docs", "/schema")):
                page.goto(base + url)
                if name == "api-docs":
                    page.locator(".opblock").first.wait_for()
                page.screenshot(path=args.out / f"{name}-{label}.png", full_page=True)
                print(f"{name}-{label}.png  {url}")
            page.goto(f"{base}/portal/sign-in")
            page.screenshot(path=args.out / f"sign-in-{label}.png", full_page=True)
            sign_in(page, base, args.username, args.password)
            for name, url in pages_of(page, base).items():
                page.goto(base + url)
                page.screenshot(path=args.out / f"{name}-{label}.png", full_page=True)
                print(f"{name}-{label}.png  {url}")

            mapping_step(page, base, partial(_shoot, page, args.out, label))
            context.close()
            context = browser.new_context(viewport={"width": width, "height": height})
            workspace_pages(context.new_page(), base, args, label)
            context.close()
        browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
