#include "models/sequence_encoder.h"

namespace shiftrec {

SequenceEncoderRegistry& sequence_encoder_registry() {
  return SequenceEncoderRegistry::instance("sequence encoder");
}

}  // namespace shiftrec
