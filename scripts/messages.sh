#!/usr/bin/env bash
# Refresh the Vietnamese catalogs and compile them. Each app keeps its own catalog (so apps can be
# worked on side by side); the project catalog holds the shared templates and settings.
# Compiled .mo files are committed so a machine without GNU gettext still shows Vietnamese.
set -euo pipefail
cd "$(dirname "$0")/../src/qrtrace"
django_admin="${DJANGO_ADMIN:-../../.venv/bin/django-admin}"
apps=$(for d in */locale; do dirname "$d"; done)
ignore=(); for a in $apps; do ignore+=(-i "$a/*"); done
"$django_admin" makemessages -l vi --no-obsolete --no-location "${ignore[@]}" -i "static/*"
for a in $apps; do (cd "$a" && "../$django_admin" makemessages -l vi --no-obsolete --no-location); done
"$django_admin" compilemessages -l vi --ignore ".venv" >/dev/null
