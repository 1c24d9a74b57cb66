#!/usr/bin/python3
"""PyTorch-Python twin of pokegan's DCGAN-family presets, written the way a user would write it
(nn.Sequential modules, torch.optim.Adam, one training loop), for side-by-side benchmarks and the
equivalence test. Run it with Debian's /usr/bin/python3 (python3-torch 1.13).

  torch_ref.py bench --preset cdcgan --size 64 --batch 128 --steps 5 --threads 2
      one JSON line: img/s of a full training step (augmentation, D and G updates, EMA), the
      latency of 64 samples without autograd, and the model FLOPs of one training step.
  torch_ref.py equiv IN.safetensors OUT.safetensors
      loads G and D weights and inputs written by the C++ test, runs one D loss and one G loss
      with their gradients, writes outputs and gradients back for comparison.

Presets: cdcgan (width 64), cdcgan-quick (width 16), dcgan (unconditional, recolouring). The
networks match src/pokegan/models/dcgan.cpp layer for layer, with the same parameter names.
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

PRESETS = {
    "cdcgan": dict(width=64, conditional=True, real=(0.9, 1.0), fake=(0.0, 0.1), hue=False),
    "cdcgan-quick": dict(width=16, conditional=True, real=(0.9, 1.0), fake=(0.0, 0.1), hue=False),
    "dcgan": dict(width=64, conditional=False, real=(0.9, 0.9), fake=(0.0, 0.0), hue=True),
}


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
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.normal_(m.weight, 1.0, 0.02)
            nn.init.zeros_(m.bias)


class Generator(nn.Module):
    def __init__(self, size, classes, width=64, z_dim=100, conditional=True):
        super().__init__()
        n = stages_for(size)
        self.classes = classes if conditional else 0
        self.z_dim = z_dim
        ch = [width << (n - 1 - i) for i in range(n)]
        layers = [nn.ConvTranspose2d(z_dim + self.classes, ch[0], 4, bias=False), nn.BatchNorm2d(ch[0]), nn.ReLU(True)]
        for i in range(1, n):
            layers += [nn.ConvTranspose2d(ch[i - 1], ch[i], 4, 2, 1, bias=False), nn.BatchNorm2d(ch[i]), nn.ReLU(True)]
        layers += [nn.ConvTranspose2d(ch[-1], 3, 4, 2, 1), nn.Tanh()]
        self.net = nn.Sequential(*layers)
        dcgan_init(self)

    def forward(self, z, labels):
        if self.classes:
            z = torch.cat([z, F.one_hot(labels, self.classes).to(z.dtype)], 1)
        return self.net(z[:, :, None, None])


class Discriminator(nn.Module):
    def __init__(self, size, classes, width=64, embed=16, conditional=True):
        super().__init__()
        n = stages_for(size)
        self.size = size
        self.conditional = conditional
        if conditional:
            self.embed = nn.Embedding(classes, embed)
        layers, c_in = [], 3 + (1 if conditional else 0)
        for i in range(n):
            layers += [nn.Conv2d(c_in, width << i, 4, 2, 1, bias=False), nn.BatchNorm2d(width << i),
                       nn.LeakyReLU(0.2, True)]
            c_in = width << i
        self.net = nn.Sequential(*layers)
        self.final = nn.Conv2d(c_in, 1, 4)
        dcgan_init(self)

    def forward(self, x, labels):
        if self.conditional:
            e = self.embed(labels)  # the embedding repeated along each row, the same in every row
            row = e.repeat(1, (self.size + e.shape[1] - 1) // e.shape[1])[:, :self.size]
            x = torch.cat([x, row[:, None, None, :].expand(-1, 1, self.size, self.size)], 1)
        return self.final(self.net(x)).view(-1)


def smoothed(like, lo, hi):
    return torch.full_like(like, lo) if lo == hi else torch.rand_like(like) * (hi - lo) + lo


def d_loss_fn(real_logits, fake_logits, cfg):
    return 0.5 * (F.binary_cross_entropy_with_logits(real_logits, smoothed(real_logits, *cfg["real"])) +
                  F.binary_cross_entropy_with_logits(fake_logits, smoothed(fake_logits, *cfg["fake"])))


def g_loss_fn(fake_logits):
    return F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))


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


def count_macs(model, *inputs):
    """Multiply-accumulates of one forward pass through conv, transposed conv and linear layers."""
    macs = [0]

    def hook(m, inp, out):
        if isinstance(m, nn.Conv2d):
            macs[0] += out.numel() * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]
        elif isinstance(m, nn.ConvTranspose2d):
            macs[0] += inp[0].numel() * m.out_channels * m.kernel_size[0] * m.kernel_size[1] // m.groups
        elif isinstance(m, nn.Linear):
            macs[0] += out.numel() * m.in_features

    handles = [m.register_forward_hook(hook) for m in model.modules()]
    with torch.no_grad():
        model(*inputs)
    for h in handles:
        h.remove()
    return macs[0]


def bench(args):
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    cfg = PRESETS[args.preset]
    g = Generator(args.size, args.classes, cfg["width"], conditional=cfg["conditional"])
    d = Discriminator(args.size, args.classes, cfg["width"], conditional=cfg["conditional"])
    g_ema = Generator(args.size, args.classes, cfg["width"], conditional=cfg["conditional"])
    g_ema.load_state_dict(g.state_dict())
    g_ema.eval().requires_grad_(False)
    opt_g = torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999))
    data = torch.randint(0, 256, (args.batch * 4, args.size, args.size, 3), dtype=torch.uint8)
    data_labels = torch.arange(args.batch * 4) % args.classes
    perm = torch.randperm(data.shape[0])

    def step(i):
        idx = perm[(i % 4) * args.batch:(i % 4 + 1) * args.batch]
        real = data[idx].permute(0, 3, 1, 2).float().div(127.5).sub(1)
        labels = data_labels[idx]
        real = augment(real, cfg["hue"])
        z = torch.randn(args.batch, g.z_dim)
        fake = g(z, labels)
        opt_d.zero_grad()
        d_loss = d_loss_fn(d(real, labels), d(fake.detach(), labels), cfg)
        d_loss.backward()
        opt_d.step()
        opt_g.zero_grad()
        g_loss = g_loss_fn(d(fake, labels))
        g_loss.backward()
        opt_g.step()
        with torch.no_grad():
            beta = min(0.999, (1 + i) / (10 + i))
            for pe, p in zip(g_ema.parameters(), g.parameters()):
                pe.mul_(beta).add_(p, alpha=1 - beta)
            for be, b in zip(g_ema.buffers(), g.buffers()):
                be.copy_(b)
        return d_loss.item(), g_loss.item()

    for i in range(args.warmup):
        step(i)
    if args.profile:  # one step under the profiler: self CPU time per aten op, then exit
        from torch.profiler import profile, ProfilerActivity
        with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
            step(args.warmup)
        print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=args.profile))
        print(prof.key_averages(group_by_input_shape=True).table(sort_by="self_cpu_time_total", row_limit=args.profile))
        return
    times = []
    for i in range(args.steps):
        t = time.perf_counter()
        step(args.warmup + i)
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

    # Model FLOPs of one training step: G forward once; D forward three times (real, detached fake,
    # fake); backward counted as twice its forward (input and weight gradients): D backward three
    # times, G backward once. FLOPs = 2 x MACs.
    x = torch.zeros(args.batch, 3, args.size, args.size)
    lab = torch.zeros(args.batch, dtype=torch.long)
    g.eval(), d.eval()
    macs_g = count_macs(g, torch.zeros(args.batch, g.z_dim), lab)
    macs_d = count_macs(d, x, lab)
    step_flops = 2 * (3 * macs_g + 9 * macs_d)
    print(json.dumps(dict(impl=args.tag, torch=torch.__version__, preset=args.preset, size=args.size, batch=args.batch,
                          threads=torch.get_num_threads(), steps=args.steps, img_per_s=args.batch / step_s,
                          step_ms=1000 * step_s, sample_ms=1000 * statistics.median(sample_times),
                          step_gflop=step_flops / 1e9, gflops=step_flops / 1e9 / step_s)))


# ---- safetensors (the format is tiny; python3-torch 1.13 has no reader) ----
DTYPES = {"F32": torch.float32, "F64": torch.float64, "I64": torch.int64, "I32": torch.int32, "U8": torch.uint8}


def load_safetensors(path):
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
    return out


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
    """One D loss and one G loss with their gradients, from the C++ side's weights and inputs."""
    torch.set_num_threads(1)
    t = load_safetensors(args.input)
    size, classes, width = (int(v) for v in t["meta.size_classes_width"].tolist())
    conditional = bool(t["meta.conditional"].item())
    g = Generator(size, classes, width, conditional=conditional)
    d = Discriminator(size, classes, width, conditional=conditional)
    g.load_state_dict({k[2:]: v for k, v in t.items() if k.startswith("G.")})
    d.load_state_dict({k[2:]: v for k, v in t.items() if k.startswith("D.")})
    cfg = dict(real=(0.9, 0.9), fake=(0.0, 0.0))  # constant targets: no randomness to share
    z, labels, real = t["in.z"], t["in.labels"], t["in.real"]
    fake = g(z, labels)
    d_real, d_fake = d(real, labels), d(fake.detach(), labels)
    d_loss = d_loss_fn(d_real, d_fake, cfg)
    d_loss.backward()
    out = {"out.fake": fake, "out.d_real": d_real, "out.d_fake": d_fake, "out.d_loss": d_loss.reshape(1)}
    out.update({"grad.D." + k: p.grad.clone() for k, p in d.named_parameters()})
    d.zero_grad()
    g_loss = g_loss_fn(d(fake, labels))
    g_loss.backward()
    out["out.g_loss"] = g_loss.reshape(1)
    out.update({"grad.G." + k: p.grad for k, p in g.named_parameters()})
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
