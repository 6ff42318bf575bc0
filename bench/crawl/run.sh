#!/usr/bin/env bash
# Whole-crawl benchmark (not part of ctest): a generated site served by nginx
# on 127.0.0.1, crawled in the same run by `shagym crawl` (full pipeline),
# GNU wget2 (fetch + link extraction), Scrapy (CrawlSpider extracting the
# posts) and a bare curl-multi fetch of the same URLs (the raw ceiling).
# Prints a Markdown table: median of RUNS runs of pages/s, CPU seconds per
# 1,000 pages and peak RSS. `shagym` is the whole pipeline (fetch, extract,
# normalise, classify with config/rules, store); `shagym_nocls` is the same
# crawl without rules (fetch, extract, normalise, dedupe, store), which
# separates the engine's cost from the classifier's.
#
#   bash bench/crawl/run.sh            # PAGES=20000 HOSTS="1 20" RUNS=3
#   PAGES=5000 SCRAPY_PAGES=1000 bash bench/crawl/run.sh
#   # a long run of the whole pipeline only, RSS sampled every 10 s:
#   PAGES=100000 HOSTS=20 RUNS=1 TOOLS=shagym RSS_EVERY=10 bash bench/crawl/run.sh
#   # DURATION=1800 stops shagym after 30 min (pages/s and CPU per 1,000
#   # pages are then over the pages it reached); the same with another
#   # store budget (store_memory in the config):
#   STORE_MEMORY=64MiB PAGES=20000 HOSTS=20 RUNS=1 TOOLS=shagym RSS_EVERY=10 \
#     bash bench/crawl/run.sh
#   # before/after in one run: SHAGYM_OLD names an older binary, measured as
#   # shagym_old and shagym_old_nocls right after the current one:
#   SHAGYM_OLD=/tmp/shagym-before PAGES=20000 HOSTS=20 RUNS=1 bash bench/crawl/run.sh
#   # the whole pipeline with another rule directory (RULES_DIR):
#   RULES_DIR=/tmp/rules PAGES=5000 HOSTS=20 RUNS=1 TOOLS=shagym bash bench/crawl/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/crawl/bench_config.sh
PAGES=${PAGES:-20000}
HOSTS=${HOSTS:-"1 20"}
RUNS=${RUNS:-3}
SCRAPY_PAGES=${SCRAPY_PAGES:-2000}   # Scrapy is ~100x slower: cap its crawl
PARALLEL=${PARALLEL:-16}
TOOLS=${TOOLS:-"shagym shagym_nocls wget2 scrapy curl"}  # which crawlers run
RSS_EVERY=${RSS_EVERY:-0}  # seconds between RSS samples of shagym; 0 = off
STORE_MEMORY=${STORE_MEMORY:-}  # store_memory of shagym's config; "" = default
DURATION=${DURATION:-0}  # seconds after which shagym stops (--duration); 0 = until idle
RULES_DIR=${RULES_DIR:-$PWD/config/rules}  # the rules of the whole-pipeline runs
BASE_PORT=${BASE_PORT:-18100}
SHAGYM=${SHAGYM:-$PWD/build/app/shagym}
SHAGYM_OLD=${SHAGYM_OLD:-}  # an older binary to compare with; "" = none
[[ -n $SHAGYM_OLD && $TOOLS != *shagym_old* ]] && TOOLS+=" shagym_old shagym_old_nocls"
CURL_FETCH=${CURL_FETCH:-$PWD/build/bench/bench_curl_fetch}
for tool in nginx wget2 /usr/bin/python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "missing $tool (scripts/packages-extra.txt)"; exit 1; }
done
[[ -x $SHAGYM && -x $CURL_FETCH ]] || { echo "build first (bash scripts/build.sh)"; exit 1; }
NGINX=$(command -v nginx)
WORK=$(mktemp -d /tmp/shagym-bench.XXXXXX)
chmod 755 "$WORK"  # nginx workers run as an unprivileged user
NGINX_PID=""
cleanup() {
  [[ -n $NGINX_PID ]] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

start_nginx() {  # $1 = hosts
  local conf=$WORK/nginx.conf servers=""
  for ((h = 0; h < $1; h++)); do
    servers+="server { listen 127.0.0.1:$((BASE_PORT + h)); root $WORK/site/h$h; }
"
  done
  cat > "$conf" <<NGX
worker_processes 1;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 1024; }
http {
  log_format bench '\$status \$request_uri';
  access_log $WORK/access.log bench;
  default_type text/html;
  types { text/html html; text/plain txt; }
  charset utf-8;
  keepalive_requests 100000;
  client_body_temp_path $WORK/tmp; proxy_temp_path $WORK/tmp;
  fastcgi_temp_path $WORK/tmp; uwsgi_temp_path $WORK/tmp; scgi_temp_path $WORK/tmp;
  $servers
}
NGX
  mkdir -p "$WORK/tmp"
  "$NGINX" -c "$conf" -p "$WORK" &
  NGINX_PID=$!
  for _ in $(seq 100); do
    curl -s -o /dev/null "http://127.0.0.1:$BASE_PORT/robots.txt" && return 0
    sleep 0.1
  done
  echo "nginx did not start"; exit 1
}

