#!/usr/bin/env bash
# Runs the standard benchmark set with `lantern bench` on synthetic models (real shapes, random
# weights; written on first use by build/bench/synth_bench into $LANTERN_BENCH_MODELS or
# ~/.cache/lantern/bench) and prints a markdown table, also saved to --out FILE when given.
#
# Usage: bench/run_standard.sh [--threads T] [--shapes "qwen2-1.5b llama-8b"] [--quants "Q4_K_M Q8_0 F16"]
#                              [--prompt 512] [--decode 128] [--repeat 3] [--out FILE]
# Defaults: 2 threads, qwen2-1.5b in Q4_K_M, Q8_0 and F16. llama-8b files are 5 to 16 GB.
# Each model is run --repeat times and the run with the median decode/bandwidth fraction is
# reported (the read bandwidth of a shared VM moves by 20% from minute to minute). "read GB/s" is
# the bus between the decoded tokens, the denominator of the fraction; "peak" is the best whole
# read before or after the decode test.
# Needs a Release build (scripts/build). The machine should be otherwise idle: every figure is a
# rate, and other processes on the cores or the memory bus lower it.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
threads=2
shapes="qwen2-1.5b"
quants="Q4_K_M Q8_0 F16"
prompt=512
decode=128
repeat=3
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads=$2; shift 2 ;;
    --shapes) shapes=$2; shift 2 ;;
    --quants) quants=$2; shift 2 ;;
    --prompt) prompt=$2; shift 2 ;;
    --decode) decode=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "run_standard.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
for exe in "$build/lantern" "$build/bench/synth_bench"; do
  [ -x "$exe" ] || { echo "run_standard.sh: $exe not found; run scripts/build first" >&2; exit 1; }
done

field() {  # field KEY JSON -> the number stored under KEY
  printf '%s' "$2" | grep -o "\"$1\":[-0-9.eE+]*" | head -1 | cut -d: -f2
}
fmt() { LC_ALL=C printf "%.${1}f" "$2"; }

table="| model | weights | file MB | load ms | first token ms | prompt t/s ($prompt) | decode t/s ($decode) | peak RSS MB | KV MB | read GB/s | decode / bandwidth | peak GB/s | decode / peak |
| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for shape in $shapes; do
  for quant in $quants; do
    model=$("$build/bench/synth_bench" "$shape" "$quant")
    # Warm the page cache once so load time is the warm-cache figure.
    cat "$model" > /dev/null
    runs=()
    for ((r = 0; r < repeat; r++)); do
      runs+=("$("$build/lantern" bench -m "$model" -p "$prompt" -n "$decode" -t "$threads" --json)")
    done
    # The median run by decode / bandwidth.
    median=$(for i in "${!runs[@]}"; do echo "$(field bandwidth_fraction "${runs[$i]}") $i"; done |
             sort -g | awk '{ a[NR] = $2 } END { print a[int((NR + 1) / 2)] }')
    json=${runs[$median]}
    row="| $shape | $quant | $(fmt 0 "$(field file_mb "$json")") | $(fmt 0 "$(field load_ms "$json")")"
    row+=" | $(fmt 0 "$(field first_token_ms "$json")") | $(fmt 1 "$(field prompt_tokens_per_s "$json")")"
    row+=" | $(fmt 2 "$(field decode_tokens_per_s "$json")") | $(fmt 0 "$(field peak_rss_mb "$json")")"
    row+=" | $(fmt 0 "$(field kv_cache_mb "$json")") | $(fmt 1 "$(field bandwidth_gb_per_s "$json")")"
    row+=" | $(awk -v f="$(field bandwidth_fraction "$json")" 'BEGIN { printf "%.0f", f * 100 }')%"
    row+=" | $(fmt 1 "$(field bandwidth_peak_gb_per_s "$json")")"
    row+=" | $(awk -v f="$(field bandwidth_fraction_of_peak "$json")" 'BEGIN { printf "%.0f", f * 100 }')% |"
    table+=$'\n'"$row"
    echo "$row" >&2
  done
done
header="Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) CPUs, $threads threads, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u '+%Y-%m-%d %H:%M UTC')"
printf '%s\n\n%s\n' "$header" "$table"
if [ -n "$out" ]; then printf '%s\n\n%s\n' "$header" "$table" > "$out"; fi
