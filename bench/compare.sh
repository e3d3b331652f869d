#!/usr/bin/env bash
# Side-by-side run: agent-queue and the anchor peers (graphile-worker, pg-boss) on the same
# PostgreSQL, same N and concurrency, one after another in one run. Prints one JSON line per case.
#   bench/compare.sh                      (env N=5000 CONCURRENCY=10 LAT_N=200 DATABASE_URL=...)
# The peers are installed outside the project by the shared setup script; pass its folder as
# PEERS_DIR if it is not in the default cache location.
set -euo pipefail
cd "$(dirname "$0")/.."
export N="${N:-5000}" CONCURRENCY="${CONCURRENCY:-10}" LAT_N="${LAT_N:-200}"
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
peers="${PEERS_DIR:-$HOME/.cache/agent-queue-peers}"
[[ -x $peers/node_modules/.bin/node && -f $peers/peer-bench.mjs ]] || {
  echo "peers not found in $peers: install graphile-worker@0.18, pg-boss@12, node@24 and the anchor peer-bench.mjs there (see bench/README.md), or set PEERS_DIR" >&2
  exit 1
}
npm run build --silent >/dev/null
echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) cores, $(node --version), N=$N CONCURRENCY=$CONCURRENCY LAT_N=$LAT_N"
for mode in throughput latency; do
  node bench/throughput.mjs postgres "$mode"
  node bench/throughput.mjs sqlite "$mode"
  "$peers/node_modules/.bin/node" "$peers/peer-bench.mjs" graphile "$mode"
  "$peers/node_modules/.bin/node" "$peers/peer-bench.mjs" pgboss "$mode"
done
GW_BATCH=1 "$peers/node_modules/.bin/node" "$peers/peer-bench.mjs" graphile throughput
