#pragma once

// `privacy:` in shagym.yaml. Plain data.

#include <string>

namespace shagym {

struct PrivacyOptions {
  // File with the secret key for author pseudonyms; created (mode 0600) on
  // first run. Empty = "<data_dir>/secret.key". Default: "".
  std::string key_file;
  // Mask phone numbers, e-mail addresses and 12-digit IIN in everything shown
  // or exported. Default: true.
  bool mask_personal_data = true;
};

}  // namespace shagym
