// ImageFolder import: the input becomes one image file in a class folder beside a valid one, and
// the tree is imported without --skip-bad (an Error naming the file) and with it (the bad file
// skipped, the good one kept).
#include "fuzz_util.h"
#include "pokegan/data/imagefolder.h"

namespace {
// A valid 2x2 RGB BMP for the second class.
const uint8_t kBmp[] = {'B', 'M', 70, 0, 0, 0, 0, 0, 0, 0, 54, 0, 0, 0, 40, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 1, 0,
                        24, 0, 0, 0, 0, 0, 16, 0, 0, 0, 0x13, 0x0b, 0, 0, 0x13, 0x0b, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                        255, 0, 0, 0, 255, 0, 0, 0, 0, 0, 255, 255, 255, 0, 0, 0};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto root = fuzz::scratch() / "tree";
  std::filesystem::remove_all(root);
  fuzz::write_input("tree/Fire/input.png", data, size);
  fuzz::write_input("tree/Water/ok.bmp", kBmp, sizeof kBmp);
  pokegan::ImportOptions opt;
  opt.root = root;
  opt.sprite.size = 16;
  opt.sprite.frames = 2;
  opt.held_out = 0;
  for (bool skip : {false, true}) {
    opt.skip_bad = skip;
    fuzz::expect_parse_or_error([&] { pokegan::import_imagefolder(opt); });
  }
  return 0;
}
