#!/bin/sh
# Adds Assistant Builder to this user's applications menu, launching it from this folder.
# Run it again after moving the folder; remove with:  install-desktop-entry.sh --remove
set -eu
APP_ID=org.assistantbuilder.AssistantBuilder
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=${XDG_DATA_HOME:-$HOME/.local/share}
if [ "${1:-}" = "--remove" ]; then
    rm -f "$DATA/applications/$APP_ID.desktop" "$DATA/metainfo/$APP_ID.metainfo.xml"
    find "$DATA/icons/hicolor" -name "$APP_ID.*" -delete 2>/dev/null || true
    echo "Assistant Builder was removed from the applications menu (your assistants are kept)."
    exit 0
fi
mkdir -p "$DATA/applications" "$DATA/metainfo"
(cd "$HERE/share" && find icons -type f) | while read -r icon; do
    mkdir -p "$DATA/$(dirname "$icon")"
    cp "$HERE/share/$icon" "$DATA/$icon"
done
cp "$HERE/share/metainfo/$APP_ID.metainfo.xml" "$DATA/metainfo/"
sed "s|^Exec=.*|Exec=\"$HERE/assistant-builder\"|" \
    "$HERE/share/applications/$APP_ID.desktop" > "$DATA/applications/$APP_ID.desktop"
command -v update-desktop-database >/dev/null && update-desktop-database -q "$DATA/applications" || true
echo "Assistant Builder is now in the applications menu."
