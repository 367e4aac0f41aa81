#!/usr/bin/env bash
# Copy the front-end packages installed from the npm registry (npm ci) into static/vendor.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf static/vendor && mkdir -p static/vendor/bootstrap static/vendor/htmx static/vendor/bootstrap-icons/font
cp -r node_modules/bootstrap/dist/css node_modules/bootstrap/dist/js static/vendor/bootstrap/
cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/
cp -r node_modules/bootstrap-icons/font/bootstrap-icons.min.css node_modules/bootstrap-icons/font/fonts static/vendor/bootstrap-icons/font/
touch static/vendor/.installed
