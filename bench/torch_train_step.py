"""PyTorch CPU peer of our trainer for bench/train-throughput.ts: the darknet cfg as a torch model,
timed training steps, one JSON line on stdout.

The model is built from the cfg with a minimal parser: [convolutional] (batch_normalize → conv
without bias + BatchNorm2d in training mode; leaky 0.1 / linear), [maxpool] (darknet's padding:
size − 1 on the right and bottom, so size=2 stride=1 keeps the size), [route] (layers, groups,
group_id), [upsample] (nearest), [yolo] (a head: the raw output of the layer before it). Other
sections are refused with their line.

The loss has the shape and cost of a YOLO loss, not darknet's assignment: per head, the output as
[batch, anchors, 5 + classes, h, w], the logistic on x, y, objectness and classes, and the summed
squared error against fixed targets (random, seeded); summed over heads. Our trainer's loss
(darknet's deltas, core/src/train/yolo-loss.ts) runs in JS on the CPU and costs a little more; the
convolutions dominate both. Optimiser: SGD, momentum 0.9, weight decay 5e-4 (darknet's defaults).

Usage: python bench/torch_train_step.py CFG [--batch 16] [--size 416] [--steps 3] [--threads N]
Prints: {"backend": "pytorch", "cfg": ..., "batch": ..., "size": ..., "threads": ..., "stepMs": [...],
         "imagesPerSec": ..., "peakRssMB": ..., "torch": ...}
"""

import argparse
import json
import os
import resource
import sys
import time


def parse_cfg(path):
    sections, line_no = [], 0
    with open(path, encoding="utf-8") as f:
        for line_no, raw in enumerate(f, 1):
            line = raw.split("#", 1)[0].split(";", 1)[0].strip()
            if not line:
                continue
            if line.startswith("["):
                sections.append({"type": line.strip("[]").strip(), "line": line_no, "attrs": {}})
            elif "=" in line and sections:
                k, v = line.split("=", 1)
                sections[-1]["attrs"][k.strip()] = v.strip()
    return sections


def build(sections, path):
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    net = sections[0]
    channels = int(net["attrs"].get("channels", 3))
    layers, out_channels, heads = [], [], []

    class Layer(nn.Module):
        def __init__(self, kind, **kw):
            super().__init__()
            self.kind = kind
            self.__dict__.update({k: v for k, v in kw.items() if not isinstance(v, nn.Module)})
            for k, v in kw.items():
                if isinstance(v, nn.Module):
                    self.add_module(k, v)

    prev = channels
    for i, s in enumerate(sections[1:]):
        a, t = s["attrs"], s["type"]
        where = f"{path}:{s['line']}: layer {i} [{t}]"
        if t in ("convolutional", "conv"):
            filters, size, stride = int(a.get("filters", 1)), int(a.get("size", 1)), int(a.get("stride", 1))
            pad = size // 2 if int(a.get("pad", 0)) else int(a.get("padding", 0))
            bn = int(a.get("batch_normalize", 0)) == 1
            act = a.get("activation", "logistic")
            if act not in ("leaky", "linear"):
                sys.exit(f"{where}: activation={act} is not supported by this peer (leaky, linear)")
            conv = nn.Conv2d(prev, filters, size, stride, pad, bias=not bn)
            layers.append(Layer("conv", conv=conv, bn=nn.BatchNorm2d(filters, momentum=0.01) if bn else nn.Identity(), leaky=act == "leaky"))
            prev = filters
        elif t == "maxpool":
            size, stride = int(a.get("size", 1)), int(a.get("stride", 1))
            layers.append(Layer("maxpool", size=size, stride=stride, pad=int(a.get("padding", size - 1))))
        elif t == "route":
            refs = [int(r) for r in a["layers"].split(",")]
            refs = [r if r >= 0 else i + r for r in refs]
            groups, gid = int(a.get("groups", 1)), int(a.get("group_id", 0))
            prev = sum(out_channels[r] for r in refs) // groups
            layers.append(Layer("route", refs=refs, groups=groups, gid=gid))
        elif t == "upsample":
            layers.append(Layer("upsample", stride=int(a.get("stride", 2))))
        elif t == "yolo":
            mask = a.get("mask")
            anchors = len(mask.split(",")) if mask else int(a.get("num", 1))
            heads.append((i - 1, anchors, int(a.get("classes", 20))))
            layers.append(Layer("yolo"))
        else:
            sys.exit(f"{where}: this PyTorch peer does not build [{t}]")
        out_channels.append(prev)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList(layers)

        def forward(self, x):
            outs = []
            for l in self.layers:
                if l.kind == "conv":
                    x = l.bn(l.conv(x))
                    if l.leaky:
                        x = F.leaky_relu(x, 0.1)
                elif l.kind == "maxpool":
                    if l.pad:
                        x = F.pad(x, (0, l.pad, 0, l.pad), value=float("-inf"))
                    x = F.max_pool2d(x, l.size, l.stride)
                elif l.kind == "route":
                    x = torch.cat([outs[r] for r in l.refs], 1) if len(l.refs) > 1 else outs[l.refs[0]]
                    if l.groups > 1:
                        x = x.chunk(l.groups, 1)[l.gid]
                elif l.kind == "upsample":
                    x = F.interpolate(x, scale_factor=l.stride, mode="nearest")
                outs.append(x)
            return [outs[h] for h, _, _ in heads]

    return Net(), heads, channels


