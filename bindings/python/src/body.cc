#include "body.h"

#include <iterator>
#include <limits>

namespace obsv_py {

bool IsInexactInteger(std::string_view s) {
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
  if (s.size() < 16) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  while (s.size() > 1 && s[0] == '0') s.remove_prefix(1);
  if (s.size() < 16) return false;
  if (s.size() > 16) return true;
  return s > "9007199254740992";
}

void CompactBody::Reserve(size_t bytes) {
  // Unescaped strings never exceed the body; the untouched part of a
  // reservation costs address space, not memory.
  arena.reserve(bytes);
  samples.reserve(bytes / 128);
  labels.reserve(bytes / 24);
}

void CompactBody::ToModel(size_t index, obsv::MetricFamily* out) const {
  const Family& f = families[index];
  out->name = names[f.name];
  out->type = f.type;
  out->has_help = f.has_help;
  out->help.assign(View(f.help));
  out->unit.assign(View(f.unit));
  out->samples.clear();
  out->samples.reserve(f.sample_count);
  f.ForEachSample([&](uint32_t i) {
      const Sample& s = samples[i];
      obsv::Sample& o = out->samples.emplace_back();
      o.name = names[s.name];
      o.labels.resize(s.labels_count);
      for (uint32_t j = 0; j < s.labels_count; ++j) {
        const Label& l = labels[s.labels_begin + j];
        o.labels[j].name = names[l.name];
        o.labels[j].value.assign(View(l.value));
      }
      o.value = s.value;
      o.value_text.assign(View(s.value_text));
      if (s.has_timestamp) o.timestamp = s.timestamp;
      if (s.exemplar != 0) {
        const Exemplar& e = exemplars[s.exemplar - 1];
        obsv::Exemplar& oe = o.exemplar.emplace();
        oe.labels.resize(e.labels_count);
        for (uint32_t j = 0; j < e.labels_count; ++j) {
          const Label& l = labels[e.labels_begin + j];
          oe.labels[j].name = names[l.name];
          oe.labels[j].value.assign(View(l.value));
        }
        oe.value = e.value;
        if (e.has_timestamp) oe.timestamp = e.timestamp;
      }
      o.suffix = s.suffix;
  });
}

uint32_t BodyBuilder::NameId(std::string_view name) {
  auto it = name_ids_.find(absl::string_view(name.data(), name.size()));
  if (it != name_ids_.end()) return it->second;
  uint32_t id = static_cast<uint32_t>(body_->names.size());
  const std::string& stored = body_->names.emplace_back(name);
  name_ids_.emplace(absl::string_view(stored.data(), stored.size()), id);
  return id;
}

uint32_t BodyBuilder::LabelNameId(size_t i, std::string_view name) {
  // Consecutive samples mostly have the same label names in the same order.
  if (i < prev_label_ids_.size() && body_->names[prev_label_ids_[i]] == name) {
    return prev_label_ids_[i];
  }
  uint32_t id = NameId(name);
  if (i >= prev_label_ids_.size()) prev_label_ids_.resize(i + 1);
  prev_label_ids_[i] = id;
  return id;
}

void BodyBuilder::Open(std::string_view name, obsv::MetricType type) {
  Close();
  current_ = CompactBody::Family();
  current_.name = NameId(name);
  current_.type = type;
  for (uint32_t& id : suffix_ids_) id = UINT32_MAX;
  current_begin_ = static_cast<uint32_t>(body_->samples.size());
  open_ = true;
}

void BodyBuilder::Close() {
  if (!open_) return;
  open_ = false;
  current_.run = {current_begin_, static_cast<uint32_t>(body_->samples.size())};
  if (merge_) {
    auto [it, inserted] =
        family_index_.try_emplace(current_.name, static_cast<uint32_t>(body_->families.size()));
    if (!inserted) {
      CompactBody::Family& into = body_->families[it->second];
      // A group without metadata continues the earlier family of its name.
      bool implicit = current_.type == obsv::MetricType::kUnknown && !current_.has_help &&
                      current_.unit.size == 0;
      if (into.type == current_.type || implicit) {
        if (!into.has_help && current_.has_help) {
          into.help = current_.help;
          into.has_help = true;
        }
        if (into.unit.size == 0) into.unit = current_.unit;
        if (current_.sample_count != 0) into.more_runs.push_back(current_.run);
        into.sample_count += current_.sample_count;
        return;
      }
      // Same name, different type: kept apart, in order.
    }
  }
  body_->families.push_back(std::move(current_));
}

void BodyBuilder::Finish() { Close(); }

bool BodyBuilder::Fits(uint64_t strings, uint64_t labels) {
  constexpr uint64_t kMax = std::numeric_limits<uint32_t>::max() - 1;
  if (!too_large_ && body_->arena.size() + strings < kMax &&
      body_->labels.size() + labels < kMax && body_->samples.size() + 1 < kMax) {
    return true;
  }
  too_large_ = true;
  return false;
}

void BodyBuilder::Add(const obsv::ExpositionParser& parser, obsv::Entry e) {
  // A line adds at most its family name and its unescaped strings, each no
  // longer than the line.
  if (!Fits(2 * uint64_t{parser.raw_line().size()} + 64,
            parser.label_count() + (parser.has_exemplar() ? parser.exemplar_label_count() : 0))) {
    return;
  }
  switch (e) {
    case obsv::Entry::kHelp:
    case obsv::Entry::kType:
    case obsv::Entry::kUnit: {
      std::string_view name = parser.family_name();
      // As obsv::FamilyBuilder: metadata after samples starts a new family.
      if (!open_ || body_->names[current_.name] != name || current_.sample_count != 0) {
        Open(name, obsv::MetricType::kUnknown);
      }
      if (e == obsv::Entry::kHelp) {
        current_.help = body_->Add(parser.help());
        current_.has_help = true;
      } else if (e == obsv::Entry::kType) {
        current_.type = parser.type();
      } else {
        current_.unit = body_->Add(parser.unit());
      }
      return;
    }
    case obsv::Entry::kSample:
      break;
    case obsv::Entry::kEnd:
    case obsv::Entry::kNeedMore:
    case obsv::Entry::kComment:
    case obsv::Entry::kError:
      return;
  }
  const size_t nl = parser.label_count();
  const size_t ne = parser.has_exemplar() ? parser.exemplar_label_count() : 0;
  std::string_view family = parser.family_name();
  obsv::MetricType type = parser.type();
  const std::string* family_name = open_ ? &body_->names[current_.name] : nullptr;
  if (!open_ || current_.type != type || *family_name != family) {
    Open(family, type);
    family_name = &body_->names[current_.name];
  }
  CompactBody::Sample s;
  std::string_view metric = parser.metric_name();
  obsv::SampleSuffix suffix = parser.suffix();
  std::string_view suffix_text = obsv::SampleSuffixString(suffix);
  size_t suffix_index = static_cast<size_t>(suffix);
  if (suffix_index < std::size(suffix_ids_) &&
      metric.size() == family_name->size() + suffix_text.size() &&
      metric.compare(0, family_name->size(), *family_name) == 0 &&
      metric.compare(family_name->size(), suffix_text.size(), suffix_text) == 0) {
    uint32_t& id = suffix_ids_[suffix_index];
    if (id == UINT32_MAX) id = NameId(metric);
    s.name = id;
  } else if (prev_metric_id_ != UINT32_MAX && body_->names[prev_metric_id_] == metric) {
    s.name = prev_metric_id_;
  } else {
    s.name = prev_metric_id_ = NameId(metric);
  }
  s.labels_begin = static_cast<uint32_t>(body_->labels.size());
  s.labels_count = static_cast<uint32_t>(nl);
  for (size_t i = 0; i < nl; ++i) {
    body_->labels.push_back(
        {LabelNameId(i, parser.label_name(i)), body_->Add(parser.label_value(i))});
  }
  s.value = parser.value();
  std::string_view text = parser.value_text();
  if (IsInexactInteger(text)) s.value_text = body_->Add(text);
  s.has_timestamp = parser.has_timestamp();
  if (s.has_timestamp) s.timestamp = parser.timestamp();
  if (parser.has_exemplar()) {
    CompactBody::Exemplar ex;
    ex.labels_begin = static_cast<uint32_t>(body_->labels.size());
    ex.labels_count = static_cast<uint32_t>(ne);
    for (size_t i = 0; i < ne; ++i) {
      body_->labels.push_back({NameId(parser.exemplar_label_name(i)),
                               body_->Add(parser.exemplar_label_value(i))});
    }
    ex.value = parser.exemplar_value();
    ex.has_timestamp = parser.exemplar_has_timestamp();
    if (ex.has_timestamp) ex.timestamp = parser.exemplar_timestamp();
    body_->exemplars.push_back(ex);
    s.exemplar = static_cast<uint32_t>(body_->exemplars.size());
  }
  s.suffix = suffix;
  body_->samples.push_back(s);
  ++current_.sample_count;
}

void BodyBuilder::AddModel(const obsv::MetricFamily& f) {
  if (!Fits(uint64_t{f.name.size()} + f.help.size() + f.unit.size(), 0)) return;
  Open(f.name, f.type);
  if (f.has_help) {
    current_.help = body_->Add(f.help);
    current_.has_help = true;
  }
  current_.unit = body_->Add(f.unit);
  for (const obsv::Sample& smp : f.samples) {
    uint64_t bytes = smp.value_text.size();
    size_t nl = smp.labels.size() + (smp.exemplar ? smp.exemplar->labels.size() : 0);
    for (const obsv::Label& l : smp.labels) bytes += l.value.size();
    if (smp.exemplar) {
      for (const obsv::Label& l : smp.exemplar->labels) bytes += l.value.size();
    }
    if (!Fits(bytes, nl)) break;
    CompactBody::Sample s;
    s.name = NameId(smp.name);
    s.labels_begin = static_cast<uint32_t>(body_->labels.size());
    s.labels_count = static_cast<uint32_t>(smp.labels.size());
    for (size_t i = 0; i < smp.labels.size(); ++i) {
      body_->labels.push_back({LabelNameId(i, smp.labels[i].name), body_->Add(smp.labels[i].value)});
    }
    s.value = smp.value;
    s.value_text = body_->Add(smp.value_text);
    s.has_timestamp = smp.timestamp.has_value();
    if (s.has_timestamp) s.timestamp = *smp.timestamp;
    if (smp.exemplar) {
      CompactBody::Exemplar ex;
      ex.labels_begin = static_cast<uint32_t>(body_->labels.size());
      ex.labels_count = static_cast<uint32_t>(smp.exemplar->labels.size());
      for (const obsv::Label& l : smp.exemplar->labels) {
        body_->labels.push_back({NameId(l.name), body_->Add(l.value)});
      }
      ex.value = smp.exemplar->value;
      ex.has_timestamp = smp.exemplar->timestamp.has_value();
      if (ex.has_timestamp) ex.timestamp = *smp.exemplar->timestamp;
      body_->exemplars.push_back(ex);
      s.exemplar = static_cast<uint32_t>(body_->exemplars.size());
    }
    s.suffix = smp.suffix;
    body_->samples.push_back(s);
    ++current_.sample_count;
  }
  Close();
}

}  // namespace obsv_py
