// registry_server: a small HTTP/1.1 server on POSIX sockets serving an
// obsv::Registry at /metrics, with content negotiation (Accept, and gzip by
// Accept-Encoding), the process collector, build info, request metrics of
// its own endpoints, and demo metrics of every kind with known values (the
// real-Prometheus test, tests/reference/test_registry_scrape.py, checks
// them).
//
//   registry_server --listen 127.0.0.1:9464
//
// Endpoints:
//   GET|HEAD /metrics[?format=text|openmetrics|protobuf]  the registry;
//            `format` pins the format whatever Accept says (text 0.0.4,
//            OpenMetrics 1.0, delimited protobuf)
//   GET /work?n=N      adds N (1..1000000) to demo_jobs_processed_total{queue="default"}
//   GET /              a line of text
// Anything else: 404, 405 (wrong method), 400 (malformed request), 413/431
// (too large), 501 (request bodies with Transfer-Encoding), 503 (too many
// connections). Requests are bounded (8 KiB of head, 64 KiB of body), every
// socket has a 10 s I/O timeout, and a malformed request gets a 400 with a
// reason and the connection closed.
//
// On start it prints `listening on HOST:PORT` (the port actually bound,
// useful with port 0) to stdout. SIGINT/SIGTERM stop it.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "obsv/build_info.h"
#include "obsv/http_exposition.h"
#include "obsv/process_collector.h"
#include "obsv/registry.h"
#include "obsv/request_metrics.h"
#include "obsv/version.h"

#ifndef REGISTRY_SERVER_REVISION
#define REGISTRY_SERVER_REVISION "unknown"
#endif
#ifndef REGISTRY_SERVER_BRANCH
#define REGISTRY_SERVER_BRANCH "unknown"
#endif

