"""Playwright driving Debian's chromium against the live test server; screenshots go to artifacts/."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests import factories as f

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
CHROMIUM_FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    # django's async-unsafe check trips over playwright's event loop in the same thread
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server):
    ctx = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900})
    pg = ctx.new_page()
    pg.set_default_timeout(15000)
    yield pg
    ctx.close()


@pytest.fixture
def phone(browser, live_server):
    ctx = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 390, "height": 844},
                              is_mobile=True, device_scale_factor=2)
    pg = ctx.new_page()
    pg.set_default_timeout(15000)
    yield pg
    ctx.close()


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def login(page, username: str, password: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")


@pytest.fixture
def open_as(browser, live_server):
    """Sign in as a user in a new browser context (a phone-sized one with phone=True); back on 选择功能模块."""
    contexts = []

    def _open(username: str, *, phone: bool = False):
        options = dict(base_url=live_server.url, locale="zh-CN", accept_downloads=True)
        if phone:
            options.update(viewport={"width": 390, "height": 844}, is_mobile=True, device_scale_factor=2)
        else:
            options.update(viewport={"width": 1280, "height": 900})
        ctx = browser.new_context(**options)
        contexts.append(ctx)
        pg = ctx.new_page()
        pg.set_default_timeout(15000)
        login(pg, username, f.PASSWORD)
        pg.wait_for_url("**/modules/")
        return pg

    yield _open
    for ctx in contexts:
        ctx.close()


def fits_phone(pg) -> None:
    width = pg.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page is {width}px wide on a 390px phone"
