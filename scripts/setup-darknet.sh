#!/usr/bin/env bash
# Installs Debian's darknet (the 2018 pjreddie darknet, CPU) for test/train/darknet.test.ts, which
# compares our training loss with darknet's own. Idempotent; where apt-get (or root/sudo) is not
# available it says so and exits 0 — the comparison test then skips with the reason.
set -euo pipefail
if command -v darknet >/dev/null 2>&1; then
  echo "darknet: already installed ($(command -v darknet))"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "darknet: apt-get not available; test/train/darknet.test.ts will skip (install darknet some other way to run it)"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo"; else
    echo "darknet: not root and no password-less sudo; run 'apt-get install darknet' as root to enable test/train/darknet.test.ts"
    exit 0
  fi
fi
echo "==> apt-get install darknet"
if $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq darknet >/dev/null; then
  echo "darknet: installed ($(command -v darknet))"
else
  echo "darknet: apt-get install darknet failed; test/train/darknet.test.ts will skip"
fi
