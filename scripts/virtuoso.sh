#!/usr/bin/env bash
# A private Virtuoso Open Source instance for tests and benchmarks (../shared/recipes/virtuoso.md).
#
#   scripts/virtuoso.sh start DIR HTTP_PORT SQL_PORT   # copy the ini into DIR, start, grant update
#   scripts/virtuoso.sh stop  DIR SQL_PORT             # shut it down
#
# Everything lives in DIR (database, logs, lock); it listens on 127.0.0.1 only. SPARQL endpoint:
# http://127.0.0.1:HTTP_PORT/sparql (query and update).
set -euo pipefail

usage() { echo "usage: $0 start DIR HTTP_PORT SQL_PORT | stop DIR SQL_PORT" >&2; exit 2; }
[ $# -ge 2 ] || usage
command=$1
dir=$2
ini_source=${VIRTUOSO_INI:-/etc/virtuoso-opensource-7/virtuoso.ini}

case "$command" in
  start)
    [ $# -eq 4 ] || usage
    http_port=$3
    sql_port=$4
    command -v virtuoso-t >/dev/null || { echo "virtuoso-t is not installed (scripts/system-deps.sh)" >&2; exit 3; }
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    # Point every file at DIR (the temp database needs its own names), bind to 127.0.0.1.
    sed -E \
      -e "/^\[Database\]/,/^\[/ s#^(DatabaseFile *=).*#\1 $dir/virtuoso.db#" \
      -e "/^\[Database\]/,/^\[/ s#^(TransactionFile *=).*#\1 $dir/virtuoso.trx#" \
      -e "s#^(ErrorLogFile *=).*#\1 $dir/virtuoso.log#" \
      -e "s#^(LockFile *=).*#\1 $dir/virtuoso.lck#" \
      -e "s#^(xa_persistent_file *=).*#\1 $dir/virtuoso.pxa#" \
      -e "/^\[TempDatabase\]/,/^\[/ s#^(DatabaseFile *=).*#\1 $dir/virtuoso-temp.db#" \
      -e "/^\[TempDatabase\]/,/^\[/ s#^(TransactionFile *=).*#\1 $dir/virtuoso-temp.trx#" \
      -e "/^\[Parameters\]/,/^\[/ s#^(ServerPort *=).*#\1 127.0.0.1:$sql_port#" \
      -e "/^\[HTTPServer\]/,/^\[/ s#^(ServerPort *=).*#\1 127.0.0.1:$http_port#" \
      -e "s#^(DirsAllowed *=).*#\1 ., $dir, /usr/share/virtuoso-opensource-7/vad#" \
      "$ini_source" > "$dir/virtuoso.ini"
    (cd "$dir" && virtuoso-t +configfile "$dir/virtuoso.ini" +wait) >"$dir/start.log" 2>&1 || {
      echo "virtuoso-t failed to start; see $dir/start.log and $dir/virtuoso.log" >&2; exit 1; }
    # SPARQL Update over HTTP is off by default; allow it for this private instance.
    isql-vt "$sql_port" dba dba exec='grant SPARQL_UPDATE to "SPARQL";' >/dev/null
    echo "virtuoso: http://127.0.0.1:$http_port/sparql"
    ;;
  stop)
    [ $# -eq 3 ] || usage
    sql_port=$3
    isql-vt "$sql_port" dba dba exec='shutdown;' >/dev/null 2>&1 || true
    if [ -f "$dir/virtuoso.lck" ]; then
      pid=$(sed -n 's/^VIRT_PID=//p' "$dir/virtuoso.lck" 2>/dev/null || true)
      sleep 1
      [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null || true
    fi
    ;;
  *) usage ;;
esac