def main():
    p = argparse.ArgumentParser()
    p.add_argument("cfg")
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--size", type=int, default=416)
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    o = p.parse_args()

    import torch

    torch.set_num_threads(o.threads)
    torch.manual_seed(1)
    sections = parse_cfg(o.cfg)
    model, heads, channels = build(sections, o.cfg)
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=1e-5, momentum=0.9, weight_decay=5e-4)
    x = torch.rand(o.batch, channels, o.size, o.size)
    with torch.no_grad():
        shapes = [t.shape for t in model(x[:1])]
    targets = [torch.rand(o.batch, a, 5 + c, s[2], s[3]) for (_, a, c), s in zip(heads, shapes)]

    phases = {}

    def mark(name, t0):
        # [wall ms, CPU ms] of the phase since t0 = (perf_counter, process_time); returns a new t0
        t1 = (time.perf_counter(), time.process_time())
        phases[name] = [round((t1[0] - t0[0]) * 1000), round((t1[1] - t0[1]) * 1000)]
        return t1

    def step():
        t = (time.perf_counter(), time.process_time())
        opt.zero_grad(set_to_none=True)
        outs = model(x)
        t = mark("forward", t)
        loss = 0
        for out, (_, a, c), target in zip(outs, heads, targets):
            y = out.view(o.batch, a, 5 + c, out.shape[2], out.shape[3])
            pred = torch.cat([torch.sigmoid(y[:, :, 0:2]), y[:, :, 2:4], torch.sigmoid(y[:, :, 4:])], 2)
            loss = loss + ((pred - target) ** 2).sum()
        t = mark("loss", t)
        loss.backward()
        t = mark("backward", t)
        opt.step()
        mark("update", t)
        return loss.item()

    step()  # warm-up (oneDNN primitive creation)
    times = []
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    for _ in range(o.steps):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    ms = sum(times) / len(times)
    print(
        json.dumps(
            {
                "backend": "pytorch",
                "cfg": os.path.basename(o.cfg),
                "batch": o.batch,
                "size": o.size,
                "threads": torch.get_num_threads(),
                "stepMs": [round(t, 1) for t in times],
                "imagesPerSec": o.batch * 1000 / ms,
                "peakRssMB": r1.ru_maxrss / 1024,
                "cpuSecPerImage": (r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime) / (o.steps * o.batch),
                "torch": torch.__version__,
                "phases": phases,
            }
        )
    )


if __name__ == "__main__":
    main()
