#!/usr/bin/env bash
# Installs or upgrades Gatehouse on one machine with systemd, from a release
# build in this checkout (make release: target/release/gatehouse and
# target/site/). The same command does both:
#
#   sudo deploy/install.sh
#
# - the binary to /usr/local/bin/gatehouse;
# - the site to /usr/local/share/gatehouse/site, replaced whole (the new one
#   is copied beside it, then moved into place: never nested, never mixed);
# - the system user (sysusers), the units gatehouse.service,
#   gatehouse-backup.service and gatehouse-backup.timer;
# - /etc/gatehouse/gatehouse.env with GATEHOUSE_BASE_URL (only when missing:
#   an upgrade keeps your settings; set BASE_URL=https://… for a new one);
# - then enables and (re)starts gatehouse and the daily backup timer. The
#   schema is brought up to date when gatehouse starts.
#
# ROOT=/some/folder installs under that folder instead of /, BIN and SITE
# name another build, and --no-systemctl leaves out systemd-sysusers and
# systemctl: the file steps alone, as the test
# `the_install_script_installs_then_upgrades_in_place` runs them.
set -euo pipefail
cd "$(dirname "$0")/.."
root=${ROOT:-}
systemctl=1
[ "${1:-}" = "--no-systemctl" ] && systemctl=0
bin=${BIN:-target/release/gatehouse}
site=${SITE:-target/site}
if [ ! -x "$bin" ] || [ ! -f "$site/pkg/bundle.txt" ]; then
  echo "install: no release build here ($bin and $site/pkg/bundle.txt); run make release first" >&2
  exit 1
fi
bundle=$(cat "$site/pkg/bundle.txt")
if [ ! -f "$site/pkg/$bundle/gatehouse.js" ]; then
  echo "install: $site/pkg/bundle.txt names $bundle, which is not in $site/pkg; run make release again" >&2
  exit 1
fi

share=$root/usr/local/share/gatehouse
install -d -m 0755 "$root/usr/local/bin" "$share" "$root/usr/lib/sysusers.d" "$root/etc/systemd/system" "$root/etc/gatehouse"
# The binary: written beside the old one, then renamed over it (a running
# server keeps its old file until it restarts).
install -m 0755 "$bin" "$root/usr/local/bin/gatehouse.new"
mv -f "$root/usr/local/bin/gatehouse.new" "$root/usr/local/bin/gatehouse"
# The site: a whole new copy, then swapped in.
rm -rf "$share/site.new" "$share/site.old"
cp -r "$site" "$share/site.new"
if [ -d "$share/site" ]; then mv "$share/site" "$share/site.old"; fi
mv "$share/site.new" "$share/site"
rm -rf "$share/site.old"

install -m 0644 deploy/gatehouse.sysusers "$root/usr/lib/sysusers.d/gatehouse.conf"
install -m 0644 deploy/gatehouse.service deploy/gatehouse-backup.service deploy/gatehouse-backup.timer "$root/etc/systemd/system/"
env_file=$root/etc/gatehouse/gatehouse.env
if [ ! -f "$env_file" ]; then
  base=${BASE_URL:-https://gatehouse.example.com}
  printf 'GATEHOUSE_BASE_URL=%s\nGATEHOUSE_TRUST_PROXY=true\n' "$base" > "$env_file"
  chmod 0644 "$env_file"
  echo "wrote $env_file with GATEHOUSE_BASE_URL=$base (edit it, then: systemctl restart gatehouse)"
fi

if [ "$systemctl" = 1 ]; then
  systemd-sysusers
  systemctl daemon-reload
  systemctl enable gatehouse.service gatehouse-backup.timer
  systemctl restart gatehouse.service
  systemctl start gatehouse-backup.timer
  echo "gatehouse runs: systemctl status gatehouse; journalctl -u gatehouse"
fi
echo "installed Gatehouse $("$root/usr/local/bin/gatehouse" --version | cut -d' ' -f2) with the site bundle $bundle"