namespace {

constexpr size_t kMaxHeadBytes = 8192;
constexpr size_t kMaxBodyBytes = 64 * 1024;
constexpr size_t kMaxHeaders = 100;
constexpr int kIoTimeoutSeconds = 10;

std::atomic<bool> g_stop{false};

void OnSignal(int) { g_stop.store(true); }

// The demo metrics: fixed values the reference test knows.
struct Demo {
  obsv::Counter jobs_default;
};

struct Server {
  obsv::Registry registry;
  obsv::RequestMetrics metrics_endpoint;  // /metrics
  obsv::RequestMetrics other_endpoints;   // everything else
  obsv::Family<obsv::Counter> responses_by_encoding;
  obsv::Gauge open_connections;
  Demo demo;
  int max_connections = 64;
  std::atomic<int> active{0};
  std::mutex mu;
  std::set<int> client_fds;  // guarded by mu: shut down on exit
};

bool Check(const absl::Status& s, const char* what) {
  if (s.ok()) return true;
  std::fprintf(stderr, "registry_server: %s: %s\n", what, std::string(s.message()).c_str());
  return false;
}

template <typename T>
bool Check(const absl::StatusOr<T>& s, const char* what) {
  return Check(s.status(), what);
}

bool SetUp(Server* s) {
  obsv::Registry& r = s->registry;
  if (!Check(obsv::AddProcessCollector(&r), "process collector")) return false;
  obsv::BuildInfo info;
  info.version = OBSV_VERSION_STRING;
  info.revision = REGISTRY_SERVER_REVISION;
  info.branch = REGISTRY_SERVER_BRANCH;
  info.build_date = __DATE__ " " __TIME__;
  if (!Check(obsv::RegisterBuildInfo(&r, "registry_server", info), "build info")) return false;

  obsv::RequestMetricsOptions ro;
  ro.prefix = "registry_server";
  ro.endpoint = "metrics";
  auto metrics = obsv::RequestMetrics::Create(&r, ro);
  ro.endpoint = "other";
  auto other = obsv::RequestMetrics::Create(&r, ro);
  if (!Check(metrics, "request metrics") || !Check(other, "request metrics")) return false;
  s->metrics_endpoint = *metrics;
  s->other_endpoints = *other;

  obsv::MetricOptions enc;
  enc.name = "registry_server_responses_by_encoding";
  enc.help = "Responses sent, by Content-Encoding (identity or gzip).";
  enc.label_names = {"encoding"};
  auto by_encoding = r.AddCounter(enc);
  obsv::MetricOptions conns;
  conns.name = "registry_server_open_connections";
  conns.help = "Client connections being served.";
  auto open = r.AddGauge(conns);
  if (!Check(by_encoding, "counter") || !Check(open, "gauge")) return false;
  s->responses_by_encoding = *by_encoding;
  s->open_connections = open->WithLabelValues({}).value();

  // ---- Demo metrics with known values ----
  obsv::MetricOptions jobs;
  jobs.name = "demo_jobs_processed_total";
  jobs.help = "Jobs processed, by queue.";
  jobs.label_names = {"queue"};
  auto jobs_f = r.AddCounter(jobs);
  if (!Check(jobs_f, "demo counter")) return false;
  s->demo.jobs_default = jobs_f->WithLabelValues({"default"}).value();
  s->demo.jobs_default.Inc(7);
  jobs_f->WithLabelValues({"bulk"}).value().Add(2.5);

  obsv::MetricOptions temp;
  temp.name = "demo_temperature_celsius";
  temp.help = "A gauge set to 21.5.";
  temp.unit = "celsius";
  auto temp_f = r.AddGauge(temp);
  if (!Check(temp_f, "demo gauge")) return false;
  temp_f->WithLabelValues({}).value().Set(21.5);

  obsv::MetricOptions lat;
  lat.name = "demo_latency_seconds";
  lat.help = "A histogram of the observations 0.05 0.2 0.3 0.7 2 3.";
  lat.unit = "seconds";
  auto lat_f = r.AddHistogram(lat, {0.1, 0.5, 1, 5});
  if (!Check(lat_f, "demo histogram")) return false;
  obsv::Histogram h = lat_f->WithLabelValues({}).value();
  for (double v : {0.05, 0.2, 0.3, 0.7, 2.0, 3.0}) h.Observe(v);

  obsv::MetricOptions rpc;
  rpc.name = "demo_rpc_seconds";
  rpc.help = "A summary of the observations 1 2 ... 10.";
  obsv::SummaryOptions so;
  so.quantiles = {0.5, 0.9};
  so.max_age = absl::Hours(24);  // the window keeps them for the whole test
  auto rpc_f = r.AddSummary(rpc, so);
  if (!Check(rpc_f, "demo summary")) return false;
  obsv::Summary sm = rpc_f->WithLabelValues({}).value();
  for (int i = 1; i <= 10; ++i) sm.Observe(i);

  obsv::MetricOptions target;
  target.name = "demo_target";
  target.help = "An info metric.";
  target.label_names = {"env", "team"};
  auto target_f = r.AddInfo(target);
  if (!Check(target_f, "demo info")) return false;
  if (!Check(target_f->WithLabelValues({"test", "obsv"}), "demo info series")) return false;

  obsv::MetricOptions mode;
  mode.name = "demo_mode";
  mode.help = "A stateset: normal is set.";
  auto mode_f = r.AddStateSet(mode, {"degraded", "maintenance", "normal"});
  if (!Check(mode_f, "demo stateset")) return false;
  return Check(mode_f->WithLabelValues({}).value().SetOnly("normal"), "demo stateset state");
}

// ---- HTTP ------------------------------------------------------------------------

struct Request {
  std::string_view method, target, version;
  std::vector<std::pair<std::string_view, std::string_view>> headers;
  std::string_view Header(std::string_view name) const {
    for (const auto& [n, v] : headers) {
      if (n.size() != name.size()) continue;
      bool same = true;
      for (size_t i = 0; i < n.size() && same; ++i) {
        same = std::tolower(static_cast<unsigned char>(n[i])) == std::tolower(static_cast<unsigned char>(name[i]));
      }
      if (same) return v;
    }
    return {};
  }
};

bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != '\0';
}

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Parses the head (request line and header lines, without the blank line).
// Returns an empty string on success, else the reason for a 400.
std::string ParseHead(std::string_view head, Request* req) {
  auto next_line = [&head]() {
    size_t nl = head.find('\n');
    std::string_view line = head.substr(0, nl);
    head = nl == std::string_view::npos ? std::string_view() : head.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
  };
  std::string_view line = next_line();
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
    return "malformed request line (want `METHOD /path HTTP/1.1`)";
  }
  req->method = line.substr(0, sp1);
  req->target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  req->version = line.substr(sp2 + 1);
  if (req->method.empty()) return "empty method";
  for (char c : req->method) {
    if (!IsTokenChar(c)) return "invalid character in method";
  }
  if (req->target.empty() || req->target[0] != '/') return "request target must start with '/'";
  for (char c : req->target) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return "control character in request target";
  }
  if (req->version != "HTTP/1.1" && req->version != "HTTP/1.0") return "unsupported HTTP version";
  while (!head.empty()) {
    line = next_line();
    if (line.empty()) continue;
    if (line[0] == ' ' || line[0] == '\t') return "obsolete header line folding";
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return "malformed header line";
    std::string_view name = line.substr(0, colon);
    for (char c : name) {
      if (!IsTokenChar(c)) return "invalid character in header name";
    }
    std::string_view value = TrimOws(line.substr(colon + 1));
    for (char c : value) {
      if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) return "control character in header value";
    }
    if (req->headers.size() >= kMaxHeaders) return "too many header lines";
    req->headers.emplace_back(name, value);
  }
  return "";
}

