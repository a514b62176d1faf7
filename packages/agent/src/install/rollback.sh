#!/bin/sh
# ExecStartPre of pylon-agent.service: puts the previous agent bundle back when a self-update
# was not confirmed by its deadline (the updated agent could not start, or did not reconnect).
# Written next to the bundle by agent.sh; the agent's update only replaces agent.mjs.
#   rollback.sh [update.json] [bundle dir]
f="${1:-/var/lib/pylon-agent/update.json}"
d="${2:-/usr/local/lib/pylon-agent}"
[ -f "$f" ] || exit 0
grep -q '"rolledBack":true' "$f" && exit 0
deadline="$(sed -n 's/.*"deadline":\([0-9]*\).*/\1/p' "$f")"
[ -n "$deadline" ] || exit 0
[ "$(date +%s)" -ge "$deadline" ] || exit 0
[ -f "$d/agent.mjs.previous" ] || exit 0
mv -f "$d/agent.mjs.previous" "$d/agent.mjs"
sed -i 's/"rolledBack":false/"rolledBack":true/' "$f"
echo "pylon-agent: the updated agent was not back in time; running the previous bundle again" >&2
exit 0
