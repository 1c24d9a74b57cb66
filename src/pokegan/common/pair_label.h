// Class labels with one type or two (dual-type conditioning, "Water + Dragon").
//
// Every network keeps its contract, labels [N] int64 (networks.h); a label now encodes either
//   one class:          y                      (0 <= y < C), as before, or
//   a pair of classes:  y1 + C * (y2 + 1)      (y1 != y2, both < C), so C <= label < C * (C + 1).
// A pair conditions on the mean of its two classes' codes: the embedding of a pair is the mean of
// the two rows of the embedding table, its one-hot vector has 0.5 at each class (a normalised
// multi-hot label), and a class head is scored against that soft target. Single labels take the
// exact path they always took (an embedding lookup, F::one_hot, F::cross_entropy), so models and
// checkpoints from before are unchanged.
#pragma once
#include <cstdint>

namespace pokegan {

inline int64_t pair_label(int64_t y1, int64_t y2, int64_t num_classes) {
  return y2 < 0 || y2 == y1 ? y1 : y1 + num_classes * (y2 + 1);
}

// The two classes of a label: pair_first(y) is y itself for a single label; pair_second is -1 then.
inline int64_t pair_first(int64_t label, int64_t num_classes) { return label % num_classes; }
inline int64_t pair_second(int64_t label, int64_t num_classes) { return label / num_classes - 1; }

}  // namespace pokegan