bool SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

struct Response {
  int code = 200;
  std::string reason = "OK";
  std::string content_type = "text/plain; charset=utf-8";
  std::string content_encoding;
  std::string extra_headers;
  std::string body;
  bool close = false;
};

// Writes the response; returns the body bytes sent (0 for HEAD).
size_t Send(int fd, const Response& r, bool head_only, bool* ok) {
  std::string out = "HTTP/1.1 " + std::to_string(r.code) + " " + r.reason + "\r\n";
  out += "Content-Type: " + r.content_type + "\r\n";
  if (!r.content_encoding.empty()) out += "Content-Encoding: " + r.content_encoding + "\r\n";
  out += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
  out += r.extra_headers;
  if (r.close) out += "Connection: close\r\n";
  out += "\r\n";
  if (!head_only) out += r.body;
  *ok = SendAll(fd, out);
  return head_only ? 0 : r.body.size();
}

Response Error(int code, const char* reason, std::string message, bool close) {
  Response r;
  r.code = code;
  r.reason = reason;
  r.body = std::move(message) + "\n";
  r.close = close;
  return r;
}

// The value of query parameter `key` ("" if absent); sets *dup on repeats.
std::string_view QueryParam(std::string_view query, std::string_view key, bool* present) {
  *present = false;
  std::string_view found;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view kv = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    size_t eq = kv.find('=');
    if (kv.substr(0, eq) == key) {
      *present = true;
      found = eq == std::string_view::npos ? std::string_view() : kv.substr(eq + 1);
    }
  }
  return found;
}

Response Route(Server* s, const Request& req, bool* is_metrics) {
  std::string_view path = req.target, query;
  size_t q = path.find('?');
  if (q != std::string_view::npos) {
    query = path.substr(q + 1);
    path = path.substr(0, q);
  }
  bool get_or_head = req.method == "GET" || req.method == "HEAD";
  if (path == "/metrics") {
    *is_metrics = true;
    if (!get_or_head) {
      Response r = Error(405, "Method Not Allowed", "use GET or HEAD", false);
      r.extra_headers = "Allow: GET, HEAD\r\n";
      return r;
    }
    bool pinned;
    std::string_view format = QueryParam(query, "format", &pinned);
    std::string_view accept = req.Header("Accept");
    if (pinned) {
      if (format == "text") {
        accept = "text/plain;version=0.0.4";
      } else if (format == "openmetrics") {
        accept = "application/openmetrics-text;version=1.0.0";
      } else if (format == "protobuf") {
        accept = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited";
      } else {
        return Error(400, "Bad Request", "format must be `text`, `openmetrics` or `protobuf`", false);
      }
    }
    obsv::HttpExposition e;
    absl::Status st = obsv::ExposeHttp(s->registry, accept, req.Header("Accept-Encoding"), &e);
    if (!st.ok()) return Error(500, "Internal Server Error", std::string(st.message()), false);
    Response r;
    r.content_type = std::string(e.content_type);
    r.content_encoding = std::string(e.content_encoding);
    r.extra_headers = "Vary: Accept, Accept-Encoding\r\n";
    r.body = std::move(e.body);
    s->responses_by_encoding.WithLabelValues({r.content_encoding.empty() ? "identity" : "gzip"}).value().Inc();
    return r;
  }
  if (path == "/work") {
    if (req.method != "GET") {
      Response r = Error(405, "Method Not Allowed", "use GET", false);
      r.extra_headers = "Allow: GET\r\n";
      return r;
    }
    bool present;
    std::string_view n = QueryParam(query, "n", &present);
    uint64_t v = 0;
    bool ok = present && !n.empty() && n.size() <= 7;
    for (char c : n) {
      ok = ok && c >= '0' && c <= '9';
      if (ok) v = v * 10 + static_cast<uint64_t>(c - '0');
    }
    if (!ok || v == 0 || v > 1000000) return Error(400, "Bad Request", "n must be 1..1000000", false);
    s->demo.jobs_default.Inc(v);
    return Error(200, "OK", "ok", false);
  }
  if (path == "/") {
    if (!get_or_head) return Error(405, "Method Not Allowed", "use GET or HEAD", false);
    return Error(200, "OK", "registry_server: metrics at /metrics", false);
  }
  return Error(404, "Not Found", "not found", false);
}

