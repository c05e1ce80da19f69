// obsv/process_collector.h: the standard process metrics, as client_golang's
// process collector exports them, read from Linux's /proc at scrape time.
//
//   obsv::Registry registry;
//   absl::Status s = obsv::AddProcessCollector(&registry);  // once
//   // every scrape of `registry` now has process_cpu_seconds_total, ...
//
// The families (names, types and HELP texts of client_golang; no UNIT lines,
// as client_golang writes none):
//
//   process_cpu_seconds_total         counter  utime+stime of /proc/self/stat
//   process_resident_memory_bytes     gauge    rss (pages) * page size
//   process_virtual_memory_bytes      gauge    vsize
//   process_virtual_memory_max_bytes  gauge    "Max address space" soft limit
//   process_open_fds                  gauge    entries of /proc/self/fd
//   process_max_fds                   gauge    "Max open files" soft limit
//   process_start_time_seconds        gauge    btime of /proc/stat + starttime
//   process_threads                   gauge    num_threads (not in client_golang)
//
// An unlimited limit is reported as 2^64 (1.8446744073709552e+19), as
// client_golang (procfs) does. A /proc file that cannot be read or parsed
// drops the families it feeds and nothing else: the collector reports what
// it can, never fails a scrape and never crashes (client_golang's default,
// ReportErrors off). On a system without /proc it reports nothing.
//
// Thread safety: thread-safe; each collection reads the files afresh.
#ifndef OBSV_PROCESS_COLLECTOR_H_
#define OBSV_PROCESS_COLLECTOR_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "obsv/export.h"
#include "obsv/metric_model.h"
#include "obsv/registry.h"

namespace obsv {

struct ProcessCollectorOptions {
  // Prepended with `_` to every name (client_golang's Namespace):
  // "myapp" gives myapp_process_cpu_seconds_total. Empty: none. Must be a
  // legacy metric name ([a-zA-Z_:][a-zA-Z0-9_:]*).
  std::string name_prefix;
  // Where proc(5) is mounted. The collector reads <proc_root>/self/stat,
  // <proc_root>/self/limits, <proc_root>/self/fd/ and <proc_root>/stat.
  // Tests point it at a fake tree.
  std::string proc_root = "/proc";
  // The collector's name in the registry (Registry::AddCollector()).
  std::string collector_name = "process";
  // Reuse a collection for this long (0: read /proc at every scrape; one
  // collection is five file or directory reads, 35-90 us measured on a
  // loaded 2-core VM).
  absl::Duration cache_ttl = absl::ZeroDuration();
};

// Reads the process metrics now (the boot time included; a collector added
// by AddProcessCollector() reads the boot time once, as it never changes). Families in name order, OpenMetrics naming
// (the counter is family `process_cpu_seconds`, sample
// `process_cpu_seconds_total`), each with one sample. Never fails: what
// cannot be read is left out. An invalid name_prefix gives no families.
OBSV_API std::vector<MetricFamily> CollectProcessMetrics(const ProcessCollectorOptions& options = {});

// Adds a collector running CollectProcessMetrics(options) at each scrape.
// Errors: InvalidArgument for a name_prefix that is not a legacy metric
// name, AlreadyExists if a collector of that collector_name exists.
OBSV_API absl::Status AddProcessCollector(Registry* registry, const ProcessCollectorOptions& options = {});

}  // namespace obsv

#endif  // OBSV_PROCESS_COLLECTOR_H_
