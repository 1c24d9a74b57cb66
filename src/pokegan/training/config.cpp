#include "pokegan/training/config.h"

#include "pokegan/common/error.h"
#include "pokegan/data/augment.h"

namespace pokegan {

namespace {
// Every value of `in` whose counterpart in `like` (the defaults) is a whole number must be one too.
void check_whole_numbers(const nlohmann::json& in, const nlohmann::json& like, const std::string& path,
                         const std::string& what) {
  if (like.is_object() && in.is_object()) {
    for (auto it = in.begin(); it != in.end(); ++it)
      if (like.contains(it.key())) check_whole_numbers(*it, like.at(it.key()), path.empty() ? it.key() : path + "." + it.key(), what);
  } else if (like.is_array() && in.is_array()) {
    if (!like.empty())
      for (const auto& v : in) check_whole_numbers(v, like.front(), path, what);
  } else if (like.is_number_integer() && in.is_number_float()) {
    throw Error(what + ": config key '" + path + "' expects a whole number, got " + in.dump());
  }
}
}  // namespace

TrainConfig config_from_json(const std::string& text, const std::string& what) {
  try {
    const auto j = nlohmann::json::parse(text);
    TrainConfig defaults;
    defaults.classes = {"x"};
    check_whole_numbers(j, nlohmann::json(defaults), "", what);
    return j.get<TrainConfig>();
  } catch (const nlohmann::json::exception& e) {
    const std::string m = e.what();
    throw Error(what + ": not a readable config (" + m.substr(0, m.find('\n')) + ")");
  }
}

void apply_override(TrainConfig& cfg, const std::string& assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw Error("--set expects key=value (e.g. g.base_channels=32), got '" + assignment + "'");
  const std::string key = assignment.substr(0, eq), text = assignment.substr(eq + 1);
  // Keys are dotted names; anything else (a '~' or '/' would be read as JSON-pointer syntax) is refused.
  if (key.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.") != std::string::npos)
    throw Error("unknown config key '" + key + "' (keys are dotted names such as g.base_channels)");
  try {
    (void)nlohmann::json(text).dump();  // throws on bytes that are not UTF-8
  } catch (const nlohmann::json::exception&) {
    throw Error("--set " + key + ": the value is not valid UTF-8");
  }
  nlohmann::json j = cfg;
  std::string pointer;
  for (size_t start = 0; start <= key.size();) {
    const size_t dot = std::min(key.find('.', start), key.size());
    pointer += "/" + key.substr(start, dot - start);
    start = dot + 1;
  }
  const nlohmann::json::json_pointer ptr(pointer);
  bool known = false;
  try {
    known = j.contains(ptr);
  } catch (const nlohmann::json::exception&) {  // e.g. a name where an array index belongs
  }
  if (!known) throw Error("unknown config key '" + key + "'");
  nlohmann::json value;
  try {
    value = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception&) {
    value = text;
  }
  const auto& old = j.at(ptr);
  const bool number_ok = old.is_number() && value.is_number() && !(old.is_number_integer() && value.is_number_float());
  if (old.type() != value.type() && !number_ok)
    throw Error("config key '" + key + "' expects a value like " + old.dump() + ", got '" + text + "'");
  try {
    j[ptr] = value;
    cfg = j.get<TrainConfig>();
  } catch (const nlohmann::json::exception& e) {
    throw Error("config key '" + key + "': " + e.what());
  }
}

void validate(const TrainConfig& c) {
  auto need = [](bool ok, const std::string& what) {
    if (!ok) throw Error("invalid config: " + what);
  };
  need(c.batch > 0, "batch must be > 0");
  need(c.micro_batches >= 1 && c.batch % c.micro_batches == 0, "micro_batches must be >= 1 and divide batch");
  need(c.steps >= 0 && c.epochs >= 0, "steps and epochs must be >= 0");
  need(c.optim.lr_g > 0 && c.optim.lr_d > 0, "learning rates must be > 0");
  need(c.optim.beta1 >= 0 && c.optim.beta1 < 1 && c.optim.beta2 >= 0 && c.optim.beta2 < 1, "betas must be in [0, 1)");
  need(c.g.z_dim > 0, "g.z_dim must be > 0");
  need(c.g.base_channels > 0 && c.d.base_channels > 0, "base_channels must be > 0");
  need(c.d.class_embed_dim > 0, "d.class_embed_dim must be > 0");
  need(c.d.dropout >= 0 && c.d.dropout < 1, "d.dropout must be in [0, 1)");
  need(c.loss.real_min <= c.loss.real_max && c.loss.fake_min <= c.loss.fake_max, "label ranges must have min <= max");
  need(c.split == "train" || c.split == "all", "split must be 'train' or 'all'");
  need(c.log_every > 0 && c.sample_every >= 0 && c.checkpoint_every >= 0 && c.keep_checkpoints > 0,
       "log_every > 0, sample_every >= 0, checkpoint_every >= 0, keep_checkpoints > 0");
  need(c.samples_per_class > 0, "samples_per_class must be > 0");
  need(c.ema_decay >= 0 && c.ema_decay < 1, "ema_decay must be in [0, 1)");
  need(c.init_step >= 0, "init_step must be >= 0");
  need(c.d.noise_std >= 0, "d.noise_std must be >= 0");
  need(c.loss.schedule_steps >= 0, "loss.schedule_steps must be >= 0");
  need(c.ae.lambda_rx >= 0 && c.ae.lambda_rz >= 0, "ae.lambda_rx and ae.lambda_rz must be >= 0");
  need(c.loss.kind != "acgan" || c.d.class_head, "loss.kind=acgan needs d.class_head=true");
  need(c.amp == "off" || c.amp == "bf16", "amp must be 'off' or 'bf16'");
  need(c.loss.r1_gamma >= 0 && c.loss.r1_every >= 1, "loss.r1_gamma must be >= 0 and loss.r1_every >= 1");
  need(c.loss.lecam_weight >= 0 && c.loss.lecam_decay >= 0 && c.loss.lecam_decay < 1,
       "loss.lecam_weight must be >= 0 and loss.lecam_decay in [0, 1)");
  need(c.loss.mode_seeking >= 0, "loss.mode_seeking must be >= 0");
  need(c.loss.mode_seeking_space == "pixels" || c.loss.mode_seeking_space == "silhouette",
       "loss.mode_seeking_space must be 'pixels' or 'silhouette'");
  need(c.loss.aux_class_weight >= 0, "loss.aux_class_weight must be >= 0");
  need(c.loss.aux_class_weight == 0 || c.d.class_head, "loss.aux_class_weight needs d.class_head=true");
  need(c.loss.aux_class_start >= 0, "loss.aux_class_start must be >= 0");
  need(c.loss.aux_class_weight == 0 || c.loss.kind != "acgan",
       "loss.aux_class_weight adds a class term to hinge or bce; loss.kind=acgan has its own");
  need(c.loss.aux_twin_weight >= 0, "loss.aux_twin_weight must be >= 0");
  need(c.loss.aux_twin_weight == 0 || c.loss.aux_class_weight > 0 || c.loss.kind == "acgan",
       "loss.aux_twin_weight is TAC-GAN's correction of the class term: it needs loss.aux_class_weight > 0 or loss.kind=acgan");
  need(c.loss.aux_twin_weight == 0 || c.d.twin_class_head, "loss.aux_twin_weight needs d.twin_class_head=true");
  need(!c.d.twin_class_head || c.d.arch == "resnet" || c.d.arch == "patchgan" || c.d.arch == "projection",
       "d.twin_class_head needs d.arch=resnet, patchgan or projection");
  need(c.d.mbstd_group >= 0, "d.mbstd_group must be >= 0");
  need(c.d.epilogue == "sum" || c.d.epilogue == "dense", "d.epilogue must be 'sum' or 'dense'");
  need(c.d.epilogue == "sum" || c.d.arch == "resnet", "d.epilogue=dense needs d.arch=resnet");
  need(c.g.input_plane == "rows" || c.g.input_plane == "grid", "g.input_plane must be rows or grid, got " + c.g.input_plane);
  need(c.g.input_plane == "rows" || c.g.arch == "unet", "g.input_plane=grid needs g.arch=unet");
  need(!c.g.z_maps || c.g.arch == "resnet", "g.z_maps needs g.arch=resnet");
  need(!c.g.class_input || (c.g.arch == "resnet" && c.g.conditional && c.g.class_embed_dim > 0),
       "g.class_input needs a conditional g.arch=resnet with g.class_embed_dim > 0");
  need(c.d.attention == 0 || c.d.arch == "resnet", "d.attention needs d.arch=resnet");
  need(c.augment.ada_target >= 0 && c.augment.ada_target < 1, "augment.ada_target must be in [0, 1) (0 = ADA off)");
  need(c.augment.ada_kimg > 0 && c.augment.ada_interval >= 1, "augment.ada_kimg must be > 0 and augment.ada_interval >= 1");
  try {
    check_ada_policy(c.augment.ada_policy);
  } catch (const Error& e) {
    need(false, e.what());
  }
  need(c.divergence.policy == "stop" || c.divergence.policy == "rollback", "divergence.policy must be 'stop' or 'rollback'");
  need(c.divergence.loss_max > 0, "divergence.loss_max must be > 0");
  need(c.divergence.lr_scale > 0 && c.divergence.lr_scale < 1, "divergence.lr_scale must be in (0, 1)");
  need(c.divergence.max_rollbacks >= 0, "divergence.max_rollbacks must be >= 0");
}

std::vector<std::string> config_warnings(const TrainConfig& c) {
  std::vector<std::string> out;
  const bool label_input = c.d.conditional && c.d.arch != "projection" && c.d.arch != "resnet";
  if ((c.d.class_head || c.d.twin_class_head) && label_input)
    out.push_back("d.class_head=true on d.arch=" + c.d.arch + " with d.conditional=true: D also takes the class as an input, so its class head can read the label it predicts instead of classifying the image (--set d.conditional=false, or d.arch=projection)");
  return out;
}

}  // namespace pokegan