// After an error answer on a connection whose request was not read whole:
// closing with unread input would make the kernel reset the connection and
// the client could lose the answer. So: half-close, drain a bounded amount
// for at most a second, then let the caller close.
void LingerClose(int fd) {
  ::shutdown(fd, SHUT_WR);
  timeval tv{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char sink[4096];
  for (size_t drained = 0; drained < (1u << 20);) {
    ssize_t n = ::recv(fd, sink, sizeof sink, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    drained += static_cast<size_t>(n);
  }
}

void Observe(Server* s, bool is_metrics, std::string_view method, int code,
             std::chrono::steady_clock::time_point start, size_t bytes) {
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  (is_metrics ? s->metrics_endpoint : s->other_endpoints).Observe(method, code, secs, static_cast<double>(bytes));
}

void ServeConnection(Server* s, int fd) {
  std::string buf;
  char chunk[4096];
  for (;;) {
    // Read the head, at most kMaxHeadBytes.
    size_t head_end = std::string::npos, sep = 0;
    for (;;) {
      size_t crlf = buf.find("\r\n\r\n"), lf = buf.find("\n\n");
      if (crlf != std::string::npos && (lf == std::string::npos || crlf < lf)) {
        head_end = crlf;
        sep = 4;
      } else if (lf != std::string::npos) {
        head_end = lf;
        sep = 2;
      }
      if (head_end != std::string::npos) break;
      if (buf.size() > kMaxHeadBytes) {
        auto start = std::chrono::steady_clock::now();
        bool ok;
        size_t n = Send(fd, Error(431, "Request Header Fields Too Large", "request head over 8 KiB", true), false, &ok);
        Observe(s, false, "OTHER", 431, start, n);
        LingerClose(fd);
        return;
      }
      ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;  // closed, timed out or shut down
      buf.append(chunk, static_cast<size_t>(n));
    }
    auto start = std::chrono::steady_clock::now();
    if (head_end > kMaxHeadBytes) {
      bool ok;
      size_t n = Send(fd, Error(431, "Request Header Fields Too Large", "request head over 8 KiB", true), false, &ok);
      Observe(s, false, "OTHER", 431, start, n);
      LingerClose(fd);
      return;
    }
    Request req;
    std::string why = ParseHead(std::string_view(buf).substr(0, head_end), &req);
    if (!why.empty()) {
      bool ok;
      size_t n = Send(fd, Error(400, "Bad Request", "bad request: " + why, true), false, &ok);
      Observe(s, false, "OTHER", 400, start, n);
      LingerClose(fd);
      return;
    }
    size_t consumed = head_end + sep;
    // Bodies: Content-Length only, bounded, read and dropped.
    if (!req.Header("Transfer-Encoding").empty()) {
      bool ok;
      size_t n = Send(fd, Error(501, "Not Implemented", "Transfer-Encoding is not supported", true), false, &ok);
      Observe(s, false, req.method, 501, start, n);
      LingerClose(fd);
      return;
    }
    std::string_view cl = req.Header("Content-Length");
    size_t body = 0;
    if (!cl.empty()) {
      bool ok = cl.size() <= 12;
      for (char c : cl) {
        ok = ok && c >= '0' && c <= '9';
        if (ok) body = body * 10 + static_cast<size_t>(c - '0');
      }
      if (!ok) {
        bool sent;
        size_t n = Send(fd, Error(400, "Bad Request", "bad request: invalid Content-Length", true), false, &sent);
        Observe(s, false, req.method, 400, start, n);
        LingerClose(fd);
        return;
      }
      if (body > kMaxBodyBytes) {
        bool sent;
        size_t n = Send(fd, Error(413, "Content Too Large", "request body over 64 KiB", true), false, &sent);
        Observe(s, false, req.method, 413, start, n);
        LingerClose(fd);
        return;
      }
    }
    if (buf.size() < consumed + body) {
      while (buf.size() < consumed + body) {
        ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        buf.append(chunk, static_cast<size_t>(n));
      }
      // The views pointed into the old buffer: parse the (valid) head again.
      req = Request{};
      ParseHead(std::string_view(buf).substr(0, head_end), &req);
    }
    std::string method(req.method);
    std::string_view connection = req.Header("Connection");
    bool close = req.version == "HTTP/1.0" ? connection != "keep-alive" && connection != "Keep-Alive"
                                           : connection == "close" || connection == "Close";
    bool is_metrics = false;
    Response r = Route(s, req, &is_metrics);
    r.close = r.close || close || g_stop.load();
    bool ok;
    size_t n = Send(fd, r, method == "HEAD", &ok);
    Observe(s, is_metrics, method, r.code, start, n);
    if (!ok || r.close) return;
    buf.erase(0, consumed + body);
  }
}

bool ParseListen(const char* arg, std::string* host, int* port) {
  std::string_view a = arg;
  size_t colon = a.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  *host = std::string(a.substr(0, colon));
  std::string p(a.substr(colon + 1));
  char* end = nullptr;
  long v = std::strtol(p.c_str(), &end, 10);
  if (p.empty() || *end != '\0' || v < 0 || v > 65535) return false;
  *port = static_cast<int>(v);
  return true;
}

void Usage() {
  std::fprintf(stderr,
               "usage: registry_server [--listen HOST:PORT] [--max-connections N]\n"
               "  --listen HOST:PORT   IPv4 address to serve on (default 127.0.0.1:9464; port 0: any)\n"
               "  --max-connections N  concurrent connections before 503 (default 64)\n");
}

}  // namespace

int main(int argc, char** argv) {
  std::string host = "127.0.0.1";
  int port = 9464;
  int max_connections = 64;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--listen" && i + 1 < argc) {
      if (!ParseListen(argv[++i], &host, &port)) {
        std::fprintf(stderr, "registry_server: --listen wants HOST:PORT, got \"%s\"\n", argv[i]);
        return 2;
      }
    } else if (a == "--max-connections" && i + 1 < argc) {
      max_connections = std::atoi(argv[++i]);
      if (max_connections < 1) {
        Usage();
        return 2;
      }
    } else if (a == "--help" || a == "-h") {
      Usage();
      return 0;
    } else {
      Usage();
      return 2;
    }
  }

  auto server = std::make_unique<Server>();
  server->max_connections = max_connections;
  if (!SetUp(server.get())) return 1;

  int lfd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (lfd < 0) {
    std::perror("registry_server: socket");
    return 1;
  }
  int one = 1;
  ::setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    std::fprintf(stderr, "registry_server: not an IPv4 address: %s\n", host.c_str());
    return 2;
  }
  if (::bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(lfd, 128) != 0) {
    std::perror("registry_server: bind/listen");
    return 1;
  }
  socklen_t len = sizeof addr;
  ::getsockname(lfd, reinterpret_cast<sockaddr*>(&addr), &len);

  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  std::printf("listening on %s:%d\n", host.c_str(), ntohs(addr.sin_port));
  std::fflush(stdout);

  Server* s = server.get();
  while (!g_stop.load()) {
    pollfd p{lfd, POLLIN, 0};
    int ready = ::poll(&p, 1, 200);
    if (ready <= 0) continue;
    int cfd = ::accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC);
    if (cfd < 0) continue;
    timeval tv{kIoTimeoutSeconds, 0};
    ::setsockopt(cfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(cfd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    ::setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (s->active.load() >= s->max_connections) {
      bool ok;
      Send(cfd, Error(503, "Service Unavailable", "too many connections", true), false, &ok);
      ::close(cfd);
      continue;
    }
    s->active.fetch_add(1);
    s->open_connections.Inc();
    {
      std::lock_guard<std::mutex> l(s->mu);
      s->client_fds.insert(cfd);
    }
    std::thread([s, cfd] {
      ServeConnection(s, cfd);
      {
        std::lock_guard<std::mutex> l(s->mu);
        s->client_fds.erase(cfd);
      }
      ::close(cfd);
      s->open_connections.Dec();
      s->active.fetch_sub(1);
    }).detach();
  }
  ::close(lfd);
  // Wake the connection threads (recv returns 0) and wait for them: they use
  // the registry.
  {
    std::lock_guard<std::mutex> l(s->mu);
    for (int fd : s->client_fds) ::shutdown(fd, SHUT_RDWR);
  }
  for (int i = 0; i < 500 && s->active.load() > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (s->active.load() > 0) std::_Exit(0);  // a stuck peer: do not free under it
  return 0;
}
