#!/usr/bin/python3
"""PyTorch-Python twin of every pokegan preset, written the way a user would write it
(nn.Module / nn.Sequential, torch.optim.Adam, one training loop), for side-by-side benchmarks and
the equivalence test. Run it with Debian's /usr/bin/python3 (python3-torch 1.13).

  torch_ref.py bench --preset cdcgan --size 64 --batch 128 --steps 5 --threads 2
      one JSON line: img/s of a full training step (augmentation, D (and D_z) and G (and E)
      updates, EMA), the latency of 64 samples without autograd, and the model FLOPs of one
      training step (6 x the multiply-accumulates of every forward pass the step makes).
  torch_ref.py equiv IN.safetensors OUT.safetensors
      loads the networks, their options and inputs written by the C++ test, runs the step's D loss
      (and D_z loss) and G loss with their gradients, and writes outputs and gradients back.

The networks match src/pokegan/models/*.cpp layer for layer, with the same parameter names, and
are built from the same option vocabulary as the C++ TrainConfig (g.*, d.*, loss.*, ae.*), so the
equivalence test can hand its own config over as JSON. PRESETS below mirrors
src/pokegan/training/presets.cpp.
"""
import argparse
import json
import math
import statistics
import struct
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

# ---- options: the C++ defaults (models/options.h, training/config.h), then each preset's changes ----
G_DEFAULT = dict(arch="dcgan", z_dim=100, base_channels=64, conditional=True, class_embed_dim=16, mapping_hidden=128,
                 w_dim=128, lambda_c=[], max_channels=256, cadain_contract=[0, 1], cadain_expand=[], hidden_mapping=True,
                 z_inject="input", input_plane="rows", upsample="transposed", class_norm="none", hier_z=True, z_maps=False,
                 class_input=False)
D_DEFAULT = dict(arch="dcgan", base_channels=64, conditional=True, class_embed_dim=16, dropout=0.0, noise_std=0.0,
                 noise_std_end=-1.0, class_head=False, mbstd_group=0, spectral_norm=True, max_channels=256,
                 epilogue="sum", twin_class_head=False)
LOSS_DEFAULT = dict(kind="bce", real_min=0.9, real_max=1.0, fake_min=0.0, fake_max=0.1, source_weight_start=1.0,
                    source_weight_end=0.5, class_weight_start=0.5, class_weight_end=1.0, schedule_steps=0,
                    class_on_fakes=True,
                    r1_gamma=0.0, r1_every=16, lecam_weight=0.0, lecam_decay=0.99, mode_seeking=0.0,
                    mode_seeking_space="pixels",
                    aux_class_weight=0.0, aux_class_start=0, aux_twin_weight=0.0)
AE_DEFAULT = dict(enabled=False, encoder_channels=16, latent_hidden=256, lambda_rx=1.0, lambda_rz=1.0)

UNET_G = dict(arch="unet", z_dim=64, base_channels=16, max_channels=256, z_inject="style")
UNET_LOSS = dict(mode_seeking=1.0)  # the U-Net presets' mode-seeking term (their batch, 64, is the caller's)
PATCHGAN_D = dict(arch="patchgan", base_channels=8, noise_std=0.1, mbstd_group=4)
DCGAN_FIX = dict(upsample="resize", class_norm="cbn")
PROJECTION_D = dict(PATCHGAN_D, arch="projection")
PRESETS = {
    "cdcgan": dict(g=DCGAN_FIX),
    "cdcgan-quick": dict(g=dict(DCGAN_FIX, base_channels=16), d=dict(base_channels=16)),
    "dcgan": dict(g=dict(conditional=False, upsample="resize"), d=dict(conditional=False), hue=True,
                  loss=dict(real_min=0.9, real_max=0.9, fake_min=0.0, fake_max=0.0)),
    "stylegan": dict(g=dict(arch="stylegan", z_dim=64, base_channels=32), d=PATCHGAN_D),
    "unet": dict(g=UNET_G, d=PATCHGAN_D, loss=UNET_LOSS),
    "unet-proj": dict(g=UNET_G, d=PROJECTION_D, loss=UNET_LOSS),
    "acgan": dict(g=UNET_G, d=dict(PATCHGAN_D, class_head=True, conditional=False),
                  loss=dict(UNET_LOSS, kind="acgan", class_on_fakes=False)),
    "aegan": dict(g=UNET_G, d=PROJECTION_D, ae=dict(enabled=True), loss=UNET_LOSS),
    "aegan-ac": dict(g=UNET_G, d=dict(PROJECTION_D, class_head=True),
                     loss=dict(UNET_LOSS, kind="acgan", class_on_fakes=False), ae=dict(enabled=True)),
    "mlp": dict(g=dict(arch="mlp", base_channels=32), d=dict(arch="mlp", base_channels=32, dropout=0.3)),
    "sprite": dict(g=dict(arch="resnet", z_dim=120, base_channels=16, max_channels=128, class_embed_dim=32,
                          upsample="bilinear", hier_z=False, z_maps=True),
                   d=dict(arch="resnet", base_channels=16, max_channels=128, mbstd_group=0, class_head=True),
                   loss=dict(kind="hinge", lecam_weight=0.1, r1_gamma=0.1, aux_class_weight=0.6, mode_seeking=0.05),
                   diffaug="color,translation,cutout", betas=(0.0, 0.999), lrs=(1e-4, 4e-4)),
}


def full_config(cfg):
    """A preset's (or the C++ test's) options over the defaults."""
    if cfg.get("augment", {}).get("ada_target", 0) > 0:
        raise SystemExit("torch_ref: the twin has no ADA (augment.ada_target > 0); compare with ADA off")
    if cfg.get("d", {}).get("attention", 0) > 0:
        raise SystemExit("torch_ref: the twin has no self-attention (d.attention > 0); compare without it")
    return dict(g={**G_DEFAULT, **cfg.get("g", {})}, d={**D_DEFAULT, **cfg.get("d", {})},
                loss={**LOSS_DEFAULT, **cfg.get("loss", {})}, ae={**AE_DEFAULT, **cfg.get("ae", {})},
                hue=cfg.get("hue", cfg.get("augment", {}).get("hue", False)),
                diffaug=cfg.get("diffaug", cfg.get("augment", {}).get("diffaug", "")),
                betas=tuple(cfg.get("betas", (cfg.get("optim", {}).get("beta1", 0.5), cfg.get("optim", {}).get("beta2", 0.999)))),
                lrs=tuple(cfg.get("lrs", (cfg.get("optim", {}).get("lr_g", 2e-4), cfg.get("optim", {}).get("lr_d", 2e-4)))))


