// Builds the model a TOML text's [model] table describes, over `data` (its sizes, its
// categories), and checks that every key was read.
#pragma once

#include <memory>
#include <string>

#include "core/config.h"
#include "datasets/interactions.h"
#include "models/recommender.h"

namespace shiftrec::testing {

inline std::shared_ptr<Recommender> model_from_toml(const std::string& toml,
                                                    const Interactions& data) {
  Config config = Config::from_string(toml, "test.toml");
  ModelContext context;
  context.n_items = data.n_items;
  context.n_users = data.n_users;
  context.data = &data;
  auto model = build_model(config.section("model"), context);
  config.check_all_used();
  return model;
}

}  // namespace shiftrec::testing
