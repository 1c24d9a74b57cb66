// The studio's HTTP API on loopback and a free port: every endpoint answers a PNG (or JSON) of the
// right size, every bad input a 400 with a JSON error naming the parameter, the nearest-real
// endpoints 404 without a dataset, and a full queue a 503 with Retry-After.
#include "server/studio.h"

#include <httplib.h>
#include <gtest/gtest.h>

#include <thread>

#include "pokegan/common/error.h"
#include "pokegan/common/pair_label.h"
#include "pokegan/common/threads.h"
#include "pokegan/io/image.h"
#include "pokegan/io/pixelart.h"
#include "pokegan/training/trainer.h"
#include "support/fixtures.h"

namespace pokegan {

namespace {
// A running studio on 127.0.0.1:<free port>, stopped and joined on destruction.
struct Running {
  Running(SpriteModel& m, const NearestReal* n, server::ServeOptions o) : studio(m, n, [&] {
    o.host = "127.0.0.1", o.port = 0;
    return o;
  }()) {
    port = studio.bind();
    thread = std::thread([this] { studio.run(); });
  }
  ~Running() {
    studio.stop();
    thread.join();
  }
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(30, 0);
    return c;
  }
  server::Studio studio;
  int port = 0;
  std::thread thread;
};

Image png(const httplib::Result& r) {
  EXPECT_TRUE(r) << "no answer";
  if (!r) return {};
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "image/png");
  // Decoded as RGBA; back to RGB unless a pixel is not opaque.
  Image im = decode_frames(reinterpret_cast<const uint8_t*>(r->body.data()), r->body.size(), "answer").at(0);
  bool opaque = true;
  for (size_t i = 3; i < im.pixels.size(); i += 4) opaque &= im.pixels[i] == 255;
  if (!opaque) return im;
  Image rgb(im.width, im.height, 3);
  for (size_t i = 0, j = 0; i < im.pixels.size(); i += 4, j += 3) std::copy_n(&im.pixels[i], 3, &rgb.pixels[j]);
  return rgb;
}
}  // namespace

class Studio : public ::testing::Test {
 protected:
  void SetUp() override {
    model_ = std::make_unique<SpriteModel>(test::tiny_checkpoint(ds_, dir_ / "run", 1, 5).string());
    nearest_ = std::make_unique<NearestReal>(ds_);
  }
  Dataset ds_ = test::tiny_dataset(6, 3, 16);
  test::TempDir dir_;
  std::unique_ptr<SpriteModel> model_;
  std::unique_ptr<NearestReal> nearest_;
};

TEST_F(Studio, EveryEndpointAnswers) {
  Running s(*model_, nearest_.get(), {});
  auto c = s.client();
  auto page = c.Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("pokegan studio"), std::string::npos);
  EXPECT_EQ(page->body.find("http://"), std::string::npos) << "the page must not load anything from the network";

  auto info = c.Get("/api/model");
  ASSERT_TRUE(info);
  const auto j = nlohmann::json::parse(info->body);
  EXPECT_EQ(j["classes"].get<std::vector<std::string>>(), ds_.classes);
  EXPECT_EQ(j["image_size"], 16);
  EXPECT_EQ(j["dual_types"], false);
  EXPECT_EQ(j["nearest_real"], true);

  const Image one = png(c.Get("/api/sprite.png?type=Class1&seed=7&index=2"));
  EXPECT_EQ(one.width, 16);
  EXPECT_EQ(one.pixels, model_->sprite(1, 7, 2).pixels) << "the API draws what the library draws";
  const Image sheet = png(c.Get("/api/sheet.png?type=Class1&seed=7&count=6&cols=3"));
  EXPECT_EQ(sheet.width, 2 + 3 * 18);
  EXPECT_EQ(sheet.height, 2 + 2 * 18);
  EXPECT_EQ(png(c.Get("/api/variations.png?type=Class0&seed=7&strength=0.3&count=4")).width, 2 + 4 * 18);
  EXPECT_EQ(png(c.Get("/api/interpolate.png?type=Class2&from=7&to=9&steps=5")).width, 2 + 5 * 18);
  EXPECT_EQ(png(c.Get("/api/nearest.png?type=Class2&seed=7&k=3")).width, 2 + 3 * 18);
  auto near = c.Get("/api/nearest.json?type=Class2&seed=7&k=2");
  ASSERT_TRUE(near);
  EXPECT_EQ(nlohmann::json::parse(near->body)["nearest"].size(), 2u);

  auto art_answer = c.Get("/api/sprite.png?type=Class1&seed=7&transparent=1&palette=4&scale=4&outline=1");
  ASSERT_TRUE(art_answer);
  ASSERT_GT(art_answer->body.size(), 26u);
  EXPECT_EQ(int(art_answer->body[25]), 6) << "PNG colour type 6: RGBA";
  const Image art = png(art_answer);
  EXPECT_EQ(art.width, 64);
  EXPECT_LE(count_colours(art), 4);
}

