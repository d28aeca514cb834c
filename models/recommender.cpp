#include "models/recommender.h"

#include "core/config.h"
#include "models/composed_model.h"

namespace shiftrec {

ModelRegistry& model_registry() { return ModelRegistry::instance("model"); }

std::shared_ptr<Recommender> build_model(ConfigSection section, const ModelContext& context,
                                         std::string* name) {
  // `heads` alone does not mark a composition: the presets' `heads` counts attention heads.
  if (section.has("item_encoder") || section.has("sequence")) {
    if (section.has("name")) {
      section.fail("name",
                   "a [model] names a preset or composes parts (item_encoder, sequence, heads), "
                   "not both");
    }
    return compose_from_config(section, context, name);
  }
  const std::string preset = section.get_string(
      "name", "sasrec", "a registered model (a preset of parts); or compose parts instead",
      model_registry().names());
  if (name != nullptr) *name = preset;
  return model_registry().get(preset)(section, context);
}

}  // namespace shiftrec
