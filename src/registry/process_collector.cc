// The process collector: /proc/self/{stat,limits,fd} and /proc/stat, read
// with plain POSIX calls (no streams, nothing that can throw but
// allocation), each file independently so that one unreadable file drops
// only the families it feeds.
#include "obsv/process_collector.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string_view>

#include "absl/synchronization/mutex.h"

#include "common/str_cat.h"
#include "obsv/exposition_writer.h"

namespace obsv {

namespace {

// Reads a small file whole (proc files report size 0, so read until EOF).
// Gives up past 1 MiB, which no file read here comes near.
std::optional<std::string> ReadSmallFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 || out.size() > (1u << 20)) {
      ::close(fd);
      return std::nullopt;
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

bool ParseU64(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

// The fields of /proc/<pid>/stat after `(comm)`: tokens[0] is field 3
// (state). comm may hold spaces and parentheses: it ends at the last `)`.
std::vector<std::string_view> StatFields(std::string_view stat) {
  std::vector<std::string_view> out;
  size_t close = stat.rfind(')');
  if (close == std::string_view::npos) return out;
  std::string_view rest = stat.substr(close + 1);
  while (!rest.empty()) {
    size_t start = rest.find_first_not_of(" \n");
    if (start == std::string_view::npos) break;
    rest.remove_prefix(start);
    size_t end = rest.find_first_of(" \n");
    out.push_back(rest.substr(0, end));
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end);
  }
  return out;
}

// The soft limit of the /proc/<pid>/limits row `name` ("Max open files").
// Columns are separated by two or more spaces, as procfs splits them;
// "unlimited" is 2^64-1, as procfs reports it.
std::optional<double> SoftLimit(std::string_view limits, std::string_view name) {
  while (!limits.empty()) {
    size_t nl = limits.find('\n');
    std::string_view line = limits.substr(0, nl);
    limits = nl == std::string_view::npos ? std::string_view() : limits.substr(nl + 1);
    if (line.substr(0, name.size()) != name) continue;
    std::string_view rest = line.substr(name.size());
    // The name column must end here: at least two spaces follow it.
    if (rest.size() < 2 || rest[0] != ' ' || rest[1] != ' ') continue;
    size_t start = rest.find_first_not_of(' ');
    if (start == std::string_view::npos) return std::nullopt;
    rest.remove_prefix(start);
    std::string_view soft = rest.substr(0, rest.find(' '));
    if (soft == "unlimited") return static_cast<double>(UINT64_MAX);
    uint64_t v;
    if (!ParseU64(soft, &v)) return std::nullopt;
    return static_cast<double>(v);
  }
  return std::nullopt;
}

std::optional<uint64_t> BootTime(std::string_view stat) {
  while (!stat.empty()) {
    size_t nl = stat.find('\n');
    std::string_view line = stat.substr(0, nl);
    stat = nl == std::string_view::npos ? std::string_view() : stat.substr(nl + 1);
    if (line.substr(0, 6) != "btime ") continue;
    line.remove_prefix(6);
    while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    uint64_t v;
    if (ParseU64(line, &v)) return v;
    return std::nullopt;
  }
  return std::nullopt;
}

std::optional<double> OpenFds(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return std::nullopt;
  uint64_t n = 0;
  while (struct dirent* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    if (name != "." && name != "..") ++n;
  }
  ::closedir(d);
  return static_cast<double>(n);
}

struct Builder {
  std::string prefix;
  std::vector<MetricFamily> families;

  void Add(std::string_view name, MetricType type, std::string_view help, double value) {
    MetricFamily f;
    f.name = internal::StrCat(prefix, name);
    f.type = type;
    f.help.assign(help.data(), help.size());
    f.has_help = true;
    Sample s;
    s.name = type == MetricType::kCounter ? internal::StrCat(f.name, "_total") : f.name;
    s.value = value;
    f.samples.push_back(std::move(s));
    families.push_back(std::move(f));
  }
};

bool ValidPrefix(const std::string& p) { return p.empty() || IsLegacyMetricName(p); }

}  // namespace

namespace {

// The boot time from <proc_root>/stat. That file is large (a counter per
// interrupt) and btime never changes, so the collector reads it once.
struct BootTimeCache {
  absl::Mutex mu;
  bool known ABSL_GUARDED_BY(mu) = false;
  uint64_t btime ABSL_GUARDED_BY(mu) = 0;
};

std::optional<uint64_t> ReadBootTime(const std::string& proc_root, BootTimeCache* cache) {
  if (cache != nullptr) {
    absl::MutexLock l(&cache->mu);
    if (cache->known) return cache->btime;
  }
  std::optional<std::string> sys = ReadSmallFile(proc_root + "/stat");
  std::optional<uint64_t> btime = sys ? BootTime(*sys) : std::nullopt;
  if (btime && cache != nullptr) {
    absl::MutexLock l(&cache->mu);
    cache->known = true;
    cache->btime = *btime;
  }
  return btime;
}

std::vector<MetricFamily> Collect(const ProcessCollectorOptions& options, BootTimeCache* cache) {
  if (!ValidPrefix(options.name_prefix)) return {};
  Builder b;
  if (!options.name_prefix.empty()) b.prefix = options.name_prefix + "_";
  const std::string self = options.proc_root + "/self";

  long ticks = ::sysconf(_SC_CLK_TCK);
  if (ticks <= 0) ticks = 100;  // USER_HZ on every Linux port
  long page = ::sysconf(_SC_PAGESIZE);
  if (page <= 0) page = 4096;

  if (std::optional<std::string> stat = ReadSmallFile(self + "/stat")) {
    std::vector<std::string_view> f = StatFields(*stat);
    // Field N of proc(5) is f[N - 3].
    auto field = [&](size_t n, uint64_t* v) { return f.size() > n - 3 && ParseU64(f[n - 3], v); };
    uint64_t utime, stime, threads, start, vsize, rss;
    if (field(14, &utime) && field(15, &stime)) {
      b.Add("process_cpu_seconds", MetricType::kCounter, "Total user and system CPU time spent in seconds.",
            static_cast<double>(utime + stime) / static_cast<double>(ticks));
    }
    if (field(24, &rss)) {
      b.Add("process_resident_memory_bytes", MetricType::kGauge, "Resident memory size in bytes.",
            static_cast<double>(rss) * static_cast<double>(page));
    }
    if (field(22, &start)) {
      std::optional<uint64_t> btime = ReadBootTime(options.proc_root, cache);
      if (btime) {
        b.Add("process_start_time_seconds", MetricType::kGauge,
              "Start time of the process since unix epoch in seconds.",
              static_cast<double>(*btime) + static_cast<double>(start) / static_cast<double>(ticks));
      }
    }
    if (field(20, &threads)) {
      b.Add("process_threads", MetricType::kGauge, "Number of OS threads in the process.",
            static_cast<double>(threads));
    }
    if (field(23, &vsize)) {
      b.Add("process_virtual_memory_bytes", MetricType::kGauge, "Virtual memory size in bytes.",
            static_cast<double>(vsize));
    }
  }
  if (std::optional<double> fds = OpenFds(self + "/fd")) {
    b.Add("process_open_fds", MetricType::kGauge, "Number of open file descriptors.", *fds);
  }
  if (std::optional<std::string> limits = ReadSmallFile(self + "/limits")) {
    if (std::optional<double> v = SoftLimit(*limits, "Max open files")) {
      b.Add("process_max_fds", MetricType::kGauge, "Maximum number of open file descriptors.", *v);
    }
    if (std::optional<double> v = SoftLimit(*limits, "Max address space")) {
      b.Add("process_virtual_memory_max_bytes", MetricType::kGauge,
            "Maximum amount of virtual memory available in bytes.", *v);
    }
  }
  std::sort(b.families.begin(), b.families.end(),
            [](const MetricFamily& x, const MetricFamily& y) { return x.name < y.name; });
  return std::move(b.families);
}

}  // namespace

std::vector<MetricFamily> CollectProcessMetrics(const ProcessCollectorOptions& options) {
  return Collect(options, nullptr);
}

absl::Status AddProcessCollector(Registry* registry, const ProcessCollectorOptions& options) {
  if (registry == nullptr) return absl::InvalidArgumentError("AddProcessCollector: registry is null");
  if (!ValidPrefix(options.name_prefix)) {
    return absl::InvalidArgumentError(internal::StrCat("process collector name_prefix \"", options.name_prefix,
                                                       "\" is not a legacy metric name"));
  }
  auto cache = std::make_shared<BootTimeCache>();
  return registry->AddCollector(
      options.collector_name, [options, cache]() { return Collect(options, cache.get()); }, options.cache_ttl);
}

}  // namespace obsv
