#!/usr/bin/env bash
# Vendor the KRDS (Korea Design System) assets into static/vendor/krds/ so that no page ever loads
# from a CDN (ENGINEERING.md "Front end"; the Content-Security-Policy allows 'self' only).
#
# Usage: scripts/vendor_krds.sh            (re-run after changing KRDS_VERSION; commit the result)
#
# What is copied, and why only that:
#   css/krds.min.css      the package's single built stylesheet (resources/cdn/krds.min.css: tokens,
#                         common and component styles). Upstream points every icon at
#                         https://www.krds.go.kr/resources/img/...; we rewrite those to ../img/... so
#                         the icons come from our own origin. Nothing else in the file is changed.
#   img/component/icon/   only the SVG icons that krds.min.css references.
#   fonts/                PretendardGOV Regular/Medium/Bold woff2 subsets. KRDS names the family
#                         "Pretendard GOV" but ships no @font-face; ours is in static/css/portal.css.
#   js/ui-script.js       the component behaviour (modal, tab, accordion, file upload, drop-down…).
#                         Pages that use such a component load it in {% block scripts %}; base.html
#                         does not, because its header, masthead and footer need no script.
#   LICENSE, VERSION      provenance: licences, package name, version, registry integrity, date.
set -euo pipefail

KRDS_PACKAGE="krds-uiux"
KRDS_VERSION="1.1.0"
KRDS_ORIGIN="https://www.krds.go.kr/resources/img/"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="${ROOT}/static/vendor/krds"

for tool in npm tar openssl python3; do
    command -v "$tool" >/dev/null || { echo "vendor_krds: '$tool' is required" >&2; exit 1; }
done

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

echo "vendor_krds: fetching ${KRDS_PACKAGE}@${KRDS_VERSION} from the npm registry"
EXPECTED_INTEGRITY="$(npm view "${KRDS_PACKAGE}@${KRDS_VERSION}" dist.integrity)"
(cd "$WORK" && npm pack --silent "${KRDS_PACKAGE}@${KRDS_VERSION}" >/dev/null)
TARBALL="${WORK}/${KRDS_PACKAGE}-${KRDS_VERSION}.tgz"

# Check the tarball against the integrity the registry publishes, independently of npm's cache.
ACTUAL_INTEGRITY="sha512-$(openssl dgst -sha512 -binary "$TARBALL" | openssl base64 -A)"
if [[ "$ACTUAL_INTEGRITY" != "$EXPECTED_INTEGRITY" ]]; then
    echo "vendor_krds: integrity mismatch: registry ${EXPECTED_INTEGRITY}, tarball ${ACTUAL_INTEGRITY}" >&2
    exit 1
fi
tar -xzf "$TARBALL" -C "$WORK"
PKG="${WORK}/package"
RES="${PKG}/resources"

PKG_LICENSE="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["license"])' "${PKG}/package.json")"
if [[ "$PKG_LICENSE" != "ISC" ]]; then
    echo "vendor_krds: package licence changed to '${PKG_LICENSE}'; review it and update LICENSE below" >&2
    exit 1
fi

rm -rf "$DEST"
mkdir -p "${DEST}/css" "${DEST}/img/component/icon" "${DEST}/fonts" "${DEST}/js"

# Stylesheet, with the krds.go.kr icon URLs made relative to our copy.
sed "s#url(${KRDS_ORIGIN}#url(../img/#g" "${RES}/cdn/krds.min.css" >"${DEST}/css/krds.min.css"
if grep -Eq 'url\(["'"'"']?https?:' "${DEST}/css/krds.min.css"; then
    echo "vendor_krds: krds.min.css still references another origin:" >&2
    grep -Eo 'url\((["'"'"']?)https?:[^)]*' "${DEST}/css/krds.min.css" | sort -u >&2
    exit 1
fi

# Only the icons the stylesheet uses.
grep -Eo 'url\(\.\./img/[^)]+\)' "${DEST}/css/krds.min.css" | sed -E 's#^url\(\.\./img/##; s#\)$##' | sort -u |
    while read -r icon; do
        if [[ ! -f "${RES}/img/${icon}" ]]; then
            echo "vendor_krds: krds.min.css references img/${icon}, which the package lacks" >&2
            exit 1
        fi
        mkdir -p "$(dirname "${DEST}/img/${icon}")"
        cp "${RES}/img/${icon}" "${DEST}/img/${icon}"
    done

for weight in Regular Medium Bold; do
    cp "${RES}/fonts/PretendardGOV-${weight}.subset.woff2" "${DEST}/fonts/"
done
cp "${RES}/js/component/ui-script.js" "${DEST}/js/"

cat >"${DEST}/LICENSE" <<EOF
KRDS HTML ComponentKit (${KRDS_PACKAGE} ${KRDS_VERSION}, https://www.krds.go.kr)
==========================================================================
css/krds.min.css, img/, js/ui-script.js

The package declares "license": "ISC" and "author": "krds" in its package.json; it ships no
licence file of its own. The ISC licence:

Copyright (c) krds

Permission to use, copy, modify, and/or distribute this software for any purpose with or without
fee is hereby granted, provided that the above copyright notice and this permission notice appear
in all copies.

THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES WITH REGARD TO THIS
SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE
AUTHOR BE LIABLE FOR ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN ACTION OF CONTRACT,
NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF OR IN CONNECTION WITH THE USE OR PERFORMANCE
OF THIS SOFTWARE.

Local change: in css/krds.min.css the icon URLs "${KRDS_ORIGIN}…" are rewritten to
"../img/…" so that the icons are served from this site; nothing else is modified.

Pretendard GOV (fonts/PretendardGOV-*.subset.woff2)
===================================================
Copyright © 2023 Kil Hyung-jin. Pretendard is a trademark of Kil Hyung-jin.
Licensed under the SIL Open Font License, Version 1.1 (https://openfontlicense.org,
formerly http://scripts.sil.org/OFL). The copyright and licence notices are also embedded in each
font file's name table, as the OFL permits. The fonts are redistributed unmodified, as shipped in
${KRDS_PACKAGE} ${KRDS_VERSION}.
EOF

cat >"${DEST}/VERSION" <<EOF
name: ${KRDS_PACKAGE}
version: ${KRDS_VERSION}
integrity: ${EXPECTED_INTEGRITY}
tarball: $(npm view "${KRDS_PACKAGE}@${KRDS_VERSION}" dist.tarball)
vendored: $(date -u +%Y-%m-%d)
by: scripts/vendor_krds.sh
EOF

echo "vendor_krds: ${KRDS_PACKAGE} ${KRDS_VERSION} -> ${DEST#"${ROOT}"/} ($(du -sh "$DEST" | cut -f1))"