def stages_for(size):
    s = 0
    while (4 << s) < size:
        s += 1
    return s


def dcgan_init(module):
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.normal_(m.weight, 0.0, 0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.BatchNorm2d) and m.affine:
            nn.init.normal_(m.weight, 1.0, 0.02)
            nn.init.zeros_(m.bias)


def lrelu():
    return nn.LeakyReLU(0.2)


def up2(x):
    return F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)


def tile_class_channel(e, size):
    """[N, E] -> [N, 1, S, S]: the vector repeated along each row, the same on every row."""
    row = e.repeat(1, (size + e.shape[1] - 1) // e.shape[1])[:, :size]
    return row[:, None, None, :].expand(-1, 1, size, size)


def grid_plane(e, size):
    """[N, g*g] -> [N, 1, S, S]: a g x g map, upsampled bilinearly (align_corners=False)."""
    g = round(e.shape[1] ** 0.5)
    return F.interpolate(e.view(-1, 1, g, g), size=(size, size), mode="bilinear", align_corners=False)


# ---- building blocks ----
class Mapping(nn.Module):
    def __init__(self, n_in, hidden, n_out):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(n_in, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                                 nn.Linear(hidden, n_out))

    def forward(self, x):
        return self.net(x)


class InjectNoise(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(1, channels, 1, 1))

    def forward(self, x):
        if not self.training:
            return x
        return x + self.weight * torch.randn(x.shape[0], 1, x.shape[2], x.shape[3])


class GaussianNoise(nn.Module):
    def __init__(self, std):
        super().__init__()
        self.std = std

    def forward(self, x):
        return x + torch.randn_like(x) * self.std if self.training and self.std > 0 else x


class ConditionalAdaIN(nn.Module):
    """(γ + λ γ_c) · IN(x) + (β + λ β_c); γ, β from the style w (1, 0 without one), γ_c, β_c from the class."""

    def __init__(self, channels, w_dim, classes, embed, lam):
        super().__init__()
        self.lam, self.has_style, self.has_class = lam, w_dim > 0, classes > 0
        if self.has_style:
            self.style_scale, self.style_shift = nn.Linear(w_dim, channels), nn.Linear(w_dim, channels)
            with torch.no_grad():
                self.style_scale.bias.fill_(1.0)
                self.style_shift.bias.zero_()
        if self.has_class:
            self.class_embed = nn.Embedding(classes, embed)
            self.class_scale, self.class_shift = nn.Linear(embed, channels), nn.Linear(embed, channels)

    def forward(self, x, w, y):
        n, c = x.shape[:2]
        if self.has_style:
            gamma, beta = self.style_scale(w), self.style_shift(w)
        else:
            gamma, beta = torch.ones(n, c), torch.zeros(n, c)
        if self.has_class:
            e = self.class_embed(y)
            gamma = gamma + self.lam * self.class_scale(e)
            beta = beta + self.lam * self.class_shift(e)
        return gamma.view(n, c, 1, 1) * F.instance_norm(x) + beta.view(n, c, 1, 1)


class SNWeight(nn.Module):
    """A weight divided by its largest singular value, estimated by one power iteration per training
    forward on buffers u, v (models/spectral.cpp; the same computation as nn.utils.spectral_norm)."""

    def init_weight(self, shape, sn):
        self.weight = nn.Parameter(torch.empty(shape))
        self.sn = sn
        if sn:
            self.register_buffer("u", F.normalize(torch.randn(shape[0]), dim=0, eps=1e-12))
            self.register_buffer("v", F.normalize(torch.randn(self.weight[0].numel()), dim=0, eps=1e-12))

    def effective_weight(self):
        if not self.sn:
            return self.weight
        wm = self.weight.flatten(1)
        if self.training:
            with torch.no_grad():
                self.v.copy_(F.normalize(torch.mv(wm.t(), self.u), dim=0, eps=1e-12))
                self.u.copy_(F.normalize(torch.mv(wm, self.v), dim=0, eps=1e-12))
        return self.weight / torch.dot(self.u.clone(), torch.mv(wm, self.v.clone()))


class SNConv2d(SNWeight):
    def __init__(self, c_in, c_out, k, stride=1, padding=0, sn=True):
        super().__init__()
        self.init_weight((c_out, c_in, k, k), sn)
        self.bias = nn.Parameter(torch.zeros(c_out))
        self.stride, self.padding = stride, padding

    def forward(self, x):
        return F.conv2d(x, self.effective_weight(), self.bias, self.stride, self.padding)


class SNLinear(SNWeight):
    def __init__(self, n_in, n_out, sn=True):
        super().__init__()
        self.init_weight((n_out, n_in), sn)
        self.bias = nn.Parameter(torch.zeros(n_out))

    def forward(self, x):
        return F.linear(x, self.effective_weight(), self.bias)


class SNEmbedding(SNWeight):
    def __init__(self, num, dim, sn=True):
        super().__init__()
        self.init_weight((num, dim), sn)

    def forward(self, labels):
        return self.effective_weight()[labels]


def minibatch_stddev(x, group):
    n, c, h, w = x.shape
    g = min(group, n)
    while n % g:
        g -= 1
    y = x.reshape(g, n // g, c, h, w)
    y = ((y - y.mean(0)).square().mean(0) + 1e-8).sqrt().mean((1, 2, 3)).view(n // g, 1, 1, 1)
    return torch.cat([x, y.repeat(g, 1, h, w)], 1)


class ClassBatchNorm(nn.Module):
    """BatchNorm without affine parameters, then (1 + gain(cond)) * x + bias(cond)."""

    def __init__(self, channels, cond_dim):
        super().__init__()
        self.bn = nn.BatchNorm2d(channels, affine=False)
        self.gain, self.bias = nn.Linear(cond_dim, channels), nn.Linear(cond_dim, channels)

    def forward(self, x, cond):
        return self.bn(x) * (1 + self.gain(cond))[:, :, None, None] + self.bias(cond)[:, :, None, None]


def up_nearest(x):
    return F.interpolate(x, scale_factor=2, mode="nearest")


# ---- generators: forward(z, labels) -> [N, 3, S, S] ----
class DCGANGenerator(nn.Module):
    def __init__(self, o, size, classes):
        super().__init__()
        n = stages_for(size)
        self.classes = classes if o["conditional"] else 0
        self.z_dim = o["z_dim"]
        ch = [o["base_channels"] << (n - 1 - i) for i in range(n)]
        self.cbn = o["class_norm"] == "cbn" and self.classes > 0
        if self.cbn:
            self.class_embed = nn.Embedding(self.classes, o["class_embed_dim"])
        norm = (lambda c: ClassBatchNorm(c, o["class_embed_dim"])) if self.cbn else nn.BatchNorm2d

        def up(c_in, c_out, bias):
            if o["upsample"] == "resize":
                return [nn.Upsample(scale_factor=2, mode="nearest"), nn.Conv2d(c_in, c_out, 3, padding=1, bias=bias)]
            return [nn.ConvTranspose2d(c_in, c_out, 4, 2, 1, bias=bias)]

        layers = [nn.ConvTranspose2d(self.z_dim + self.classes, ch[0], 4, bias=False), norm(ch[0]), nn.ReLU(True)]
        for i in range(1, n):
            layers += up(ch[i - 1], ch[i], False) + [norm(ch[i]), nn.ReLU(True)]
        layers += up(ch[-1], 3, True) + [nn.Tanh()]
        self.net = nn.Sequential(*layers)
        dcgan_init(self)

    def forward(self, z, labels):
        if self.classes:
            z = torch.cat([z, F.one_hot(labels, self.classes).to(z.dtype)], 1)
        x = z[:, :, None, None]
        cond = self.class_embed(labels) if self.cbn else None
        for m in self.net:
            x = m(x, cond) if isinstance(m, ClassBatchNorm) else m(x)
        return x


class StyleGANGenerator(nn.Module):
    def __init__(self, o, size, classes):
        super().__init__()
        self.blocks = stages_for(size) + 1
        lam = o["lambda_c"] or [0.2 + 0.8 * i / max(1, self.blocks - 1) for i in range(self.blocks)]
        self.classes = classes if o["conditional"] else 0
        self.z_dim = o["z_dim"]
        ch, map_in = o["base_channels"], o["z_dim"]
        if self.classes:
            self.embed = nn.Embedding(self.classes, o["class_embed_dim"])
            map_in += o["class_embed_dim"]
        self.mapping = Mapping(map_in, o["mapping_hidden"], o["w_dim"])
        self.constant = nn.Parameter(torch.ones(1, ch, 4, 4))
        for i in range(self.blocks):
            setattr(self, f"conv{i}", nn.Conv2d(ch, ch, 3, padding=1))
            setattr(self, f"noise{i}", InjectNoise(ch))
            setattr(self, f"adain{i}", ConditionalAdaIN(ch, o["w_dim"], self.classes, o["class_embed_dim"], lam[i]))
        self.to_rgb = nn.Conv2d(ch, 3, 1)

    def forward(self, z, labels):
        w = self.mapping(torch.cat([z, self.embed(labels)], 1) if self.classes else z)
        x = self.constant.expand(z.shape[0], -1, -1, -1)
        for i in range(self.blocks):
            if i:
                x = up2(x)
            x = F.leaky_relu(getattr(self, f"noise{i}")(getattr(self, f"conv{i}")(x)), 0.2)
            x = getattr(self, f"adain{i}")(x, w, labels)
        return torch.tanh(self.to_rgb(x))


class UNetGenerator(nn.Module):
    def __init__(self, o, size, classes):
        super().__init__()
        self.size, self.depth = size, stages_for(size) + 2
        self.classes = classes if o["conditional"] else 0
        self.z_dim = o["z_dim"]
        base, e = o["base_channels"], o["class_embed_dim"]

        def ch(level):
            return min(base << level, max(o["max_channels"], base))

        map_in = self.z_dim
        if self.classes:
            self.embed = nn.Embedding(self.classes, e)
            map_in += e
        self.grid = o["input_plane"] == "grid"
        self.mapping = Mapping(map_in, o["mapping_hidden"], (size // 8) ** 2 if self.grid else size)
        self.style = o["z_inject"] == "style"
        if self.style:
            self.style_mapping = Mapping(map_in, o["mapping_hidden"], o["w_dim"])
        self.upfeature = nn.Conv2d(1, base, 1)
        self.contract_adain, self.expand_adain = [], []
        for i in range(self.depth):
            c_in, c_out = ch(i), ch(i + 1)
            setattr(self, f"contract{i}", nn.Sequential(
                nn.Conv2d(c_in, c_out, 3, padding=1), nn.BatchNorm2d(c_out), lrelu(),
                nn.Conv2d(c_out, c_out, 3, padding=1), nn.BatchNorm2d(c_out), lrelu(), nn.MaxPool2d(2)))
            if self.classes and i in o["cadain_contract"]:
                setattr(self, f"contract_adain{i}", ConditionalAdaIN(c_out, 0, self.classes, e, 1.0))
                self.contract_adain.append(i)
        self.hidden = bool(self.classes and o["hidden_mapping"])
        if self.hidden:
            self.hidden_embed = nn.Embedding(self.classes, e)
            self.hidden_mapping = Mapping(ch(self.depth) + e, o["mapping_hidden"], ch(self.depth))
        for j in range(self.depth):
            level = self.depth - j
            c_in, skip = ch(level), ch(level - 1)
            setattr(self, f"expand_in{j}", nn.Conv2d(c_in, skip, 3, padding=1))
            setattr(self, f"expand{j}", nn.Sequential(
                nn.Conv2d(2 * skip, skip, 3, padding=1), nn.BatchNorm2d(skip), nn.ReLU(),
                nn.Conv2d(skip, skip, 3, padding=1), nn.BatchNorm2d(skip), nn.ReLU()))
            by_class = self.classes and (not o["cadain_expand"] or j in o["cadain_expand"])
            if by_class or self.style:
                setattr(self, f"expand_adain{j}", ConditionalAdaIN(skip, o["w_dim"] if self.style else 0,
                                                                   self.classes if by_class else 0, e, 1.0))
                self.expand_adain.append(j)
        self.downfeature = nn.Conv2d(base, 3, 1)

    def forward(self, z, labels):
        m_in = torch.cat([z, self.embed(labels)], 1) if self.classes else z
        m = self.mapping(m_in)
        x = self.upfeature(grid_plane(m, self.size) if self.grid else tile_class_channel(m, self.size))
        w = self.style_mapping(m_in) if self.style else None
        skips = [x]
        for i in range(self.depth):
            x = getattr(self, f"contract{i}")(x)
            if i in self.contract_adain:
                x = getattr(self, f"contract_adain{i}")(x, None, labels)
            skips.append(x)
        if self.hidden:
            x = self.hidden_mapping(torch.cat([x.flatten(1), self.hidden_embed(labels)], 1)).view(x.shape)
        for j in range(self.depth):
            x = getattr(self, f"expand_in{j}")(up2(x))
            x = getattr(self, f"expand{j}")(torch.cat([x, skips[-2 - j]], 1))
            if j in self.expand_adain:
                x = getattr(self, f"expand_adain{j}")(x, w, labels)
        return torch.tanh(self.downfeature(x))


class MLPGenerator(nn.Module):
    def __init__(self, o, size, classes):
        super().__init__()
        self.size, self.z_dim = size, o["z_dim"]
        self.classes = classes if o["conditional"] else 0
        h = o["base_channels"]
        self.net = nn.Sequential(nn.Linear(self.z_dim + self.classes, 4 * h), lrelu(),
                                 nn.Linear(4 * h, 8 * h), nn.BatchNorm1d(8 * h), lrelu(),
                                 nn.Linear(8 * h, 16 * h), nn.BatchNorm1d(16 * h), lrelu(),
                                 nn.Linear(16 * h, 3 * size * size), nn.Tanh())

    def forward(self, z, labels):
        if self.classes:
            z = torch.cat([z, F.one_hot(labels, self.classes).to(z.dtype)], 1)
        return self.net(z).view(-1, 3, self.size, self.size)


class ResGBlock(nn.Module):
    def __init__(self, c_in, c_out, cond_dim, bilinear=False, z_maps_dim=0, out_size=0):
        super().__init__()
        self.up = (lambda x: F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)) if bilinear else up_nearest
        self.bn1, self.conv1 = ClassBatchNorm(c_in, cond_dim), nn.Conv2d(c_in, c_out, 3, padding=1)
        self.bn2, self.conv2 = ClassBatchNorm(c_out, cond_dim), nn.Conv2d(c_out, c_out, 3, padding=1)
        self.shortcut = nn.Conv2d(c_in, c_out, 1)
        self.z_maps = z_maps_dim > 0
        if self.z_maps:  # g.z_maps: a fixed projection of z to two maps, each with a per-channel strength
            self.register_buffer("zproj", torch.randn(z_maps_dim, 2 * out_size * out_size) / z_maps_dim ** 0.5)
            self.zscale1 = nn.Parameter(torch.zeros(1, c_out, 1, 1))
            self.zscale2 = nn.Parameter(torch.zeros(1, c_out, 1, 1))

    def forward(self, x, cond, z=None):
        h = self.conv1(self.up(F.relu(self.bn1(x, cond))))
        if self.z_maps:
            maps = (z @ self.zproj).view(h.shape[0], 2, h.shape[2], h.shape[3])
            h = h + self.zscale1 * maps[:, 0:1]
        h = self.conv2(F.relu(self.bn2(h, cond)))
        if self.z_maps:
            h = h + self.zscale2 * maps[:, 1:2]
        return h + self.up(self.shortcut(x))


class ResNetGenerator(nn.Module):
    """BigGAN-style: hierarchical z, a shared class embedding, cBN in every block (models/resnet.cpp)."""

    def __init__(self, o, size, classes):
        super().__init__()
        self.stages = stages_for(size)
        self.classes = classes if o["conditional"] else 0
        self.z_dim, self.hier = o["z_dim"], o["hier_z"]
        self.chunk = self.z_dim // (self.stages + 1) if self.hier else self.z_dim
        ch = lambda l: min(o["base_channels"] << (self.stages - l), max(o["max_channels"], o["base_channels"]))
        e = o["class_embed_dim"] if self.classes else 0
        if self.classes:
            self.embed = nn.Embedding(self.classes, e)
        self.class_input = bool(o["class_input"]) and self.classes > 0
        self.input = nn.Linear(self.chunk + (e if self.class_input else 0), ch(0) * 16)
        cond = (self.chunk if self.hier else self.z_dim) + e
        for i in range(self.stages):
            setattr(self, f"block{i}", ResGBlock(ch(i), ch(i + 1), cond, o["upsample"] == "bilinear",
                                                 self.z_dim if o["z_maps"] else 0, 8 << i))
        self.out_bn = nn.BatchNorm2d(ch(self.stages))
        self.out_conv = nn.Conv2d(ch(self.stages), 3, 3, padding=1)

    def forward(self, z, labels):
        zs = z.split(self.chunk, 1)
        x = torch.cat([zs[0], self.embed(labels)], 1) if self.class_input else zs[0]
        h = self.input(x).view(z.shape[0], -1, 4, 4)
        for i in range(self.stages):
            cond = zs[i + 1] if self.hier else z
            if self.classes:
                cond = torch.cat([cond, self.embed(labels)], 1)
            h = getattr(self, f"block{i}")(h, cond, z)
        return torch.tanh(self.out_conv(F.relu(self.out_bn(h))))


# ---- discriminators: forward(x, labels) -> (logits, class logits or None) ----
class ResDBlock(nn.Module):
    def __init__(self, c_in, c_out, first, sn):
        super().__init__()
        self.first = first
        self.conv1, self.conv2 = SNConv2d(c_in, c_out, 3, 1, 1, sn), SNConv2d(c_out, c_out, 3, 1, 1, sn)
        self.shortcut = SNConv2d(c_in, c_out, 1, 1, 0, sn)

    def forward(self, x):
        h = self.conv1(x if self.first else F.relu(x))
        h = F.avg_pool2d(self.conv2(F.relu(h)), 2)
        sc = self.shortcut(F.avg_pool2d(x, 2)) if self.first else F.avg_pool2d(self.shortcut(x), 2)
        return h + sc


class ResNetDiscriminator(nn.Module):
    """SNGAN-style: spectrally normalised ResNet, minibatch stddev, projection (models/resnet.cpp)."""

    def __init__(self, o, size, classes):
        super().__init__()
        sn, c_in, self.n = o["spectral_norm"], 3, stages_for(size)
        ch = lambda i: min(o["base_channels"] << i, max(o["max_channels"], o["base_channels"]))
        for i in range(self.n):
            setattr(self, f"block{i}", ResDBlock(c_in, ch(i), i == 0, sn))
            c_in = ch(i)
        self.mbstd = o["mbstd_group"]
        self.final_conv = SNConv2d(c_in + (1 if self.mbstd else 0), c_in, 3, 1, 1, sn)
        self.dense = SNLinear(c_in * 16, c_in, sn) if o["epilogue"] == "dense" else None
        self.linear = SNLinear(c_in, 1, sn)
        self.projection = SNEmbedding(classes, c_in, sn) if o["conditional"] else None
        self.class_head = SNLinear(c_in, classes, sn) if o["class_head"] else None
        self.twin_head = SNLinear(c_in, classes, sn) if o["twin_class_head"] else None

    def forward(self, x, labels):
        for i in range(self.n):
            x = getattr(self, f"block{i}")(x)
        h = F.relu(x)
        if self.mbstd:
            h = minibatch_stddev(h, self.mbstd)
        h = F.relu(self.final_conv(h))
        h = F.relu(self.dense(h.flatten(1))) if self.dense is not None else h.sum((2, 3))
        logits = self.linear(h).view(-1)
        if self.projection is not None:
            logits = logits + (self.projection(labels) * h).sum(1)
        return (logits, self.class_head(h) if self.class_head is not None else None,
                self.twin_head(h) if self.twin_head is not None else None)



class DCGANDiscriminator(nn.Module):
    def __init__(self, o, size, classes):
        super().__init__()
        n = stages_for(size)
        self.size, self.conditional, width = size, o["conditional"], o["base_channels"]
        if self.conditional:
            self.embed = nn.Embedding(classes, o["class_embed_dim"])
        layers, c_in = [], 3 + (1 if self.conditional else 0)
        for i in range(n):
            layers += [nn.Conv2d(c_in, width << i, 4, 2, 1, bias=False), nn.BatchNorm2d(width << i), lrelu()]
            c_in = width << i
        if o["dropout"] > 0:
            layers.append(nn.Dropout(o["dropout"]))
        self.net = nn.Sequential(*layers)
        self.final = nn.Conv2d(c_in, 1, 4)
        self.class_head = nn.Linear(c_in, classes) if o["class_head"] else None
        dcgan_init(self)

    def forward(self, x, labels):
        if self.conditional:
            x = torch.cat([x, tile_class_channel(self.embed(labels), self.size)], 1)
        h = self.net(x)
        cls = self.class_head(h.mean((2, 3))) if self.class_head is not None else None
        return self.final(h).view(-1), cls


class PatchGANDiscriminator(nn.Module):
    def __init__(self, o, size, classes):
        super().__init__()
        self.size = size
        self.projected = o["arch"] == "projection"
        self.channel = o["conditional"] and not self.projected
        if self.channel:
            self.class_channel = nn.Embedding(classes, o["class_embed_dim"])
        c = o["base_channels"]
        self.upfeature = nn.Conv2d(3 + int(self.channel), c, 1)
        blocks = []
        for i in range(4):  # noise, conv 3x3, BN (not in the first block), LeakyReLU; twice; max-pool
            layers = []
            for c_in in (c, 2 * c):
                layers += [GaussianNoise(o["noise_std"]), nn.Conv2d(c_in, 2 * c, 3, padding=1)]
                layers += [nn.BatchNorm2d(2 * c), lrelu()] if i else [lrelu()]
            blocks.append(nn.Sequential(*layers, nn.MaxPool2d(2)))
            c *= 2
        self.contract0, self.contract1, self.contract2, self.contract3 = blocks
        self.mbstd = o["mbstd_group"]
        self.final = nn.Conv2d(c + (1 if self.mbstd else 0), 1, 1)
        patches = (size // 16) ** 2
        if self.projected:
            self.linear = nn.Linear(patches, 1)
            self.projection = nn.Embedding(classes, patches) if o["conditional"] else None
        self.class_head = nn.Linear(c, classes) if o["class_head"] else None
        self.twin_head = nn.Linear(c, classes) if o["twin_class_head"] else None

    def forward(self, x, labels):
        if self.channel:
            x = torch.cat([x, tile_class_channel(self.class_channel(labels), self.size)], 1)
        feats = self.contract3(self.contract2(self.contract1(self.contract0(self.upfeature(x)))))
        phi = self.final(minibatch_stddev(feats, self.mbstd) if self.mbstd else feats).flatten(1)  # [N, P]
        logits = phi
        if self.projected:
            logits = self.linear(phi).view(-1)
            if self.projection is not None:
                logits = logits + (phi * self.projection(labels)).sum(1)
        pooled = feats.mean((2, 3))
        cls = self.class_head(pooled) if self.class_head is not None else None
        twin = self.twin_head(pooled) if self.twin_head is not None else None
        return logits, cls, twin


class MLPDiscriminator(nn.Module):
    def __init__(self, o, size, classes):
        super().__init__()
        self.classes = classes if o["conditional"] else 0
        h, p = o["base_channels"], o["dropout"]
        drop = lambda: [nn.Dropout(p)] if p > 0 else []
        self.body = nn.Sequential(nn.Linear(3 * size * size + self.classes, 16 * h), lrelu(), *drop(),
                                  nn.Linear(16 * h, 8 * h), lrelu(), *drop(), nn.Linear(8 * h, 4 * h), lrelu())
        self.out = nn.Linear(4 * h, 1)
        self.class_head = nn.Linear(4 * h, classes) if o["class_head"] else None

    def forward(self, x, labels):
        x = x.flatten(1)
        if self.classes:
            x = torch.cat([x, F.one_hot(labels, self.classes).to(x.dtype)], 1)
        h = self.body(x)
        return self.out(h).view(-1), (self.class_head(h) if self.class_head is not None else None)


# ---- the autoencoding GAN's encoder and latent discriminator ----
class Encoder(nn.Module):
    def __init__(self, size, base, z_dim):
        super().__init__()
        layers, c_in = [], 3
        for i in range(stages_for(size)):
            layers += [nn.Conv2d(c_in, base << i, 4, 2, 1, bias=False), nn.BatchNorm2d(base << i), lrelu()]
            c_in = base << i
        self.convs = nn.Sequential(*layers)
        self.out = nn.Linear(c_in * 16, z_dim)
        dcgan_init(self)

    def forward(self, x):
        return self.out(self.convs(x).flatten(1))


class LatentDiscriminator(nn.Module):
    def __init__(self, z_dim, hidden):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(z_dim, hidden), lrelu(), nn.Linear(hidden, hidden), lrelu(),
                                 nn.Linear(hidden, 1))

    def forward(self, z):
        return self.net(z).view(-1), None


GENERATORS = dict(dcgan=DCGANGenerator, stylegan=StyleGANGenerator, unet=UNetGenerator, mlp=MLPGenerator,
                  resnet=ResNetGenerator)
DISCRIMINATORS = dict(dcgan=DCGANDiscriminator, patchgan=PatchGANDiscriminator, projection=PatchGANDiscriminator,
                      mlp=MLPDiscriminator, resnet=ResNetDiscriminator)


def build(cfg, size, classes):
    """G, D and, for the autoencoding GAN, E and D_z."""
    g = GENERATORS[cfg["g"]["arch"]](cfg["g"], size, classes)
    d = DISCRIMINATORS[cfg["d"]["arch"]](cfg["d"], size, classes)
    e = dz = None
    if cfg["ae"]["enabled"]:
        e = Encoder(size, cfg["ae"]["encoder_channels"], cfg["g"]["z_dim"])
        dz = LatentDiscriminator(cfg["g"]["z_dim"], cfg["ae"]["latent_hidden"])
    return g, d, e, dz


# ---- losses (losses/gan_loss.cpp) ----
class Loss:
    def __init__(self, o):
        self.o, self.ws, self.wc = o, 1.0, 1.0

    def set_step(self, step, total):
        span = self.o["schedule_steps"] or max(total, 1)
        t = min(1.0, step / span)
        self.ws = self.o["source_weight_start"] + t * (self.o["source_weight_end"] - self.o["source_weight_start"])
        self.wc = self.o["class_weight_start"] + t * (self.o["class_weight_end"] - self.o["class_weight_start"])

    def smoothed(self, like, lo, hi):
        return torch.full_like(like, lo) if lo == hi else torch.rand_like(like) * (hi - lo) + lo

    def bce_d(self, real, fake):
        o = self.o
        return 0.5 * (F.binary_cross_entropy_with_logits(real, self.smoothed(real, o["real_min"], o["real_max"])) +
                      F.binary_cross_entropy_with_logits(fake, self.smoothed(fake, o["fake_min"], o["fake_max"])))

    def bce_g(self, fake):
        return F.binary_cross_entropy_with_logits(fake, torch.ones_like(fake))

    def d(self, real, fake, labels, fake_labels):
        if self.o["kind"] == "hinge":
            return F.relu(1 - real[0]).mean() + F.relu(1 + fake[0]).mean()
        if self.o["kind"] != "acgan":
            return self.bce_d(real[0], fake[0])
        classes = F.cross_entropy(real[1], labels)
        if self.o["class_on_fakes"]:
            classes = 0.5 * (classes + F.cross_entropy(fake[1], fake_labels))
        return self.ws * self.bce_d(real[0], fake[0]) + self.wc * classes

    def g(self, fake, labels):
        if self.o["kind"] == "hinge":
            return -fake[0].mean()
        if self.o["kind"] != "acgan":
            return self.bce_g(fake[0])
        return self.ws * self.bce_g(fake[0]) + self.wc * F.cross_entropy(fake[1], labels)


class Step:
    """One training step as training/trainer.cpp's Trainer::step takes it."""

    def __init__(self, cfg, g, d, e, dz):
        self.cfg, self.g, self.d, self.e, self.dz = cfg, g, d, e, dz
        adam = lambda m, lr: torch.optim.Adam(m.parameters(), lr=lr, betas=cfg["betas"])
        lr_g, lr_d = cfg["lrs"]
        self.opt_g, self.opt_d = adam(g, lr_g), adam(d, lr_d)
        if e is not None:
            self.opt_e, self.opt_dz = adam(e, lr_g), adam(dz, lr_d)
        self.loss = Loss(cfg["loss"])
        self.latent = Loss(dict(cfg["loss"], kind="bce"))
        self.lecam_real = self.lecam_fake = 0.0
        self.lecam_n = 0
        self.step_no = 0
        self.d_seen = (lambda x: diff_augment(x, cfg["diffaug"])) if cfg["diffaug"] else (lambda x: x)

    def fake_labels(self, labels):
        """With mode seeking, the second half of the fake batch repeats the first half's labels."""
        h = labels.shape[0] // 2
        if self.cfg["loss"]["mode_seeking"] > 0 and h > 0:
            return torch.cat([labels[:h], labels[:h], labels[2 * h:]])
        return labels

    def losses_d(self, real, fake, labels, z):
        """D's loss (and the AE-GAN's extra forwards): returns (d_loss, reg, recon, z_enc, z_rec), where
        reg is what the regularisers (R1, LeCam) add to d_loss before the backward."""
        d, e, o = self.d, self.e, self.cfg["loss"]
        D = lambda x, y: d(self.d_seen(x), y)
        recon = z_enc = z_rec = None
        if e is not None:
            z_enc = e(real)
            recon = self.g(z_enc, labels)
            z_rec = e(fake)
        r1 = o["r1_gamma"] > 0 and self.step_no % o["r1_every"] == 0
        if r1:
            real = real.detach().requires_grad_(True)
        fake_labels = self.fake_labels(labels)
        d_real = D(real, labels)
        d_fake = D(fake.detach(), fake_labels)
        d_loss = self.loss.d(d_real, d_fake, labels, fake_labels)
        if e is not None:
            d_loss = 0.5 * (d_loss + self.loss.d(d_real, D(recon.detach(), labels), labels, labels))
        reg = torch.zeros(())
        if o["aux_class_weight"] > 0 and self.step_no >= o["aux_class_start"]:  # the head learns on real images only
            reg = reg + o["aux_class_weight"] * F.cross_entropy(d_real[1], labels)
        if o["aux_twin_weight"] > 0 and self.step_no >= o["aux_class_start"]:  # TAC: the twin learns on fakes
            reg = reg + o["aux_twin_weight"] * F.cross_entropy(d_fake[2], fake_labels)
        if r1:
            grad, = torch.autograd.grad(d_real[0].sum(), real, create_graph=True)
            reg = reg + o["r1_gamma"] / 2 * o["r1_every"] * grad.square().flatten(1).sum(1).mean()
        if o["lecam_weight"] > 0:
            decay = 0.0 if self.lecam_n == 0 else o["lecam_decay"]
            self.lecam_real = decay * self.lecam_real + (1 - decay) * d_real[0].detach().mean().item()
            self.lecam_fake = decay * self.lecam_fake + (1 - decay) * d_fake[0].detach().mean().item()
            self.lecam_n += 1
            reg = reg + o["lecam_weight"] * (F.relu(d_real[0] - self.lecam_fake).square().mean() +
                                             F.relu(self.lecam_real - d_fake[0]).square().mean())
        return d_loss, reg, recon, z_enc, z_rec

    def loss_dz(self, z, z_enc, z_rec):
        prior = self.dz(z)
        return 0.5 * (self.latent.d(prior, self.dz(z_enc.detach()), None, None) +
                      self.latent.d(prior, self.dz(z_rec.detach()), None, None))

    def loss_g(self, real, fake, labels, z, recon, z_enc, z_rec):
        """G's loss (reported) and what mode seeking adds to it before the backward."""
        D = lambda x, y: self.d(self.d_seen(x), y)
        d_fake = D(fake, self.fake_labels(labels))
        g_loss = self.loss.g(d_fake, self.fake_labels(labels))
        if self.e is not None:
            g_loss = (g_loss + self.loss.g(D(recon, labels), labels) + self.latent.g(self.dz(z_enc), None) +
                      self.latent.g(self.dz(z_rec), None))
            g_loss = g_loss + self.cfg["ae"]["lambda_rx"] * (recon - real).abs().mean() + \
                self.cfg["ae"]["lambda_rz"] * (z_rec - z).abs().mean()
        reg = torch.zeros(())
        if self.cfg["loss"]["aux_class_weight"] > 0 and self.step_no >= self.cfg["loss"]["aux_class_start"]:
            reg = reg + self.cfg["loss"]["aux_class_weight"] * F.cross_entropy(d_fake[1], self.fake_labels(labels))
        if self.cfg["loss"]["aux_twin_weight"] > 0 and self.step_no >= self.cfg["loss"]["aux_class_start"]:
            reg = reg - self.cfg["loss"]["aux_twin_weight"] * F.cross_entropy(d_fake[2], self.fake_labels(labels))
        h = z.shape[0] // 2
        if self.cfg["loss"]["mode_seeking"] > 0 and h > 0:
            seen = fake
            if self.cfg["loss"]["mode_seeking_space"] == "silhouette":  # the ink map (losses/gan_loss.h)
                seen = (1 - fake.min(1, keepdim=True)[0]) * 0.5
            ratio = (seen[:h] - seen[h:2 * h]).abs().mean() / (z[:h] - z[h:2 * h]).abs().mean()
            reg = reg + self.cfg["loss"]["mode_seeking"] / (ratio + 1e-5)
        return g_loss, reg

    def __call__(self, real, labels, step, total):
        self.loss.set_step(step, total)
        self.step_no = step
        z = torch.randn(real.shape[0], self.g.z_dim)
        fake = self.g(z, self.fake_labels(labels))
        self.opt_d.zero_grad()
        d_loss, reg, recon, z_enc, z_rec = self.losses_d(real, fake, labels, z)
        (d_loss + reg).backward()
        self.opt_d.step()
        if self.e is not None:
            self.opt_dz.zero_grad()
            self.loss_dz(z, z_enc, z_rec).backward()
            self.opt_dz.step()
        self.opt_g.zero_grad()
        if self.e is not None:
            self.opt_e.zero_grad()
        g_loss, reg = self.loss_g(real, fake, labels, z, recon, z_enc, z_rec)
        (g_loss + reg).backward()
        self.opt_g.step()
        if self.e is not None:
            self.opt_e.step()
        return d_loss.item(), g_loss.item()


# ---- augmentation (data/augment.cpp): flip, rotation with a white fill, hue rotation ----
def warp(x, theta, background=1.0):
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x - background, grid, mode="bilinear", padding_mode="zeros", align_corners=False) + background


def hue_matrices(angle):
    yiq = torch.tensor([[0.299, 0.587, 0.114], [0.596, -0.274, -0.322], [0.211, -0.523, 0.312]])
    c, s = torch.cos(angle), torch.sin(angle)
    rot = torch.zeros(angle.shape[0], 3, 3)
    rot[:, 0, 0] = 1
    rot[:, 1, 1], rot[:, 1, 2], rot[:, 2, 1], rot[:, 2, 2] = c, -s, s, c
    return torch.linalg.inv(yiq) @ rot @ yiq


def diff_augment(x, policy, background=1.0):
    """DiffAugment as data/augment.cpp draws it: colour, translation (whole pixels up to 1/8, white fill),
    cutout (half)."""
    n, s = x.shape[0], x.shape[2]
    for p in policy.split(","):
        if p == "color":
            x = x + (torch.rand(n, 1, 1, 1) - 0.5)
            m = x.mean(1, keepdim=True)
            x = (x - m) * (torch.rand(n, 1, 1, 1) * 2) + m
            m = x.mean((1, 2, 3), keepdim=True)
            x = (x - m) * (torch.rand(n, 1, 1, 1) + 0.5) + m
        elif p == "translation":
            shift = (s + 4) // 8  # whole pixels, a gather from the background-padded image (data/augment.cpp)
            kx, ky = torch.randint(-shift, shift + 1, (n,)), torch.randint(-shift, shift + 1, (n,))
            pad = F.pad(x, [1, 1, 1, 1], value=background)
            rows = (torch.arange(s).view(1, s) - ky.view(n, 1) + 1).clamp(0, s + 1)
            cols = (torch.arange(s).view(1, s) - kx.view(n, 1) + 1).clamp(0, s + 1)
            x = pad[torch.arange(n).view(n, 1, 1), :, rows.view(n, s, 1), cols.view(n, 1, s)].permute(0, 3, 1, 2)
        elif p == "cutout":
            cx, cy = torch.randint(0, s, (n, 1, 1)), torch.randint(0, s, (n, 1, 1))
            idx = torch.arange(s)
            inside = ((idx.view(1, 1, s) - cx).abs() <= s // 4) & ((idx.view(1, s, 1) - cy).abs() <= s // 4)
            x = x * (~inside).to(x.dtype).unsqueeze(1)
    return x


def augment(x, hue):
    n = x.shape[0]
    flip = (torch.rand(n) < 0.5).view(n, 1, 1, 1)
    x = torch.where(flip, x.flip(3), x)
    theta = (torch.rand(n) * 2 - 1) * math.radians(10) * (torch.rand(n) < 0.5).float()
    c, s, z = torch.cos(theta), torch.sin(theta), torch.zeros_like(theta)
    x = warp(x, torch.stack([c, -s, z, s, c, z], 1).view(n, 2, 3))
    if hue:
        angle = (torch.rand(n) * 2 - 1) * math.pi * (torch.rand(n) < 0.5).float()
        x = torch.einsum("nij,njhw->nihw", hue_matrices(angle), x).clamp(-1, 1)
    return x


def count_step_macs(modules, run_step):
    """Multiply-accumulates of every conv, transposed-conv and linear forward that one training
    step makes (hooks on the live step, so each model's own number of forwards is counted)."""
    macs = [0]

    def hook(m, inp, out):
        if isinstance(m, nn.Conv2d):
            macs[0] += out.numel() * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]
        elif isinstance(m, nn.ConvTranspose2d):
            macs[0] += inp[0].numel() * m.out_channels * m.kernel_size[0] * m.kernel_size[1] // m.groups
        elif isinstance(m, nn.Linear):
            macs[0] += out.numel() * m.in_features

    handles = [m.register_forward_hook(hook) for mod in modules if mod is not None for m in mod.modules()]
    run_step()
    for h in handles:
        h.remove()
    return macs[0]


def bench(args):
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    cfg = full_config(PRESETS[args.preset])
    g, d, e, dz = build(cfg, args.size, args.classes)
    g_ema = GENERATORS[cfg["g"]["arch"]](cfg["g"], args.size, args.classes)
    g_ema.load_state_dict(g.state_dict())
    g_ema.eval().requires_grad_(False)
    step = Step(cfg, g, d, e, dz)
    data = torch.randint(0, 256, (args.batch * 4, args.size, args.size, 3), dtype=torch.uint8)
    data_labels = torch.arange(args.batch * 4) % args.classes
    perm = torch.randperm(data.shape[0])
    total = args.warmup + args.steps

    def train_step(i):
        idx = perm[(i % 4) * args.batch:(i % 4 + 1) * args.batch]
        real = augment(data[idx].permute(0, 3, 1, 2).float().div(127.5).sub(1), cfg["hue"])
        out = step(real, data_labels[idx], i, total)
        with torch.no_grad():
            beta = min(0.999, (1 + i) / (10 + i))
            for pe, p in zip(g_ema.parameters(), g.parameters()):
                pe.mul_(beta).add_(p, alpha=1 - beta)
            for be, b in zip(g_ema.buffers(), g.buffers()):
                be.copy_(b)
        return out

    for i in range(args.warmup):
        train_step(i)
    if args.profile:  # one step under the profiler: self CPU time per aten op, then exit
        from torch.profiler import profile, ProfilerActivity
        with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
            train_step(args.warmup)
        print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=args.profile))
        print(prof.key_averages(group_by_input_shape=True).table(sort_by="self_cpu_time_total", row_limit=args.profile))
        return
    times = []
    for i in range(args.steps):
        t = time.perf_counter()
        train_step(args.warmup + i)
        times.append(time.perf_counter() - t)
    step_s = statistics.median(times)

    labels = torch.arange(64) % args.classes
    z = torch.randn(64, g.z_dim)
    sample_times = []
    with torch.no_grad():
        g_ema(z, labels)
        for _ in range(args.sample_reps):
            t = time.perf_counter()
            g_ema(z, labels).add(1).mul(127.5).round().clamp(0, 255).to(torch.uint8).permute(0, 2, 3, 1).contiguous()
            sample_times.append(time.perf_counter() - t)

    # Model FLOPs of one training step, counted on an extra (untimed) step: 2 FLOPs per MAC of
    # every forward, and each backward as twice its forward (input and weight gradients).
    macs = count_step_macs([g, d, e, dz], lambda: train_step(total))
    step_flops = 6 * macs
    print(json.dumps(dict(impl=args.tag, torch=torch.__version__, preset=args.preset, size=args.size, batch=args.batch,
                          threads=torch.get_num_threads(), steps=args.steps, img_per_s=args.batch / step_s,
                          step_ms=1000 * step_s, sample_ms=1000 * statistics.median(sample_times),
                          step_gflop=step_flops / 1e9, gflops=step_flops / 1e9 / step_s)))


# ---- safetensors (the format is tiny; python3-torch 1.13 has no reader) ----
DTYPES = {"F32": torch.float32, "F64": torch.float64, "I64": torch.int64, "I32": torch.int32, "U8": torch.uint8}


def load_safetensors(path):
    """-> (tensors, metadata)"""
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        buf = bytearray(raw[8 + n + a:8 + n + b])
        t = torch.frombuffer(buf, dtype=DTYPES[info["dtype"]]) if b > a else torch.empty(0, dtype=DTYPES[info["dtype"]])
        out[name] = t.reshape(info["shape"]).clone()
    return out, header.get("__metadata__", {})


def save_safetensors(path, tensors):
    names = {v: k for k, v in DTYPES.items()}
    header, blobs, offset = {"__metadata__": {"format": "pokegan-checkpoint/1"}}, [], 0
    for name, t in tensors.items():
        data = t.detach().contiguous().numpy().tobytes()
        header[name] = {"dtype": names[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def equiv(args):
    """The step's losses with their gradients, from the C++ side's config, weights and inputs.
    The C++ side makes the step deterministic (constant label targets, no noise or dropout);
    metadata "g_eval" = "1" runs G in eval mode (StyleGAN's noise injection off)."""
    torch.set_num_threads(1)
    t, meta = load_safetensors(args.input)
    cfg = full_config(json.loads(meta["config"]))
    size, classes = int(meta["size"]), int(meta["classes"])
    g, d, e, dz = build(cfg, size, classes)
    nets = dict(G=g, D=d, E=e, Dz=dz)
    for prefix, net in nets.items():
        if net is not None:
            net.load_state_dict({k[len(prefix) + 1:]: v for k, v in t.items() if k.startswith(prefix + ".")})
    if meta.get("g_eval") == "1":
        g.eval()
    step = Step(cfg, g, d, e, dz)
    step.loss.set_step(0, 1)
    z, labels, real = t["in.z"], t["in.labels"], t["in.real"]
    out = {}

    def grads(tag):
        for prefix, net in nets.items():
            if net is not None:
                for k, p in net.named_parameters():
                    if p.grad is not None:
                        out[f"grad.{tag}.{prefix}.{k}"] = p.grad.clone()
                net.zero_grad(set_to_none=True)

    fake = g(z, step.fake_labels(labels))
    out["out.fake"] = fake
    d_loss, reg, recon, z_enc, z_rec = step.losses_d(real, fake, labels, z)
    (d_loss + reg).backward(retain_graph=True)
    out["out.d_loss"] = d_loss.reshape(1)
    grads("d")
    if e is not None:
        dz_loss = step.loss_dz(z, z_enc, z_rec)
        dz_loss.backward(retain_graph=True)
        out["out.dz_loss"] = dz_loss.reshape(1)
        grads("dz")
    g_loss, reg = step.loss_g(real, fake, labels, z, recon, z_enc, z_rec)
    (g_loss + reg).backward()
    out["out.g_loss"] = g_loss.reshape(1)
    grads("g")
    save_safetensors(args.output, out)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("bench")
    b.add_argument("--preset", default="cdcgan", choices=sorted(PRESETS))
    b.add_argument("--size", type=int, default=64)
    b.add_argument("--batch", type=int, default=128)
    b.add_argument("--classes", type=int, default=13)
    b.add_argument("--warmup", type=int, default=1)
    b.add_argument("--steps", type=int, default=5)
    b.add_argument("--sample-reps", type=int, default=20)
    b.add_argument("--threads", type=int, default=2)
    b.add_argument("--seed", type=int, default=0)
    b.add_argument("--tag", default="pytorch", help="the impl name in the JSON line")
    b.add_argument("--profile", type=int, default=0, help="profile one step and print the top N ops")
    e = sub.add_parser("equiv")
    e.add_argument("input")
    e.add_argument("output")
    args = p.parse_args()
    bench(args) if args.cmd == "bench" else equiv(args)


if __name__ == "__main__":
    sys.exit(main())
