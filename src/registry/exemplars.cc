#include "registry/exemplars.h"

#include <set>
#include <string_view>

#include "common/str_cat.h"
#include "common/utf8.h"
#include "exposition/escaping.h"
#include "obsv/exposition_writer.h"
#include "registry/family.h"

namespace obsv::internal {

namespace {

size_t Runes(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

}  // namespace

absl::Status ValidateExemplar(absl::Span<const Label> labels) {
  size_t runes = 0;
  std::set<std::string_view> seen;
  for (const Label& l : labels) {
    if (l.name.empty() || !IsValidUtf8(l.name)) {
      return absl::InvalidArgumentError(StrCat("invalid exemplar label name \"", l.name, "\""));
    }
    if (!IsValidUtf8(l.value)) {
      return absl::InvalidArgumentError(StrCat("exemplar label \"", l.name, "\" has a value that is not UTF-8"));
    }
    if (!seen.insert(l.name).second) {
      return absl::InvalidArgumentError(StrCat("duplicate exemplar label name \"", l.name, "\""));
    }
    runes += Runes(l.name) + Runes(l.value);
  }
  if (runes > kMaxExemplarRunes) {
    return absl::InvalidArgumentError(StrCat("exemplar labels are ", runes,
                                             " UTF-8 characters, more than the 128 OpenMetrics allows"));
  }
  return absl::OkStatus();
}

Timestamp ToTimestamp(absl::Time t) {
  int64_t ns = absl::ToUnixNanos(t);
  int64_t ms = ns / 1000000;
  int64_t rem = ns % 1000000;
  if (rem < 0) {
    rem += 1000000;
    --ms;
  }
  return {ms, static_cast<int32_t>(rem)};
}

void ExemplarSlots::Set(size_t i, absl::Span<const Label> labels, double value, absl::Time now) {
  absl::MutexLock l(&mu_);
  std::optional<Exemplar>& e = slots_[i];
  if (!e.has_value()) e.emplace();
  e->labels.assign(labels.begin(), labels.end());
  e->value = value;
  e->timestamp = ToTimestamp(now);
}

std::optional<Exemplar> ExemplarSlots::Get(size_t i) const {
  absl::MutexLock l(&mu_);
  return i < slots_.size() ? slots_[i] : std::nullopt;
}

ExemplarSlots* ExemplarPtr::GetOrCreate(size_t n) {
  ExemplarSlots* p = p_.load(std::memory_order_acquire);
  if (p != nullptr) return p;
  auto* fresh = new ExemplarSlots(n);
  if (p_.compare_exchange_strong(p, fresh, std::memory_order_acq_rel)) return fresh;
  delete fresh;
  return p;
}

void AppendOpenMetricsExemplar(const Exemplar& e, std::string* out) {
  out->append(" # {");
  for (size_t i = 0; i < e.labels.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendLabelName(e.labels[i].name, out);
    out->append("=\"");
    AppendEscapedQuoted(e.labels[i].value, out);
    out->push_back('"');
  }
  out->append("} ");
  AppendOpenMetricsFloat(e.value, out);
  if (e.timestamp.has_value()) {
    out->push_back(' ');
    AppendTimestamp(*e.timestamp, ExpositionFormat::kOpenMetrics, out);
  }
}

}  // namespace obsv::internal
