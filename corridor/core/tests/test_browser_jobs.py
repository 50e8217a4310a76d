"""In headless Chromium: a responder imports a long paper register; the page shows the import
job waiting, then, once a worker takes it, moves on by itself to the imported batch. The
administrator finds the finished job on the Jobs page."""

import threading
from pathlib import Path

from corridor.core.tests.conftest import BROWSER_TESTS
from corridor.jobs.worker import CorridorWorker

pytestmark = BROWSER_TESTS

REGISTER = Path(__file__).parents[2] / "intake" / "tests" / "data" / "registre_fr.csv"


def test_a_long_register_is_imported_in_the_background_and_the_page_follows_it(
    world, page_for, settings
):
    settings.CORRIDOR_BACKGROUND_IMPORT_ROWS = 3
    responder = page_for("responder")
    responder.click("text=Import")
    responder.goto("/intake/registers/")
    responder.set_input_files("input[type=file]", str(REGISTER))
    responder.click("main button[type=submit]")
    responder.click("button:has-text('Import all rows')")
    assert "/jobs/" in responder.url
    progress = responder.locator("[data-testid=job-progress]")
    assert progress.get_attribute("data-status") == "queued"
    assert "Waiting for a worker" in progress.inner_text()

    worker = CorridorWorker(interval=0.2, housekeeping_seconds=60)
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    try:
        responder.wait_for_url("**/intake/imports/*/", timeout=30_000)
    finally:
        worker.stop()
        thread.join(timeout=30)
    assert "5" in responder.locator("main").inner_text()

    admin = page_for("admin")
    admin.click("text=Jobs")
    admin.click("[data-testid=jobs-succeeded]")
    assert "Register import" in admin.locator("[data-testid=job-list]").inner_text()
