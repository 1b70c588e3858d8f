#!/usr/bin/env bash
# The report tests render pages in headless Chromium from Debian's packages. Install them when
# missing and possible (root, apt); otherwise say so, and those tests skip with the reason.
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing chromium and chromium-driver for the report tests..."
  apt-get update -qq >/dev/null 2>&1
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null 2>&1 \
    || echo "could not install chromium: the report rendering tests will be skipped"
else
  echo "chromium is not installed and cannot be installed here: the report rendering tests will be skipped"
fi
exit 0
