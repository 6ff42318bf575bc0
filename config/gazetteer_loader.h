#pragma once

// Loads gazetteer/regions.yaml into nlp::Gazetteer. Errors come back as one
// line "FILE:LINE:COL: what is wrong" (unknown keys, unknown region ids,
// missing names, a region listed twice).
//
//   StatusOr<nlp::Gazetteer> g = config::LoadGazetteer(cfg.gazetteer);

#include <string>

#include "common/status.h"
#include "nlp/entities.h"

namespace shagym::config {

StatusOr<nlp::Gazetteer> LoadGazetteer(const std::string& path);
StatusOr<nlp::Gazetteer> LoadGazetteerFromString(const std::string& text,
                                                 const std::string& name);

}  // namespace shagym::config