// A model trained with dual_types (and the auxiliary class term, so that the class head meets pair
// labels too): /api/model says so, type2 draws the pair the library draws, and a bad type2 is a 400.
TEST(StudioDualTypes, ATwoTypeModelTakesType2) {
  Dataset ds = test::tiny_dataset(6, 3, 16);
  ds.classes = {"Normal", "Fire", "Water"};  // type1 of class c is raw type c: Normal, Fire, Water
  for (size_t i = 0; i < ds.type2.size(); ++i)
    if (ds.labels[i] == 1 && i % 2 == 1) ds.type2[i] = 2;  // some Fire/Water species
  test::TempDir dir;
  SpriteModel m(test::tiny_checkpoint(ds, dir / "run", 2, 5, "sprite",
                                      {"dual_types=true", "d.class_head=true", "loss.aux_class_weight=0.3"})
                    .string());
  ASSERT_TRUE(m.dual_types());
  Running s(m, nullptr, {});
  auto c = s.client();
  auto info = c.Get("/api/model");
  ASSERT_TRUE(info);
  EXPECT_EQ(nlohmann::json::parse(info->body)["dual_types"], true);
  const Image pair = png(c.Get("/api/sprite.png?type=Fire&type2=Water&seed=7"));
  EXPECT_EQ(pair.pixels, m.sprite(pair_label(1, 2, 3), 7, 0).pixels);
  EXPECT_NE(pair.pixels, m.sprite(1, 7, 0).pixels) << "Fire+Water is not Fire";
  EXPECT_EQ(png(c.Get("/api/sheet.png?type=Fire&type2=Water&seed=7&count=4")).width, 2 + 4 * 18);
  auto bad = c.Get("/api/sprite.png?type=Fire&type2=Lava&seed=7");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(bad->body.find("type2"), std::string::npos) << bad->body;
}

TEST_F(Studio, BadInputGets400NamingTheParameter) {
  Running s(*model_, nearest_.get(), {});
  auto c = s.client();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/api/sprite.png?type=Lava&seed=1", "type"},
      {"/api/sprite.png?seed=1", "type"},
      {"/api/sprite.png?type=Class0&seed=abc", "seed"},
      {"/api/sprite.png?type=Class0&seed=-1", "seed"},
      {"/api/sprite.png?type=Class0&seed=1&bogus=2", "bogus"},
      {"/api/sprite.png?type=Class0&seed=1&seed=2", "seed"},
      {"/api/sprite.png?type=Class0&type2=Class1", "type2"},
      {"/api/sheet.png?type=Class0&count=0", "count"},
      {"/api/sheet.png?type=Class0&count=1025", "count"},
      {"/api/sheet.png?type=Class0&count=1.5", "count"},
      {"/api/sheet.png?type=Class0&trunc=0", "trunc"},
      {"/api/sheet.png?type=Class0&trunc=nan", "trunc"},
      {"/api/sheet.png?type=Class0&scale=3", "scale"},
      {"/api/sheet.png?type=Class0&palette=1", "palette"},
      {"/api/sheet.png?type=Class0&transparent=maybe", "transparent"},
      {"/api/variations.png?type=Class0&strength=99", "strength"},
      {"/api/variations.png?type=Class0&count=65", "count"},
      {"/api/interpolate.png?type=Class0&from=1", "to"},
      {"/api/interpolate.png?type=Class0&from=1&to=2&steps=1", "steps"},
      {"/api/nearest.png?type=Class0&k=99", "k"},
      {"/api/model?x=1", "parameters"},
  };
  for (const auto& [url, name] : cases) {
    auto r = c.Get(url.c_str());
    ASSERT_TRUE(r) << url;
    EXPECT_EQ(r->status, 400) << url << " " << r->body;
    const auto j = nlohmann::json::parse(r->body, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << url << " " << r->body;
    EXPECT_NE(j.value("error", "").find(name), std::string::npos) << url << " " << r->body;
  }
  auto missing = c.Get("/api/nothing");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_TRUE(nlohmann::json::parse(missing->body).contains("error"));
  // Still serving after all of that.
  EXPECT_EQ(png(c.Get("/api/sprite.png?type=Class0&seed=1")).width, 16);
}

TEST_F(Studio, NearestWithoutDatasetSaysHowToEnableIt) {
  Running s(*model_, nullptr, {});
  auto c = s.client();
  auto r = c.Get("/api/nearest.png?type=Class0&seed=1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_NE(r->body.find("--data"), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(c.Get("/api/model")->body)["nearest_real"], false);
}

TEST_F(Studio, FullQueueAnswers503WithRetryAfter) {
  server::ServeOptions o;
  o.queue = 0;  // admits no generation work: every image request finds the queue full
  Running s(*model_, nullptr, o);
  auto c = s.client();
  auto r = c.Get("/api/sheet.png?type=Class0&count=4");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->get_header_value("Retry-After"), "1");
  EXPECT_TRUE(nlohmann::json::parse(r->body).contains("error"));
  EXPECT_EQ(c.Get("/api/model")->status, 200) << "metadata needs no generator";
  EXPECT_EQ(s.studio.refused_busy(), 1);
}

TEST_F(Studio, ConcurrentClientsGetAnswersOr503) {
  server::ServeOptions o;
  o.queue = 2, o.http_threads = 8;
  Running s(*model_, nullptr, o);
  std::atomic<int> ok{0}, busy{0}, other{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < 8; ++i)
    clients.emplace_back([&, i] {
      auto c = s.client();
      for (int k = 0; k < 4; ++k) {
        auto r = c.Get(("/api/sheet.png?type=Class0&count=64&seed=" + std::to_string(i * 10 + k)).c_str());
        if (r && r->status == 200) ++ok;
        else if (r && r->status == 503) ++busy;
        else ++other;
      }
    });
  for (auto& t : clients) t.join();
  EXPECT_EQ(other, 0);
  EXPECT_GT(ok, 0);
  EXPECT_EQ(ok + busy, 32);
}

TEST_F(Studio, TakenPortIsAnError) {
  Running s(*model_, nullptr, {});
  server::ServeOptions o;
  o.host = "127.0.0.1", o.port = s.port;
  server::Studio second(*model_, nullptr, o);
  EXPECT_THROW(second.bind(), Error);
}

}  // namespace pokegan
