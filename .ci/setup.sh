#!/usr/bin/env bash
# Installs what the build and the tests need, if missing. Idempotent; runs locally too.
# Called by .ci/run; safe to call on its own: .ci/setup.sh
set -euo pipefail

apt_updated=false
apt_install() {
  if [ "$apt_updated" = false ]; then
    apt-get update -qq
    apt_updated=true
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

# JDK 17 and Maven (already on these machines; installed from Debian's packages otherwise).
command -v javac >/dev/null 2>&1 || apt_install openjdk-17-jdk-headless
command -v mvn >/dev/null 2>&1 || apt_install maven
# Used by .ci/run's port check.
command -v ss >/dev/null 2>&1 || apt_install iproute2

# --- Test tools added by later issues go here, each guarded the same way, e.g.:
# Node's test runner runs the JS client library's unit tests (mvn test); Debian 12 ships Node 18.
command -v node >/dev/null 2>&1 || apt_install nodejs
# npm installs the TypeScript compiler the build type-checks the client library with (mvn test; target/ts).
command -v npm >/dev/null 2>&1 || apt_install npm
# BrowserPageIT: headless chromium driven through Debian's chromedriver (no driver download).
{ command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; } || apt_install chromium chromium-driver
# nginx for NginxProxyIT, which starts /usr/sbin/nginx itself (foreground, loopback, files under target/).
[ -x /usr/sbin/nginx ] || apt_install nginx
# HAProxy in front of the three nodes of cluster/cluster.sh (ClusterIT).
[ -x /usr/sbin/haproxy ] || apt_install haproxy
# cluster/cluster.sh waits for the nodes' readiness with curl.
command -v curl >/dev/null 2>&1 || apt_install curl
# OpsKitTest (promtool check/test rules) and PrometheusIT (a real Prometheus scraping the test server).
{ command -v promtool >/dev/null 2>&1 && [ -x /usr/bin/prometheus ]; } || apt_install prometheus
