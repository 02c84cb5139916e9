#!/usr/bin/env bash
# Install the system programs that the integration tests drive: Virtuoso (remote SPARQL store),
# Chromium (browser test), and the third-party clients of tests/test_clients.py: rasqal's roqet
# and the OWL API (with a JDK to run its profile check). Only as root and only when missing;
# tests that need a program that is still missing skip with a message naming it.
set -u
need=()
command -v virtuoso-t >/dev/null 2>&1 || need+=(virtuoso-opensource)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v roqet >/dev/null 2>&1 || need+=(rasqal-utils)
# The OWL API's OWL 2 DL profile check runs as a Java source file: a JDK and the OWL API.
[ -f /usr/share/java/owlapi-distribution.jar ] || need+=(libowlapi-java)
command -v javac >/dev/null 2>&1 || need+=(default-jdk-headless)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != "0" ]; then
  echo "note: not root; not installing ${need[*]} (tests that need them will skip)"
  exit 0
fi
echo "installing ${need[*]} from Debian's packages ..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null 2>&1 || true
apt-get install -y -qq "${need[@]}" >/dev/null 2>&1 || echo "note: could not install ${need[*]}"
exit 0
