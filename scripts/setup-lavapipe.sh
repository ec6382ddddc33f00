#!/usr/bin/env bash
# Sets up lavapipe, Mesa's CPU Vulkan driver, so that the webgpu backend (Dawn, the `webgpu` npm
# package) finds an adapter on a machine without a GPU (CI, these development machines).
#
# Debian 12's own lavapipe (Mesa 22) is rejected by Dawn; the one in bookworm-backports (Mesa 25)
# works. It is fetched with `apt-get download` through a private apt state (the machine's apt
# sources are not changed), unpacked with `dpkg-deb -x` under node_modules/.cache/lavapipe/ (ignored
# by git), and an ICD json pointing at its libvulkan_lvp.so is written there. The Vulkan loader
# (libvulkan1) and LLVM 15 (libllvm15) come from Debian's own suite and are installed with apt-get
# when missing (this needs root, as CI has).
#
# Usage:  scripts/setup-lavapipe.sh            # idempotent; prints the ICD json path
#         export VK_ICD_FILENAMES="$(scripts/setup-lavapipe.sh)"
# The engine's webgpu tests find the json at its default place by themselves (see
# engine/src/backend/webgpu/README.md), so CI only has to run this script once before npm test.
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE="${LAVAPIPE_CACHE:-$PWD/node_modules/.cache/lavapipe}"
ICD="$CACHE/lvp_icd.json"
LIB="$CACHE/root/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so"

log() { echo "setup-lavapipe: $*" >&2; }

if [ "$(uname -s)" != "Linux" ] || [ "$(uname -m)" != "x86_64" ]; then
  log "only Linux x86_64 (Debian) is scripted here; elsewhere install a GPU driver or Mesa's lavapipe >= 24"
  exit 1
fi

# The loader and LLVM from Debian's own suite.
missing=()
ldconfig -p | grep -q 'libvulkan.so.1 ' || missing+=(libvulkan1)
ldconfig -p | grep -q 'libLLVM-15.so.1 ' || missing+=(libllvm15)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then log "needs ${missing[*]} (apt-get install ${missing[*]}, as root)"; exit 1; fi
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
fi

if [ ! -f "$LIB" ]; then
  mkdir -p "$CACHE/apt/state/lists/partial" "$CACHE/apt/cache/archives/partial" "$CACHE/debs"
  echo "deb http://deb.debian.org/debian bookworm-backports main" > "$CACHE/apt/sources.list"
  APT=(-o "Dir::State=$CACHE/apt/state" -o "Dir::Cache=$CACHE/apt/cache" -o "Dir::Etc::SourceList=$CACHE/apt/sources.list"
       -o "Dir::Etc::SourceParts=/dev/null" -o "Debug::NoLocking=1")
  # As root, apt drops to the _apt user for downloads, who cannot write into this cache.
  [ "$(id -u)" = 0 ] && APT+=(-o "APT::Sandbox::User=root")
  log "fetching mesa-vulkan-drivers from bookworm-backports"
  apt-get "${APT[@]}" update -qq
  (cd "$CACHE/debs" && apt-get "${APT[@]}" download -qq mesa-vulkan-drivers)
  for deb in "$CACHE"/debs/mesa-vulkan-drivers_*.deb; do dpkg-deb -x "$deb" "$CACHE/root"; done
  [ -f "$LIB" ] || { log "the package did not contain $LIB"; exit 1; }
fi

cat > "$ICD" <<EOF
{ "file_format_version": "1.0.0", "ICD": { "library_path": "$LIB", "api_version": "1.3.0" } }
EOF
echo "$ICD"
