#include "pokegan/io/safetensors.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "pokegan/common/error.h"
#include "pokegan/common/fs.h"
#include "support/fixtures.h"

namespace pokegan {

TEST(SafeTensors, RoundTripKeepsValuesShapesAndMetadata) {
  test::TempDir dir;
  SafeTensors st;
  st.tensors["a"] = TensorData::from(DType::F32, {2, 3}, std::vector<float>{1, 2, 3, 4, 5, -6.5f});
  st.tensors["b"] = TensorData::from(DType::I64, {1}, std::vector<int64_t>{-42});
  st.tensors["c"] = TensorData::from(DType::U8, {0}, std::vector<uint8_t>{});
  st.metadata["note"] = "hello";
  save_safetensors(dir / "x.safetensors", st);
  const SafeTensors back = load_safetensors(dir / "x.safetensors");
  EXPECT_EQ(back.get("a").shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(back.get("a").to_vector<float>(), (std::vector<float>{1, 2, 3, 4, 5, -6.5f}));
  EXPECT_EQ(back.get("b").to_vector<int64_t>(), std::vector<int64_t>{-42});
  EXPECT_EQ(back.get("c").numel(), 0);
  EXPECT_EQ(back.meta("note"), "hello");
}

TEST(SafeTensors, HeaderFollowsTheFormat) {
  // 8-byte little-endian length, a JSON header padded to a multiple of 8, offsets from data start.
  test::TempDir dir;
  SafeTensors st;
  st.tensors["w"] = TensorData::from(DType::F32, {3}, std::vector<float>{1, 2, 3});
  save_safetensors(dir / "x.safetensors", st);
  const auto bytes = read_file(dir / "x.safetensors");
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | bytes[i];
  EXPECT_EQ(n % 8, 0u);
  const auto header = nlohmann::json::parse(bytes.begin() + 8, bytes.begin() + 8 + static_cast<long>(n));
  EXPECT_EQ(header["w"]["dtype"], "F32");
  EXPECT_EQ(header["w"]["data_offsets"], nlohmann::json({0, 12}));
  EXPECT_EQ(bytes.size(), 8 + n + 12);
}

TEST(SafeTensors, TruncatedFileIsAnErrorNotACrash) {
  test::TempDir dir;
  SafeTensors st;
  st.tensors["w"] = TensorData::from(DType::F32, {100}, std::vector<float>(100, 1.0f));
  save_safetensors(dir / "x.safetensors", st);
  auto bytes = read_file(dir / "x.safetensors");
  for (size_t keep : {size_t(0), size_t(5), size_t(20), bytes.size() - 1}) {
    std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<long>(keep));
    EXPECT_THROW(parse_safetensors(cut, "cut"), Error) << "kept " << keep << " bytes";
  }
  EXPECT_THROW(load_safetensors(dir / "missing.safetensors"), Error);
}

}  // namespace pokegan
