# Sourced by the crawl benchmarks: the shagym configuration that crawls the
# generated site (bench/crawl/gen_site.py), one definition for every script.
#
#   write_bench_config FILE DATA_DIR RULES_DIR PARALLEL SEEDS [STORE_MEMORY]
#
# SEEDS is a YAML flow list's inside ("http://...", "http://..."); an empty
# STORE_MEMORY keeps the store's default budget.
write_bench_config() {
  local file=$1 data_dir=$2 rules_dir=$3 parallel=$4 seeds=$5 store_memory=${6:-}
  cat > "$file" <<YAML
data_dir: $data_dir
${store_memory:+store_memory: $store_memory}
rules_dir: $rules_dir
gazetteer: $PWD/config/gazetteer/regions.yaml
crawl:
  user_agent: "shagym-bench/1.0"
  max_connections: 64
  per_host_connections: $parallel
  per_host_delay_ms: 0
  max_depth: 1000
  max_pages_per_host: 1000000
  allow_private_addresses: true
sources:
  - id: bench
    type: html
    seeds: [$seeds]
    follow: ['^http://127\.0\.0\.1:\d+/p/']
    max_depth: 1000
    post: {item: "div.post", text: "p.text", author: "span.author"}
log: {level: warn}
YAML
}
