#include "pokegan/training/config.h"

#include <gtest/gtest.h>

#include "pokegan/common/error.h"
#include "pokegan/training/presets.h"

namespace pokegan {

TEST(Config, OverridesTypedNestedKeys) {
  TrainConfig c = preset("cdcgan");
  apply_override(c, "g.base_channels=32");
  apply_override(c, "optim.lr_g=1e-4");
  apply_override(c, "augment.hue=true");
  apply_override(c, "split=all");
  EXPECT_EQ(c.g.base_channels, 32);
  EXPECT_DOUBLE_EQ(c.optim.lr_g, 1e-4);
  EXPECT_TRUE(c.augment.hue);
  EXPECT_EQ(c.split, "all");
  EXPECT_THROW(apply_override(c, "g.nope=1"), Error);
  EXPECT_THROW(apply_override(c, "g.base_channels=wide"), Error);
  EXPECT_THROW(apply_override(c, "batch=1.5"), Error);
  EXPECT_THROW(apply_override(c, "novalue"), Error);
}

// A class head on a D that takes the class as an input channel can copy the label: a warning,
// not an error (the study's own AC-GAN D is built that way).
TEST(Config, WarnsWhenTheClassHeadCanReadTheLabel) {
  TrainConfig leak = preset("unet");  // PatchGAN D with the class channel
  EXPECT_TRUE(config_warnings(leak).empty());
  apply_override(leak, "d.class_head=true");
  ASSERT_EQ(config_warnings(leak).size(), 1u);
  EXPECT_NE(config_warnings(leak)[0].find("d.conditional=false"), std::string::npos);
  apply_override(leak, "d.conditional=false");
  EXPECT_TRUE(config_warnings(leak).empty());
  TrainConfig proj = preset("unet-proj");  // the projection D has no class channel
  apply_override(proj, "d.class_head=true");
  EXPECT_TRUE(config_warnings(proj).empty());
  TrainConfig dcgan = preset("cdcgan");
  apply_override(dcgan, "d.class_head=true");
  EXPECT_EQ(config_warnings(dcgan).size(), 1u);
  for (const auto& name : preset_names()) EXPECT_TRUE(config_warnings(preset(name)).empty()) << name;
}

TEST(Config, JsonRoundTripAndValidation) {
  const TrainConfig c = preset("dcgan");
  const TrainConfig back = nlohmann::json(c).get<TrainConfig>();
  EXPECT_EQ(nlohmann::json(back), nlohmann::json(c));
  EXPECT_FALSE(back.g.conditional);
  TrainConfig bad = c;
  bad.batch = 0;
  EXPECT_THROW(validate(bad), Error);
  TrainConfig space = preset("sprite");
  apply_override(space, "loss.mode_seeking_space=silhouette");
  EXPECT_NO_THROW(validate(space));
  apply_override(space, "loss.mode_seeking_space=hue");
  EXPECT_THROW(validate(space), Error);
  TrainConfig epi = preset("sprite");
  apply_override(epi, "d.epilogue=dense");
  EXPECT_NO_THROW(validate(epi));
  apply_override(epi, "d.epilogue=max");
  EXPECT_THROW(validate(epi), Error);
  TrainConfig epi_dcgan = preset("cdcgan");
  apply_override(epi_dcgan, "d.epilogue=dense");  // only the resnet D has the epilogue
  EXPECT_THROW(validate(epi_dcgan), Error);
  // TAC-GAN's twin: needs a class term and the twin head, which the resnet and PatchGAN Ds have.
  TrainConfig tac = preset("sprite");
  apply_override(tac, "loss.aux_twin_weight=0.6");
  EXPECT_THROW(validate(tac), Error);  // no twin head
  apply_override(tac, "d.twin_class_head=true");
  EXPECT_NO_THROW(validate(tac));
  EXPECT_EQ(nlohmann::json(tac).get<TrainConfig>().loss.aux_twin_weight, 0.6);
  EXPECT_TRUE(nlohmann::json(tac).get<TrainConfig>().d.twin_class_head);
  apply_override(tac, "loss.aux_class_weight=0");
  EXPECT_THROW(validate(tac), Error);  // the twin corrects the class term; alone it is not TAC
  TrainConfig tac_dcgan = preset("cdcgan");
  apply_override(tac_dcgan, "d.twin_class_head=true");
  EXPECT_THROW(validate(tac_dcgan), Error);
  // acgan's own class term is what the twin corrects there: no loss.aux_class_weight needed.
  TrainConfig tac_acgan = preset("acgan");
  apply_override(tac_acgan, "loss.aux_twin_weight=0.25");
  EXPECT_THROW(validate(tac_acgan), Error);  // no twin head
  apply_override(tac_acgan, "d.twin_class_head=true");
  EXPECT_NO_THROW(validate(tac_acgan));
  TrainConfig tac_unet = preset("unet");  // hinge/bce without a class term: still refused
  apply_override(tac_unet, "d.twin_class_head=true");
  apply_override(tac_unet, "loss.aux_twin_weight=0.25");
  EXPECT_THROW(validate(tac_unet), Error);
  // z maps: a resnet G switch, in the JSON round trip.
  TrainConfig zm = preset("sprite");
  apply_override(zm, "g.z_maps=true");
  EXPECT_NO_THROW(validate(zm));
  EXPECT_TRUE(nlohmann::json(zm).get<TrainConfig>().g.z_maps);
  TrainConfig zm_dcgan = preset("cdcgan");
  apply_override(zm_dcgan, "g.z_maps=true");
  EXPECT_THROW(validate(zm_dcgan), Error);
  // The U-Net's input plane: a unet G switch, in the JSON round trip.
  TrainConfig ip = preset("unet");
  apply_override(ip, "g.input_plane=rows");
  EXPECT_NO_THROW(validate(ip));
  apply_override(ip, "g.input_plane=grid");
  EXPECT_NO_THROW(validate(ip));
  EXPECT_EQ(nlohmann::json(ip).get<TrainConfig>().g.input_plane, "grid");
  apply_override(ip, "g.input_plane=columns");
  EXPECT_THROW(validate(ip), Error);
  TrainConfig ip_sprite = preset("sprite");
  apply_override(ip_sprite, "g.input_plane=grid");
  EXPECT_THROW(validate(ip_sprite), Error);
  // The class at G's input: a conditional resnet G switch, in the JSON round trip.
  TrainConfig ci = preset("sprite");
  apply_override(ci, "g.class_input=true");
  EXPECT_NO_THROW(validate(ci));
  EXPECT_TRUE(nlohmann::json(ci).get<TrainConfig>().g.class_input);
  apply_override(ci, "g.conditional=false");
  EXPECT_THROW(validate(ci), Error);
  TrainConfig ci_dcgan = preset("cdcgan");
  apply_override(ci_dcgan, "g.class_input=true");
  EXPECT_THROW(validate(ci_dcgan), Error);
  // ADA: a target in [0, 1), known ops only, in the JSON round trip.
  TrainConfig ada = preset("sprite");
  apply_override(ada, "augment.ada_target=0.6");
  apply_override(ada, "augment.ada_policy=rot90,xint");
  EXPECT_NO_THROW(validate(ada));
  EXPECT_EQ(nlohmann::json(ada).get<TrainConfig>().augment.ada_target, 0.6);
  EXPECT_EQ(nlohmann::json(ada).get<TrainConfig>().augment.ada_policy, "rot90,xint");
  apply_override(ada, "augment.ada_policy=rot90,scale");
  try {
    validate(ada);
    ADD_FAILURE() << "an unknown ADA op passed validation";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("valid: xflip, rot90, xint"), std::string::npos) << e.what();
  }
  apply_override(ada, "augment.ada_policy=xflip");
  apply_override(ada, "augment.ada_target=1");
  EXPECT_THROW(validate(ada), Error);
  apply_override(ada, "augment.ada_target=0.6");
  apply_override(ada, "augment.ada_kimg=0");
  EXPECT_THROW(validate(ada), Error);
  // D's self-attention: a resnet D switch, in the JSON round trip.
  TrainConfig att = preset("sprite");
  apply_override(att, "d.attention=16");
  EXPECT_NO_THROW(validate(att));
  EXPECT_EQ(nlohmann::json(att).get<TrainConfig>().d.attention, 16);
  TrainConfig att_unet = preset("unet");
  apply_override(att_unet, "d.attention=16");
  EXPECT_THROW(validate(att_unet), Error);
}

TEST(Presets, StudySettingsAndUnknownNames) {
  const TrainConfig c = preset("cdcgan");
  EXPECT_EQ(c.batch, 128);
  EXPECT_DOUBLE_EQ(c.optim.lr_g, 2e-4);
  EXPECT_DOUBLE_EQ(c.optim.beta1, 0.5);
  EXPECT_DOUBLE_EQ(c.loss.real_min, 0.9);
  EXPECT_DOUBLE_EQ(c.loss.fake_max, 0.1);
  EXPECT_EQ(c.d.class_embed_dim, 16);
  try {
    preset("stylegan9");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cdcgan"), std::string::npos);  // lists the valid ones
  }
}

}  // namespace pokegan
