#include "exposition/test_util.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "obsv/exposition_writer.h"

namespace obsv::testing {

std::string ReadTestFile(const std::string& relative_path) {
  std::ifstream in(std::string(OBSV_TESTDATA_DIR) + "/" + relative_path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<CorpusFile> CorpusFiles() {
  return {
      {"corpus/node_exporter.prom", ExpositionFormat::kText},
      {"corpus/prometheus.prom", ExpositionFormat::kText},
      {"corpus/alertmanager.prom", ExpositionFormat::kText},
      {"corpus/pushgateway.prom", ExpositionFormat::kText},
      {"corpus/prometheus_federate.prom", ExpositionFormat::kText},
      {"corpus/client_golang.prom", ExpositionFormat::kText},
      {"corpus/client_golang.om.txt", ExpositionFormat::kOpenMetrics},
      {"corpus/python_client.prom", ExpositionFormat::kText},
      {"corpus/python_client.om.txt", ExpositionFormat::kOpenMetrics},
      {"corpus/vm_metrics.prom", ExpositionFormat::kText},
      {"corpus/prometheus_cpp.prom", ExpositionFormat::kText},
  };
}

namespace {

void AppendEntry(const ExpositionParser& p, Entry e, std::string* out) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%u ", p.line());
  out->append(buf);
  switch (e) {
    case Entry::kHelp:
      out->append("HELP ").append(p.family_name()).append(" ").append(p.help());
      break;
    case Entry::kType:
      out->append("TYPE ").append(p.family_name()).append(" ").append(MetricTypeName(p.type()));
      break;
    case Entry::kUnit:
      out->append("UNIT ").append(p.family_name()).append(" ").append(p.unit());
      break;
    case Entry::kComment:
      out->append("COMMENT ").append(p.comment());
      break;
    case Entry::kSample: {
      out->append("SAMPLE ").append(p.metric_name()).append(" family=").append(p.family_name());
      out->append(" type=").append(MetricTypeName(p.type()));
      out->append(" suffix=").append(SampleSuffixString(p.suffix()));
      for (size_t i = 0; i < p.label_count(); ++i) {
        out->append(" ").append(p.label_name(i)).append("=").append(p.label_value(i));
      }
      out->append(" value=");
      AppendGoFloat(p.value(), out);
      out->append(" text=").append(p.value_text());
      if (p.has_timestamp()) {
        std::snprintf(buf, sizeof buf, " ts=%lld.%06d", static_cast<long long>(p.timestamp().milliseconds),
                      p.timestamp().nanos);
        out->append(buf);
      }
      if (p.has_exemplar()) {
        out->append(" exemplar{");
        for (size_t i = 0; i < p.exemplar_label_count(); ++i) {
          out->append(p.exemplar_label_name(i)).append("=").append(p.exemplar_label_value(i)).append(",");
        }
        out->append("} ");
        AppendGoFloat(p.exemplar_value(), out);
        if (p.exemplar_has_timestamp()) {
          std::snprintf(buf, sizeof buf, " ts=%lld.%06d",
                        static_cast<long long>(p.exemplar_timestamp().milliseconds), p.exemplar_timestamp().nanos);
          out->append(buf);
        }
      }
      break;
    }
    case Entry::kError:
      std::snprintf(buf, sizeof buf, "ERROR %s %u:%u @%llu", std::string(ParseErrorCodeName(p.error().code)).c_str(),
                    p.error().line, p.error().column, static_cast<unsigned long long>(p.error().offset));
      out->append(buf);
      break;
    case Entry::kEnd:
    case Entry::kNeedMore:
      break;
  }
  out->push_back('\n');
}

}  // namespace

std::string DumpAll(ExpositionParser& parser) {
  std::string out;
  for (Entry e; (e = parser.Next()) != Entry::kEnd;) {
    AppendEntry(parser, e, &out);
    if (e == Entry::kError) break;
  }
  return out;
}

std::string DumpWhole(std::string_view body, const ParserOptions& options) {
  ExpositionParser p(options);
  p.Reset(body);
  return DumpAll(p);
}

std::string DumpChunked(std::string_view body, const ParserOptions& options,
                        const std::vector<size_t>& chunk_sizes) {
  ExpositionParser p(options);
  std::string out;
  size_t pos = 0;
  size_t k = 0;
  // Chunks are copied so that a view kept past its chunk would read freed
  // memory (ASan) or garbage (the comparison).
  std::string chunk;
  while (pos < body.size()) {
    size_t n = std::min(chunk_sizes[k++ % chunk_sizes.size()], body.size() - pos);
    chunk.assign(body.data() + pos, n);
    pos += n;
    if (!p.Feed(chunk)) {
      AppendEntry(p, Entry::kError, &out);
      return out;
    }
    for (Entry e; (e = p.Next()) != Entry::kNeedMore;) {
      AppendEntry(p, e, &out);
      if (e == Entry::kError) return out;
    }
    chunk.assign(chunk.size(), '\x7f');  // the chunk is gone
  }
  p.Finish();
  out.append(DumpAll(p));
  return out;
}

}  // namespace obsv::testing