# measure NAME PAGES_CMD -- COMMAND...: runs COMMAND under /usr/bin/time and
# appends "name pages wall user sys maxrss_kb" to $WORK/results.
measure() {
  local name=$1 out=$WORK/out.txt
  shift
  [[ " $TOOLS " == *" $name "* ]] || return 0
  : > "$WORK/access.log"
  if [[ $RSS_EVERY != 0 && $name == shagym* ]]; then
    # Samples "seconds pages rss_mb cpu_s load" while the crawl runs, to show
    # whether memory stays flat and whether CPU per page grows as pages do
    # (cpu_s: the process's user+system seconds so far, all threads).
    /usr/bin/time -f "%e %U %S %M" -o "$WORK/time.txt" "$@" > "$out" 2>&1 &
    local tpid=$! cpid="" t=0
    for _ in $(seq 50); do
      cpid=$(pgrep -P "$tpid" | head -1) && [[ -n $cpid ]] && break
      sleep 0.1
    done
    echo "rss samples of $name (seconds, pages fetched, RSS MB, load average, CPU s so far):"
    local hz
    hz=$(getconf CLK_TCK)
    while kill -0 "$tpid" 2>/dev/null; do
      sleep "$RSS_EVERY"; t=$((t + RSS_EVERY))
      local rss
      rss=$(awk '/VmRSS/{print int($2/1024)}' "/proc/$cpid/status" 2>/dev/null) || break
      [[ -n $rss ]] || break
      local cpu
      cpu=$(awk -v hz="$hz" '{printf "%.1f", ($14 + $15) / hz}' "/proc/$cpid/stat" 2>/dev/null) || break
      echo "  $t $(grep -cE '^(200|304) /p/' "$WORK/access.log" || true) $rss $(cut -d" " -f1 /proc/loadavg) $cpu"
    done
    wait "$tpid" || true
  else
    /usr/bin/time -f "%e %U %S %M" -o "$WORK/time.txt" "$@" > "$out" 2>&1 || true
  fi
  # Pages as the server saw them: answered GETs of /p/ pages during the run.
  local pages
  pages=$( (grep -cE '^(200|304) /p/' "$WORK/access.log" || true) | tail -1)
  echo "$name ${pages:-0} $(cat "$WORK/time.txt" | tail -1)" >> "$WORK/results"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GB RAM"
echo "pages=$PAGES scrapy_pages=$SCRAPY_PAGES runs=$RUNS parallel=$PARALLEL"
for hosts in $HOSTS; do
  rm -rf "$WORK/site" "$WORK/results"
  /usr/bin/python3 bench/crawl/gen_site.py --out "$WORK/site" --pages "$PAGES" \
    --hosts "$hosts" --base-port "$BASE_PORT"
  start_nginx "$hosts"
  echo "load before $hosts host(s): $(cut -d" " -f1-3 /proc/loadavg)"
  seeds=""
  for ((h = 0; h < hosts; h++)); do seeds+="\"http://127.0.0.1:$((BASE_PORT + h))/p/0.html\", "; done
  write_bench_config "$WORK/shagym.yaml" data "$RULES_DIR" "$PARALLEL" "${seeds%, }" "$STORE_MEMORY"
  sed "s#^rules_dir: .*#rules_dir: $WORK/no-rules#" "$WORK/shagym.yaml" > "$WORK/nocls.yaml"
  first_urls=()
  for ((h = 0; h < hosts; h++)); do first_urls+=("http://127.0.0.1:$((BASE_PORT + h))/p/0.html"); done
  limit=()
  [[ $DURATION != 0 ]] && limit=(--duration "$DURATION")
  for ((run = 1; run <= RUNS; run++)); do
    rm -rf "$WORK/data"
    measure shagym "$SHAGYM" --config "$WORK/shagym.yaml" --log-level info crawl --until-idle "${limit[@]}"
    rm -rf "$WORK/data"
    measure shagym_nocls "$SHAGYM" --config "$WORK/nocls.yaml" --log-level error crawl --until-idle "${limit[@]}"
    if [[ -n $SHAGYM_OLD ]]; then
      rm -rf "$WORK/data"
      measure shagym_old "$SHAGYM_OLD" --config "$WORK/shagym.yaml" --log-level info crawl --until-idle "${limit[@]}"
      rm -rf "$WORK/data"
      measure shagym_old_nocls "$SHAGYM_OLD" --config "$WORK/nocls.yaml" --log-level error crawl --until-idle "${limit[@]}"
    fi
    rm -rf "$WORK/wget"
    measure wget2 wget2 -q -r -l inf --max-threads "$PARALLEL" --robots=on \
      --no-parent --reject-regex '/private/' -P "$WORK/wget" "${first_urls[@]}"
    MAX_PAGES=$SCRAPY_PAGES measure scrapy /usr/bin/python3 bench/crawl/scrapy_spider.py "${first_urls[@]}"
    measure curl "$CURL_FETCH" "$WORK/site/urls.txt" "$PARALLEL"
  done
  kill "$NGINX_PID"; wait "$NGINX_PID" 2>/dev/null || true; NGINX_PID=""
  echo "load after: $(cut -d" " -f1-3 /proc/loadavg)"
  echo
  echo "### $hosts host(s), $PAGES pages (Scrapy capped at $SCRAPY_PAGES)"
  /usr/bin/python3 - "$WORK/results" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name, pages, wall, user, sys_, rss = line.split()
    pages = int(pages); wall = float(wall); cpu = float(user) + float(sys_)
    rows.setdefault(name, []).append((pages / wall if wall else 0,
                                      cpu / pages * 1000 if pages else 0,
                                      int(rss) / 1024, pages))
print("| crawler | pages | pages/s | CPU s / 1000 pages | peak RSS MB |")
print("|---|---|---|---|---|")
med = {}
for name in ("curl", "wget2", "shagym", "shagym_nocls", "shagym_old",
             "shagym_old_nocls", "scrapy"):
    if name not in rows: continue
    r = rows[name]
    m = tuple(statistics.median(x[i] for x in r) for i in range(4))
    med[name] = m
    print("| %s | %d | %.0f | %.3f | %.0f |" % (name, m[3], m[0], m[1], m[2]))
if "shagym" in med and "wget2" in med and "scrapy" in med:
    s, w, c = med["shagym"][0], med["wget2"][0], med["scrapy"][0]
    print("\nratios: shagym/wget2 = %.2fx, shagym/scrapy = %.1fx" % (s / w, s / c))
    if "shagym_nocls" in med:
        n = med["shagym_nocls"][0]
        print("without classification: shagym_nocls/wget2 = %.2fx, "
              "shagym_nocls/scrapy = %.1fx" % (n / w, n / c))
PY
done
