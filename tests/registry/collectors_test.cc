// The process collector, build info, request metrics and the gzip
// exposition (the helpers around the registry core).
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "obsv/build_info.h"
#include "obsv/exposition_parser.h"
#include "obsv/http_exposition.h"
#include "obsv/process_collector.h"
#include "obsv/registry.h"
#include "obsv/request_metrics.h"

namespace obsv {
namespace {

std::string Expose(const Registry& r, ExpositionFormat f) {
  std::string out;
  absl::Status s = r.Expose(f, &out);
  EXPECT_TRUE(s.ok()) << s;
  return out;
}

// name -> value of every sample of `families` without labels.
std::map<std::string, double> Values(const std::vector<MetricFamily>& families) {
  std::map<std::string, double> out;
  for (const MetricFamily& f : families) {
    for (const Sample& s : f.samples) out[s.name] = s.value;
  }
  return out;
}

// A scratch directory removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/obsv_proc_XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::system(("rm -rf '" + path_ + "'").c_str()); }
  const std::string& path() const { return path_; }
  void Write(const std::string& rel, const std::string& text) const {
    std::string full = path_ + "/" + rel;
    std::ofstream(full) << text;
  }
  void Mkdir(const std::string& rel) const { ::mkdir((path_ + "/" + rel).c_str(), 0755); }

