#!/usr/bin/env bash
# Regenerate docs/screenshot.png (the README's picture of the web page) from the browser test's Overview run.
# The test suite itself writes its screenshots to a temporary directory; only this script touches the file.
set -euo pipefail
cd "$(dirname "$0")/.."
UPDATE_SCREENSHOT=1 .venv/bin/python -m pytest -q -p no:cacheprovider \
  "tests/test_web_browser.py::test_overview_numbers_match_the_api"
git status --short docs/screenshot.png
