#!/usr/bin/env bash
# Crawls the same generated site (bench/crawl/gen_site.py, served by nginx on
# 127.0.0.1) with two shagym binaries, each into its own store, exports both
# stores and compares the stored posts field by field: a change meant to make
# the crawl cheaper must leave every post's labels (categories, matches with
# their spans, severity, region, language) and duplicate links as they were.
# Author pseudonyms are keyed per store and fetch times differ: both are left
# out. Prints the two crawls' CPU times and exits 1 when any post differs.
#
#   PAGES=1000 bash bench/crawl/compare_posts.sh /tmp/shagym-before build/app/shagym
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/crawl/bench_config.sh
OLD=${1:?usage: compare_posts.sh OLD_BINARY NEW_BINARY}
NEW=${2:?usage: compare_posts.sh OLD_BINARY NEW_BINARY}
PAGES=${PAGES:-1000}
HOSTS=${HOSTS:-20}
BASE_PORT=${BASE_PORT:-18500}
RULES_DIR=${RULES_DIR:-$PWD/config/rules}
command -v nginx >/dev/null || { echo "missing nginx (scripts/packages-extra.txt)"; exit 1; }
WORK=$(mktemp -d /tmp/shagym-compare.XXXXXX)
chmod 755 "$WORK"  # nginx workers run as an unprivileged user
NGINX_PID=""
cleanup() {
  [[ -n $NGINX_PID ]] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

/usr/bin/python3 bench/crawl/gen_site.py --out "$WORK/site" --pages "$PAGES" \
  --hosts "$HOSTS" --base-port "$BASE_PORT" >/dev/null
servers="" seeds=""
for ((h = 0; h < HOSTS; h++)); do
  servers+="server { listen 127.0.0.1:$((BASE_PORT + h)); root $WORK/site/h$h; }
"
  seeds+="\"http://127.0.0.1:$((BASE_PORT + h))/p/0.html\", "
done
mkdir -p "$WORK/tmp"
cat > "$WORK/nginx.conf" <<NGX
worker_processes 1;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  default_type text/html;
  types { text/html html; text/plain txt; }
  charset utf-8;
  client_body_temp_path $WORK/tmp; proxy_temp_path $WORK/tmp;
  fastcgi_temp_path $WORK/tmp; uwsgi_temp_path $WORK/tmp; scgi_temp_path $WORK/tmp;
  $servers
}
NGX
nginx -c "$WORK/nginx.conf" -p "$WORK" &
NGINX_PID=$!
for _ in $(seq 100); do
  curl -s -o /dev/null "http://127.0.0.1:$BASE_PORT/robots.txt" && break
  sleep 0.1
done

for which in old new; do
  bin=$OLD
  [[ $which == new ]] && bin=$NEW
  write_bench_config "$WORK/$which.yaml" "$WORK/data-$which" "$RULES_DIR" 16 "${seeds%, }"
  /usr/bin/time -f "$which ($bin): %e s wall, %U s user, %S s sys" -o "$WORK/time.txt" \
    "$bin" --config "$WORK/$which.yaml" crawl --until-idle > /dev/null 2> "$WORK/$which.err" ||
    { cat "$WORK/$which.err"; exit 1; }
  cat "$WORK/time.txt"
  "$bin" --config "$WORK/$which.yaml" export --format jsonl --unmasked \
    --output "$WORK/$which.jsonl" 2> /dev/null
done

/usr/bin/python3 - "$WORK/old.jsonl" "$WORK/new.jsonl" <<'PY'
import json, sys
def load(path):
    out = {}
    for line in open(path, encoding="utf-8"):
        d = json.loads(line)
        for k in ("author", "fetched_at"):
            d.pop(k, None)
        out[d["id"]] = d
    return out
a, b = load(sys.argv[1]), load(sys.argv[2])
matches = sum(len(p.get("matches") or []) for p in a.values())
diff = [k for k in a if k in b and a[k] != b[k]]
only_a, only_b = set(a) - set(b), set(b) - set(a)
print("posts: %d old, %d new; %d matches in the old store; identical: %d, "
      "differing: %d, only old: %d, only new: %d"
      % (len(a), len(b), matches, len(a) - len(diff) - len(only_a), len(diff),
         len(only_a), len(only_b)))
for k in diff[:3]:
    print(k, {f: (a[k].get(f), b[k].get(f)) for f in a[k] if a[k].get(f) != b[k].get(f)})
sys.exit(1 if diff or only_a or only_b or not a else 0)
PY
