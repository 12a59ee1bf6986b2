"""The dashboard as an installable app: manifest and icons, a service worker, and the shell
from cache with a clear offline banner when the network is gone."""

from __future__ import annotations

import httpx

from tests.e2e.conftest import System


def test_the_manifest_makes_it_installable(system: System) -> None:
    manifest = httpx.get(f"{system.url}/manifest.webmanifest").json()
    assert manifest["display"] == "standalone"
    assert manifest["start_url"] == "/"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        answer = httpx.get(f"{system.url}{icon['src']}")
        assert answer.status_code == 200
        assert answer.content.startswith(b"\x89PNG")


def test_offline_reload_shows_the_shell_and_says_offline(page: object, system: System) -> None:
    page.wait_for_function(  # type: ignore[attr-defined]
        "navigator.serviceWorker.ready.then(r => !!r.active)"
    )
    page.reload()  # type: ignore[attr-defined]  # now under the worker's control
    page.wait_for_function("!!navigator.serviceWorker.controller")  # type: ignore[attr-defined]
    page.wait_for_timeout(500)  # type: ignore[attr-defined]  # the worker caches what it served
    page.context.set_offline(True)  # type: ignore[attr-defined]
    try:
        page.reload()  # type: ignore[attr-defined]
        banner = page.wait_for_selector("[data-testid=offline-banner]")  # type: ignore[attr-defined]
        assert banner.inner_text()
        assert page.locator("header nav a").count() >= 6  # type: ignore[attr-defined]
    finally:
        page.context.set_offline(False)  # type: ignore[attr-defined]