 private:
  std::string path_;
};

// ---- Process collector -------------------------------------------------------

TEST(ProcessCollector, RealProcIsSane) {
  std::map<std::string, double> v = Values(CollectProcessMetrics());
  ASSERT_EQ(v.size(), 8u);
  EXPECT_GE(v["process_cpu_seconds_total"], 0);
  EXPECT_GT(v["process_resident_memory_bytes"], 1 << 16);
  EXPECT_GE(v["process_virtual_memory_bytes"], v["process_resident_memory_bytes"]);
  EXPECT_GT(v["process_virtual_memory_max_bytes"], 0);
  EXPECT_GE(v["process_open_fds"], 3);
  EXPECT_GE(v["process_max_fds"], v["process_open_fds"]);
  EXPECT_GE(v["process_threads"], 1);
  double now = absl::ToUnixSeconds(absl::Now());
  EXPECT_LE(v["process_start_time_seconds"], now + 1);
  EXPECT_GT(v["process_start_time_seconds"], now - 86400 * 30);
  // Through the registry the boot time is read once (the large /proc/stat).
  Registry r;
  ASSERT_TRUE(AddProcessCollector(&r).ok());
  std::string out;
  for (int i = 0; i < 3; ++i) {
    out.clear();
    ASSERT_TRUE(r.Expose(ExpositionFormat::kText, &out).ok());
  }
  EXPECT_NE(out.find("\nprocess_start_time_seconds "), std::string::npos);
}

TEST(ProcessCollector, FakeProcExactValues) {
  TempDir d;
  d.Mkdir("self");
  d.Mkdir("self/fd");
  for (const char* fd : {"0", "1", "2", "7"}) d.Write(std::string("self/fd/") + fd, "");
  long ticks = sysconf(_SC_CLK_TCK);
  long page = sysconf(_SC_PAGESIZE);
  // comm with spaces and parentheses: fields start after the last ')'.
  d.Write("self/stat",
          "4242 (a b) (c)) S 1 4242 4242 0 -1 4194560 100 0 0 0 " +
              std::to_string(3 * ticks) + " " + std::to_string(ticks / 2) +
              " 0 0 20 0 6 0 " + std::to_string(10 * ticks) + " 123456789 2500 18446744073709551615\n");
  d.Write("self/limits",
          "Limit                     Soft Limit           Hard Limit           Units     \n"
          "Max cpu time              unlimited            unlimited            seconds   \n"
          "Max open files            1024                 1048576              files     \n"
          "Max address space         unlimited            unlimited            bytes     \n");
  d.Write("stat", "cpu  1 2 3\nbtime 1700000000\nprocesses 5\n");
  ProcessCollectorOptions o;
  o.proc_root = d.path();
  std::vector<MetricFamily> fams = CollectProcessMetrics(o);
  std::vector<std::string> names;
  for (const auto& f : fams) names.push_back(f.name);
  EXPECT_EQ(names, (std::vector<std::string>{"process_cpu_seconds", "process_max_fds", "process_open_fds",
                                             "process_resident_memory_bytes", "process_start_time_seconds",
                                             "process_threads", "process_virtual_memory_bytes",
                                             "process_virtual_memory_max_bytes"}));
  std::map<std::string, double> v = Values(fams);
  EXPECT_DOUBLE_EQ(v["process_cpu_seconds_total"], 3.5);
  EXPECT_EQ(v["process_open_fds"], 4);
  EXPECT_EQ(v["process_max_fds"], 1024);
  EXPECT_EQ(v["process_virtual_memory_max_bytes"], 18446744073709551615.0);
  EXPECT_EQ(v["process_virtual_memory_bytes"], 123456789);
  EXPECT_EQ(v["process_resident_memory_bytes"], 2500.0 * page);
  EXPECT_EQ(v["process_threads"], 6);
  EXPECT_EQ(v["process_start_time_seconds"], 1700000010);
}

TEST(ProcessCollector, UnreadableFilesReportWhatTheyCan) {
  TempDir d;
  ProcessCollectorOptions o;
  o.proc_root = d.path();
  EXPECT_TRUE(CollectProcessMetrics(o).empty());  // nothing there at all
  d.Mkdir("self");
  d.Write("self/stat", "garbage without the comm parenthesis\n");
  d.Write("self/limits", "Max open files            4096                 4096                 files\n");
  std::map<std::string, double> v = Values(CollectProcessMetrics(o));
  EXPECT_EQ(v.size(), 1u);
  EXPECT_EQ(v["process_max_fds"], 4096);
  // A truncated stat: the fields present are reported; no /proc/stat, no start time.
  d.Write("self/stat", "1 (x) S 1 1 1 0 -1 0 0 0 0 0 50 50 0 0 20 0 3\n");
  v = Values(CollectProcessMetrics(o));
  EXPECT_EQ(v.count("process_cpu_seconds_total"), 1u);
  EXPECT_EQ(v["process_threads"], 3);
  EXPECT_EQ(v.count("process_start_time_seconds"), 0u);
  EXPECT_EQ(v.count("process_virtual_memory_bytes"), 0u);
  // Numbers out of range or negative are dropped, not wrapped.
  d.Write("self/stat", "1 (x) S 1 1 1 0 -1 0 0 0 0 0 -5 99999999999999999999999 0 0 20 0 x\n");
  v = Values(CollectProcessMetrics(o));
  EXPECT_EQ(v.count("process_cpu_seconds_total"), 0u);
  EXPECT_EQ(v.count("process_threads"), 0u);
}

TEST(ProcessCollector, RegistryExpositionAndPrefix) {
  Registry r;
  ASSERT_TRUE(AddProcessCollector(&r).ok());
  EXPECT_EQ(AddProcessCollector(&r).code(), absl::StatusCode::kAlreadyExists);
  ProcessCollectorOptions o;
  o.name_prefix = "my-app";
  o.collector_name = "p2";
  EXPECT_EQ(AddProcessCollector(&r, o).code(), absl::StatusCode::kInvalidArgument);
  o.name_prefix = "myapp";
  ASSERT_TRUE(AddProcessCollector(&r, o).ok());
  std::string text = Expose(r, ExpositionFormat::kText);
  EXPECT_NE(text.find("# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n"
                      "# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total "),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("# HELP process_open_fds Number of open file descriptors.\n# TYPE process_open_fds gauge\n"),
            std::string::npos);
  EXPECT_NE(text.find("\nmyapp_process_start_time_seconds "), std::string::npos);
  std::string om = Expose(r, ExpositionFormat::kOpenMetrics);
  EXPECT_NE(om.find("# TYPE process_cpu_seconds counter\nprocess_cpu_seconds_total "), std::string::npos) << om;
  auto parsed = ParseExposition(om, {.format = ExpositionFormat::kOpenMetrics, .strict = true});
  EXPECT_TRUE(parsed.ok()) << parsed.status();
}

// ---- Build info ----------------------------------------------------------------

TEST(BuildInfo, OneSeriesOfValueOne) {
  Registry r;
  BuildInfo info;
  info.version = "1.2.3";
  info.revision = "abc123";
  info.branch = "main";
  info.build_date = "20261203-09:30:00";
  info.compiler = "gcc 12";
  info.extra_labels = {{"os", "linux"}};
  auto f = RegisterBuildInfo(&r, "myapp", info);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(Expose(r, ExpositionFormat::kText),
            "# HELP myapp_build_info A metric with a constant '1' value labeled by version, revision, branch, "
            "build_date and compiler from which myapp was built.\n"
            "# TYPE myapp_build_info gauge\n"
            "myapp_build_info{version=\"1.2.3\",revision=\"abc123\",branch=\"main\",build_date=\"20261203-09:30:00\","
            "compiler=\"gcc 12\",os=\"linux\"} 1\n");
  EXPECT_EQ(RegisterBuildInfo(&r, "my app", info).status().code(), absl::StatusCode::kInvalidArgument);
  info.extra_labels = {{"version", "x"}};
  EXPECT_EQ(RegisterBuildInfo(&r, "other", info).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(CompilerVersion().empty());
}

// ---- Request metrics -------------------------------------------------------------

RequestMetricsOptions Opts(std::string prefix, std::string endpoint) {
  RequestMetricsOptions o;
  o.prefix = std::move(prefix);
  o.endpoint = std::move(endpoint);
  return o;
}

TEST(RequestMetrics, EndpointValidation) {
  Registry r;
  auto bad = RequestMetrics::Create(&r, Opts("gw", "api/v1/query"));
  ASSERT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("'/' at offset 3"), std::string::npos) << bad.status();
  EXPECT_EQ(RequestMetrics::Create(&r, Opts("gw", "")).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RequestMetrics::Create(&r, Opts("gw", "a:b")).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RequestMetrics::Create(&r, Opts("g-w", "ok")).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RequestMetrics::Create(&r, Opts("", "2xx")).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(RequestMetrics::Create(&r, Opts("gw", "2xx")).ok());
  EXPECT_TRUE(RequestMetrics::Create(&r, Opts("", "metrics")).ok());
  EXPECT_EQ(ValidateEndpointName("x\x01").code(), absl::StatusCode::kInvalidArgument);
  RequestMetrics empty;
  empty.Observe("GET", 200, 1.0, 1.0);  // no-op
}

TEST(RequestMetrics, CountsLatencyAndSizes) {
  Registry r;
  RequestMetricsOptions o;
  o.prefix = "gw";
  o.endpoint = "api_v1_query";
  o.duration_buckets = {0.1, 1};
  o.size_buckets = {100, 1000};
  auto m = RequestMetrics::Create(&r, o);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->counter_name(), "gw_api_v1_query_request");
  m->Observe("GET", 200, 0.05, 50);
  m->Observe("get", 200, absl::Milliseconds(500), 500);  // same series
  m->Observe("BREW", 418, 2.0, 5000);                    // OTHER
  m->Observe("POST", 999, 0.01, 0);                      // code unknown
  std::string text = Expose(r, ExpositionFormat::kText);
  for (const char* want : {
           "# TYPE gw_api_v1_query_request_total counter\n",
           "gw_api_v1_query_request_total{method=\"GET\",code=\"200\"} 2\n",
           "gw_api_v1_query_request_total{method=\"OTHER\",code=\"418\"} 1\n",
           "gw_api_v1_query_request_total{method=\"POST\",code=\"unknown\"} 1\n",
           "# TYPE gw_api_v1_query_request_duration_seconds histogram\n",
           "gw_api_v1_query_request_duration_seconds_bucket{method=\"GET\",code=\"200\",le=\"0.1\"} 1\n",
           "gw_api_v1_query_request_duration_seconds_bucket{method=\"GET\",code=\"200\",le=\"1\"} 2\n",
           "gw_api_v1_query_request_duration_seconds_sum{method=\"GET\",code=\"200\"} 0.55\n",
           "gw_api_v1_query_response_sizes_bucket{method=\"GET\",code=\"200\",le=\"100\"} 1\n",
           "gw_api_v1_query_response_sizes_bucket{method=\"OTHER\",code=\"418\",le=\"+Inf\"} 1\n",
           "gw_api_v1_query_response_sizes_sum{method=\"GET\",code=\"200\"} 550\n",
       }) {
    EXPECT_NE(text.find(want), std::string::npos) << want << "\n" << text;
  }
  std::string om = Expose(r, ExpositionFormat::kOpenMetrics);
  EXPECT_NE(om.find("# UNIT gw_api_v1_query_request_duration_seconds seconds\n"), std::string::npos) << om;
  // Creating it again finds the same families.
  auto again = RequestMetrics::Create(&r, o);
  ASSERT_TRUE(again.ok());
  again->Observe("GET", 200, 0.05, 50);
  EXPECT_NE(Expose(r, ExpositionFormat::kText).find("gw_api_v1_query_request_total{method=\"GET\",code=\"200\"} 3\n"),
            std::string::npos);
}

TEST(RequestMetrics, ExactUnderThreads) {
  Registry r;
  auto m = RequestMetrics::Create(&r, Opts("gw", "x")).value();
  constexpr int kThreads = 4, kPer = 20000;
  std::vector<std::thread> ts;
  for (int t = 0; t < kThreads; ++t) {
    ts.emplace_back([&, t] {
      for (int i = 0; i < kPer; ++i) m.Observe(i % 2 ? "GET" : "POST", 200 + (i + t) % 3, 0.001, 10);
    });
  }
  for (auto& t : ts) t.join();
  auto fams = ParseExposition(Expose(r, ExpositionFormat::kText), {.format = ExpositionFormat::kText}).value();
  double total = 0;
  for (const auto& f : fams) {
    if (f.name != "gw_x_request_total") continue;
    for (const auto& s : f.samples) total += s.value;
  }
  EXPECT_EQ(total, kThreads * kPer);
}

// ---- gzip ----------------------------------------------------------------------------

std::string Gunzip(const std::string& in) {
  z_stream zs{};
  EXPECT_EQ(inflateInit2(&zs, 15 + 16), Z_OK);
  std::string out(in.size() * 50 + 1024, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(&out[0]);
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  inflateEnd(&zs);
  return out;
}

TEST(Gzip, AcceptEncodingNegotiation) {
  struct Case {
    const char* header;
    bool gzip;
  } cases[] = {
      {"", false},
      {"gzip", true},
      {"GZIP", true},
      {"x-gzip", true},
      {"deflate, gzip;q=1.0, *;q=0.5", true},
      {"gzip;q=0", false},
      {"gzip;q=0.000", false},
      {"*", true},
      {"*;q=0", false},
      {"gzip;q=0, *", false},
      {"identity", false},
      {"br, deflate", false},
      {"gzip;q=0.5, identity;q=1", false},
      {"gzip;q=1, identity;q=0.5", true},
      {"gzip;q=bogus", false},
      {"gzip;q=1.5", false},
      {" gzip ; q=0.2 ", true},
      {",,,", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.header);
    EXPECT_EQ(AcceptsGzip(c.header), c.gzip);
  }
}

TEST(Gzip, ExposeHttpCompressesWhenAccepted) {
  Registry r;
  MetricOptions mo;
  mo.name = "x";
  mo.help = "X.";
  mo.label_names = {"i"};
  auto c = r.AddCounter(mo).value();
  for (int i = 0; i < 200; ++i) c.WithLabelValues({std::to_string(i)}).value().Inc(i);
  HttpExposition h;
  ASSERT_TRUE(ExposeHttp(r, "application/openmetrics-text;version=1.0.0", "gzip", &h).ok());
  EXPECT_EQ(h.content_encoding, "gzip");
  EXPECT_EQ(h.format, ExpositionFormat::kOpenMetrics);
  std::string plain = Expose(r, ExpositionFormat::kOpenMetrics);
  EXPECT_EQ(Gunzip(h.body), plain);
  EXPECT_LT(h.body.size() * 4, plain.size());
  std::printf("gzip level 1: %zu -> %zu bytes\n", plain.size(), h.body.size());
  ASSERT_TRUE(ExposeHttp(r, "", "identity", &h).ok());
  EXPECT_EQ(h.content_encoding, "");
  EXPECT_EQ(h.body, Expose(r, ExpositionFormat::kText));
  ASSERT_TRUE(ExposeHttp(r, "", "gzip", &h, {.gzip_level = 1, .min_gzip_bytes = 1 << 20}).ok());
  EXPECT_EQ(h.content_encoding, "");
  std::string z;
  EXPECT_EQ(GzipCompress("abc", 0, &z).code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(GzipCompress("", 9, &z).ok());
  EXPECT_EQ(Gunzip(z), "");
}

}  // namespace
}  // namespace obsv
