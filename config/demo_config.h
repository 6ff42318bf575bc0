#pragma once

// The configuration of one `shagym demo` run, derived from the demo template
// (config/demo/shagym.yaml): the sample site's placeholder address replaced by
// the loopback address it really listens on, the store in the demo data
// directory, private addresses allowed for this run only, and every relative
// path made absolute so that the result can live anywhere.
//
//   auto yaml = config::MakeDemoConfig("config/demo/shagym.yaml", overrides);
//   // write *yaml to <data_dir>/shagym.yaml, then config::Load() it

#include <string>

#include "common/status.h"

namespace shagym::config {

struct DemoOverrides {
  // Replaces every occurrence of `placeholder_base` in source URLs.
  std::string placeholder_base = "http://demo.invalid";
  std::string site_base;  // "http://127.0.0.1:PORT"
  std::string data_dir;   // absolute
  std::string listen;     // server.listen; empty = keep the template's
};

// Returns the YAML text of the run's configuration. Errors: NotFound for a
// missing template, InvalidArgument "FILE:LINE:COL: ..." for a broken one.
StatusOr<std::string> MakeDemoConfig(const std::string& template_path,
                                     const DemoOverrides& overrides);

}  // namespace shagym::config
