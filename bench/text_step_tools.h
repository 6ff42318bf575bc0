#pragma once

// The normaliser and entity extractor that the text-step benchmarks build
// from a gazetteer file.

#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "config/gazetteer_loader.h"
#include "nlp/entities.h"
#include "nlp/normalize.h"

namespace shagym::bench {

struct TextStepTools {
  std::unique_ptr<nlp::Normalizer> normalizer;
  std::unique_ptr<nlp::EntityExtractor> extractor;
};

// On failure prints the reason to stderr and returns nullopt.
inline std::optional<TextStepTools> MakeTextStepTools(
    const std::string& gazetteer) {
  auto normalizer = nlp::Normalizer::Create();
  auto g = config::LoadGazetteer(gazetteer);
  if (!normalizer.ok() || !g.ok()) {
    std::fprintf(stderr, "%s\n",
                 g.ok() ? normalizer.status().ToString().c_str()
                        : g.status().message().c_str());
    return std::nullopt;
  }
  auto extractor = nlp::EntityExtractor::Create(*g);
  if (!extractor.ok()) {
    std::fprintf(stderr, "%s\n", extractor.status().message().c_str());
    return std::nullopt;
  }
  return TextStepTools{std::move(*normalizer), std::move(*extractor)};
}

}  // namespace shagym::bench
